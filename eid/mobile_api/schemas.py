"""Request and response shapes of the mobile API (marshmallow), also the OpenAPI schemas."""
from __future__ import annotations

from marshmallow import RAISE, Schema, fields, validate


class Strict(Schema):
    class Meta:
        unknown = RAISE


def _s(max_len: int = 200, **kw) -> fields.String:  # type: ignore[no-untyped-def]
    return fields.String(validate=validate.Length(max=max_len), **kw)


class CaptchaOut(Schema):
    captcha_id = fields.String()
    image_png_base64 = fields.String()
    audio_url = fields.String()


class CaptchaIn(Strict):
    captcha_id = _s(64, required=True)
    captcha = _s(16, required=True)


class SignupStart(CaptchaIn):
    id_number = _s(20, required=True)
    full_name = _s(200, required=True)
    birth_date = _s(10, required=True, metadata={"description": "dd/mm/yyyy or yyyy-mm-dd"})
    phone = _s(20, required=True)
    email = _s(254, load_default="")


class ChallengeOut(Schema):
    challenge_id = fields.String()
    masked_phone = fields.String(allow_none=True)
    expires_at = fields.DateTime()
    resend_at = fields.DateTime()


class ChallengeRef(Strict):
    challenge_id = _s(64, required=True)


class OtpIn(ChallengeRef):
    code = _s(10, required=True)


class PasswordIn(ChallengeRef):
    password = _s(1024, required=True)
    confirm = _s(1024, required=True)


class AccountOut(Schema):
    id = fields.Integer()
    id_number = fields.String()
    full_name = fields.String()
    phone_masked = fields.String()
    email = fields.String(allow_none=True)
    level = fields.Integer()
    created_at = fields.DateTime()


class SigninStart(CaptchaIn):
    id_number = _s(20, required=True)
    password = _s(1024, required=True)


class TokenOut(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    account = fields.Nested(AccountOut)


class ForgotStart(CaptchaIn):
    id_number = _s(20, required=True)
    phone = _s(20, required=True)


class ChangePassword(Strict):
    current = _s(1024, required=True)
    password = _s(1024, required=True)
    confirm = _s(1024, required=True)


class SessionOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    ip = fields.String()
    user_agent = fields.String()
    current = fields.Boolean()


class SessionList(Schema):
    sessions = fields.List(fields.Nested(SessionOut))


class Ok(Schema):
    ok = fields.Boolean()
    next = fields.String()
    sessions_ended = fields.Integer()


class Error(Schema):
    error = fields.String(required=True)
    message = fields.String(required=True)
    reasons = fields.List(fields.String())
    attempts_left = fields.Integer()
    retry_after = fields.Integer()
    field_errors = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields")
