"""Request and response shapes of the mobile API (marshmallow), also the OpenAPI schemas.

Requests: every text is a :class:`Text` (no NUL, control character or unpaired
surrogate: ``eid.web.input_guard``'s rule) and every integer an :class:`Int` (an id's
range, ``0..2**31-1``); unknown fields are refused (:class:`Strict`).
Responses derive from :class:`Out`: the document lists every field they carry and
no other (``additionalProperties: false``), so it cannot drift from the code.
"""
from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from eid.web.converters import MAX_ID
from eid.web.input_guard import forbidden_character

#: The character rule of :class:`Text` for the OpenAPI document (an ECMA-262 pattern).
TEXT_PATTERN = "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f]*$"


class Strict(Schema):
    class Meta:
        unknown = RAISE


class Out(Schema):
    """A response shape: documented as closed (``additionalProperties: false``)."""

    class Meta:
        unknown = RAISE


class Text(fields.String):
    """A request's text: refused with a field error when it holds a NUL, another control
    character (tab, line feed and carriage return are allowed) or an unpaired surrogate."""

    def __init__(self, **kw: Any) -> None:
        kw["metadata"] = {"pattern": TEXT_PATTERN, **kw.get("metadata", {})}
        super().__init__(**kw)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> str:
        text = super()._deserialize(value, attr, data, **kw)
        reason = forbidden_character(text)
        if reason is not None:
            raise ValidationError(f"Contains {reason}, which is not allowed.")
        return text


class Int(fields.Integer):
    """A request's integer: a JSON integer (not a float, string or boolean) in ``0..MAX_ID``
    (an ``INTEGER`` column's range on PostgreSQL) unless a narrower range is given."""

    def __init__(self, *, minimum: int = 0, maximum: int = MAX_ID, **kw: Any) -> None:
        super().__init__(strict=True, validate=validate.Range(min=minimum, max=maximum), **kw)


class Bool(fields.Boolean):
    """A request's boolean: JSON ``true`` or ``false`` only (marshmallow also takes
    ``"yes"``, ``1``, ``"on"``..., which the document does not promise)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kw: Any) -> bool:
        if value is not True and value is not False:
            raise self.make_error("invalid", input=value)
        return value


def _s(max_len: int = 200, **kw) -> fields.String:  # type: ignore[no-untyped-def]
    return Text(validate=validate.Length(max=max_len), **kw)


class CaptchaOut(Out):
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


class ChallengeOut(Out):
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


class AccountOut(Out):
    id = fields.Integer()
    id_number = fields.String()
    full_name = fields.String()
    phone_masked = fields.String()
    email = fields.String(allow_none=True)
    level = fields.Integer()
    created_at = fields.DateTime()


class MeOut(AccountOut):
    """The signed-in account, for whom the token acts and the phone it is bound to."""
    act = fields.Dict(allow_none=True, metadata={"description": "acting for: type, id, name, actor"})
    device_id = fields.Integer(allow_none=True)


class SigninStart(CaptchaIn):
    id_number = _s(20, required=True)
    password = _s(1024, required=True)


class TokenOut(Out):
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


class SessionOut(Out):
    id = fields.Integer()
    kind = fields.String()
    created_at = fields.DateTime()
    last_seen_at = fields.DateTime()
    ip = fields.String()
    user_agent = fields.String()
    current = fields.Boolean()


class AppSessionOut(Out):
    id = fields.Integer()
    kind = fields.String()
    created_at = fields.DateTime()
    device_id = fields.Integer(allow_none=True)
    act = fields.Dict(allow_none=True)
    current = fields.Boolean()


class SessionList(Out):
    sessions = fields.List(fields.Nested(SessionOut))
    app_sessions = fields.List(fields.Nested(AppSessionOut))


class WebSessionOut(SessionOut):
    """A browser session as the phone lists it: ``user_agent`` read as "browser · OS"."""
    place = fields.String(metadata={"description": "coarse place of the IP"})


class WebSessionList(Out):
    sessions = fields.List(fields.Nested(WebSessionOut))
    web_login_enabled = fields.Boolean()


class Ok(Out):
    ok = fields.Boolean()
    next = fields.String()
    sessions_ended = fields.Integer()


class Error(Out):
    error = fields.String(required=True)
    message = fields.String(required=True)
    reasons = fields.List(fields.String())
    attempts_left = fields.Integer()
    retry_after = fields.Integer()
    field_errors = fields.Dict(keys=fields.String(), values=fields.String(), data_key="fields")
    until = fields.DateTime()


class RegisterStart(Strict):
    id_number = _s(20, required=True)
    phone = _s(20, required=True)


class RegistrationOut(Out):
    registration_id = fields.String()
    next = fields.String()
    expires_at = fields.DateTime()


class RegistrationRef(Strict):
    registration_id = _s(64, required=True)


class RegisterQr(RegistrationRef):
    qr_text = _s(1000, load_default=None, allow_none=True)
    image_base64 = Text(load_default=None, allow_none=True,
                        validate=validate.Length(max=11_000_000))


class QrCheckedOut(Out):
    """The same answer whether or not the card, the registers and the line agree."""
    registration_id = fields.String()
    next = fields.String()
    phone_masked = fields.String()


class DetailsOut(Out):
    """The register's details: only after the code sent to the phone was confirmed."""
    id_number = fields.String()
    full_name = fields.String()
    birth_date = fields.Date()
    sex = fields.String()
    permanent_address = fields.String()
    phone_masked = fields.String()


class RegisterVerifiedOut(Out):
    ok = fields.Boolean()
    next = fields.String()
    details = fields.Nested(DetailsOut)


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


class DeviceOut(Out):
    id = fields.Integer()
    name = fields.String()
    platform = fields.String()
    jkt = fields.String()
    active = fields.Boolean()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True)
    bound_by = fields.String()


class ActivationOut(TokenOut):
    """The tokens bound to the new device key, and that device."""
    device = fields.Nested(DeviceOut)


class DeviceList(Out):
    devices = fields.List(fields.Nested(DeviceOut))


class TransferCodeOut(Out):
    code = fields.String()
    expires_at = fields.DateTime()


class MobileStart(CaptchaIn):
    phone = _s(20, required=True)


class MobileIdentity(ChallengeRef):
    national_code = _s(20, required=True)
    birth_date = _s(10, required=True)


class PostalOut(Out):
    postal_code = fields.String(allow_none=True)
    address = fields.String()


class MobileFinish(ChallengeRef):
    confirm = Bool(required=True)
    postal_code = _s(12, load_default=None, allow_none=True)


class EmailSentOut(Out):
    sent_to = fields.String()


class DependentIn(Strict):
    id_number = _s(20, required=True)
    birth_date = _s(10, required=True)


class DependentOut(Out):
    id = fields.Integer()
    id_number = fields.String()
    full_name = fields.String()
    level = fields.Integer()
    created_at = fields.DateTime()


class DependentList(Out):
    dependents = fields.List(fields.Nested(DependentOut))


class CompanyOut(Out):
    company_id = fields.String()
    name = fields.String()


class CompanyList(Out):
    companies = fields.List(fields.Nested(CompanyOut))


class ActAsIn(Strict):
    company_id = _s(20, load_default=None, allow_none=True)
    dependent_id = Int(minimum=1, load_default=None, allow_none=True)


class AddressRequestOut(Out):
    id = fields.Integer()
    requested_postal_code = fields.String()
    registry_postal_code = fields.String(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()


class AddressRequestList(Out):
    requests = fields.List(fields.Nested(AddressRequestOut))


class QrScanIn(Strict):
    uri = _s(400, required=True)


class QrContextOut(Out):
    service = fields.String()
    ip = fields.String()
    place = fields.String()
    browser = fields.String()
    os = fields.String()
    time = fields.String()
    location_mismatch = fields.Boolean()
    numbers = fields.List(fields.Integer())


class QrScanOut(Out):
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


class QrStateOut(Out):
    tx = fields.String()
    state = fields.String()
    reason = fields.String(allow_none=True)


class WebLoginIn(Strict):
    enabled = Bool(required=True)


class ChipStartIn(Strict):
    purpose = Text(required=True, validate=validate.OneOf(["level1_online", "rebind", "desk"]))


class ChipSessionOut(Out):
    chip_session_id = fields.String()
    challenge = fields.String()
    purpose = fields.String()
    expires_at = fields.DateTime()


class ChipReadIn(Strict):
    files = fields.Dict(keys=Text(validate=validate.Length(max=12)), values=Text(), required=True)
    aa_signature = Text(load_default=None, allow_none=True)


class ChipVerifiedOut(Out):
    verified = fields.Boolean()
    purpose = fields.String()
    verification_id = fields.Integer()
    document_signer = fields.String()
    csca = fields.String()
    active_auth = fields.String(allow_none=True)
    level1_online = fields.Boolean()
