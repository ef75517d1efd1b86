"""SQLAlchemy models, one module per concern.

Importing this package registers every table on ``Base.metadata`` (Alembic's
autogenerate and the tests rely on it).
"""
from eid.app.models.accounts import Account, KnownBrowser, OtpChallenge, Throttle, WebSession
from eid.app.models.audit import AuditEvent
from eid.app.models.chip import ChipSession, ChipVerification
from eid.app.models.devices import Device, IssuedToken, TokenFamily, UsedProof
from eid.app.models.qr import QrApprovalRecord, QrLoginTx
from eid.app.models.registration import AddressUpdateRequest, AppRegistration


def load_all() -> None:
    """Import every model module, including those that live beside their domain."""
    import eid.accounts.captcha
    import eid.accounts.registries.models
    import eid.accounts.sms  # noqa: F401


__all__ = [
    "Account", "AddressUpdateRequest", "AppRegistration", "AuditEvent", "ChipSession",
    "ChipVerification", "Device", "IssuedToken",
    "KnownBrowser", "OtpChallenge", "QrApprovalRecord", "QrLoginTx", "Throttle", "TokenFamily",
    "UsedProof", "WebSession", "load_all",
]
