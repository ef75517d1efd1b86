"""In-progress app registrations (VNeID style), address-update requests, and the
record of who may act for whom."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from eid.models.base import Base
from eid.models.types import UtcDateTime


class AppRegistration(Base):
    """ID + phone -> card QR checked -> details confirmed -> OTP -> password."""

    __tablename__ = "app_registration"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    id_number: Mapped[str] = mapped_column(String(12), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20))  # started | qr_checked | otp_sent | done
    qr: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    otp_challenge_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class AddressUpdateRequest(Base):
    """Filed when a person says the postal code the civil registry holds is wrong."""

    __tablename__ = "address_update_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    registry_postal_code: Mapped[str | None] = mapped_column(String(12))
    requested_postal_code: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
