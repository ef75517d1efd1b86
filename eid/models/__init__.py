"""SQLAlchemy tables, one module per concern, below the domain: no Flask here.

Importing this package registers every table on ``Base.metadata`` (Alembic's
autogenerate and the tests rely on it).
"""
from eid.models.accounts import Account, KnownBrowser, OtpChallenge, Throttle, WebSession
from eid.models.audit import AuditEvent
from eid.models.base import Base, make_engine
from eid.models.captcha import CaptchaChallenge
from eid.models.chip import ChipSession, ChipVerification
from eid.models.devices import Device, IssuedToken, TokenFamily, UsedProof
from eid.models.oidc import OidcClient, OidcConsent, OidcGrant, OidcSigningKey  # noqa: F401
from eid.models.qr import QrApprovalRecord, QrLoginTx
from eid.models.registration import AddressUpdateRequest, AppRegistration
from eid.models.registries import RegistryCitizen, RegistryCompany, RegistrySubscriber
from eid.models.sms import SmsOutbox

__all__ = [
    "Account", "AddressUpdateRequest", "AppRegistration", "AuditEvent", "Base", "CaptchaChallenge",
    "ChipSession", "ChipVerification", "Device", "IssuedToken", "KnownBrowser", "OtpChallenge",
    "QrApprovalRecord", "QrLoginTx", "RegistryCitizen", "RegistryCompany", "RegistrySubscriber",
    "SmsOutbox", "Throttle", "TokenFamily", "UsedProof", "WebSession", "make_engine",
]
