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


class OtpCode:
    """The fields of an OTP confirmation, after the reference of the flow it confirms."""
    code = _s(10, required=True)


class NewPassword:
    """The fields that set a password (the rules are the core's), after the flow's reference."""
    password = _s(1024, required=True)
    confirm = _s(1024, required=True)


class OtpIn(OtpCode, ChallengeRef):
    """Confirm a challenge's OTP (sign-up, sign-in, reset, mobile sign-in)."""


class PasswordIn(NewPassword, ChallengeRef):
    """Set the password once the challenge is confirmed (sign-up, reset)."""


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
    refresh_token = fields.String()
    token_type = fields.String(metadata={"description": "DPoP once the phone is activated"})
    expires_in = fields.Integer()
    level = fields.Integer()
    act = fields.Dict(allow_none=True)
    account = fields.Nested(AccountOut)


class RefreshIn(Strict):
    refresh_token = _s(100, required=True)


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


class AppSessionOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    created_at = fields.DateTime()
    device_id = fields.Integer(allow_none=True)
    act = fields.Dict(allow_none=True)
    current = fields.Boolean()


class SessionList(Schema):
    sessions = fields.List(fields.Nested(SessionOut))
    app_sessions = fields.List(fields.Nested(AppSessionOut))


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


class RegisterStart(Strict):
    id_number = _s(20, required=True)
    phone = _s(20, required=True)


class RegistrationOut(Schema):
    registration_id = fields.String()
    next = fields.String()
    expires_at = fields.DateTime()


class RegistrationRef(Strict):
    registration_id = _s(64, required=True)


class RegisterQr(RegistrationRef):
    qr_text = _s(1000, load_default=None, allow_none=True)
    image_base64 = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(max=11_000_000))


class DetailsOut(Schema):
    id_number = fields.String()
    full_name = fields.String()
    birth_date = fields.Date()
    sex = fields.String()
    permanent_address = fields.String()
    phone_masked = fields.String()


class RegisterOtp(OtpCode, RegistrationRef):
    """:class:`OtpIn` for app registration, which names its registration instead."""


class RegisterPassword(NewPassword, RegistrationRef):
    """:class:`PasswordIn` for app registration, which names its registration instead."""


class DeviceActivate(Strict):
    challenge_id = _s(64, required=True)
    code = _s(10, required=True)
    name = _s(100, required=True)
    platform = _s(20, required=True)
    transfer_code = _s(12, load_default=None, allow_none=True)
    chip_session_id = _s(64, load_default=None, allow_none=True)


class DeviceOut(Schema):
    id = fields.Integer()
    name = fields.String()
    platform = fields.String()
    jkt = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    bound_by = fields.String()


class DeviceList(Schema):
    devices = fields.List(fields.Nested(DeviceOut))


class TransferCodeOut(Schema):
    code = fields.String()
    expires_at = fields.DateTime()


class MobileStart(CaptchaIn):
    phone = _s(20, required=True)


class MobileIdentity(ChallengeRef):
    national_code = _s(20, required=True)
    birth_date = _s(10, required=True)


class PostalOut(Schema):
    postal_code = fields.String(allow_none=True)
    address = fields.String()


class MobileFinish(ChallengeRef):
    confirm = fields.Boolean(required=True)
    postal_code = _s(12, load_default=None, allow_none=True)


class EmailSentOut(Schema):
    sent_to = fields.String()


class DependentIn(Strict):
    id_number = _s(20, required=True)
    birth_date = _s(10, required=True)


class DependentOut(Schema):
    id = fields.Integer()
    id_number = fields.String()
    full_name = fields.String()
    level = fields.Integer()
    created_at = fields.DateTime()


class DependentList(Schema):
    dependents = fields.List(fields.Nested(DependentOut))


class CompanyOut(Schema):
    company_id = fields.String()
    name = fields.String()


class CompanyList(Schema):
    companies = fields.List(fields.Nested(CompanyOut))


class ActAsIn(Strict):
    company_id = _s(20, load_default=None, allow_none=True)
    dependent_id = fields.Integer(load_default=None, allow_none=True)


class AddressRequestOut(Schema):
    id = fields.Integer()
    requested_postal_code = fields.String()
    registry_postal_code = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()


class AddressRequestList(Schema):
    requests = fields.List(fields.Nested(AddressRequestOut))


class QrScanIn(Strict):
    uri = _s(400, required=True)


class QrContextOut(Schema):
    service = fields.String()
    ip = fields.String()
    place = fields.String()
    browser = fields.String()
    os = fields.String()
    time = fields.String()
    location_mismatch = fields.Boolean()
    numbers = fields.List(fields.Integer())


class QrScanOut(Schema):
    tx = fields.String()
    context = fields.Nested(QrContextOut)
    thumbprint = fields.String()
    audience = fields.String()
    expires_at = fields.DateTime()


class QrDecisionIn(Strict):
    approval = _s(2000, required=True)
    signature = _s(200, required=True)


class QrTxIn(Strict):
    tx = _s(64, required=True)


class QrStateOut(Schema):
    tx = fields.String()
    state = fields.String()
    reason = fields.String(allow_none=True)


class WebLoginIn(Strict):
    enabled = fields.Boolean(required=True)


class ChipStartIn(Strict):
    purpose = fields.String(required=True, validate=validate.OneOf(["level1_online", "rebind", "desk"]))


class ChipSessionOut(Schema):
    chip_session_id = fields.String()
    challenge = fields.String()
    purpose = fields.String()
    expires_at = fields.DateTime()


class ChipReadIn(Strict):
    files = fields.Dict(keys=fields.String(validate=validate.Length(max=12)), values=fields.String(),
                        required=True)
    aa_signature = fields.String(load_default=None, allow_none=True)


class ChipVerifiedOut(Schema):
    verified = fields.Boolean()
    purpose = fields.String()
    verification_id = fields.Integer()
    document_signer = fields.String()
    csca = fields.String()
    active_auth = fields.String(allow_none=True)
    level1_online = fields.Boolean()
