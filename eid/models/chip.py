"""Chip reads: the server's active-authentication challenge for one read, and what a
verified read proved (no face image, no personal data beyond the ID number)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from eid.models.base import Base
from eid.models.types import UtcDateTime


class ChipSession(Base):
    __tablename__ = "chip_session"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # level1_online | rebind | desk
    challenge: Mapped[str] = mapped_column(String(16))  # 8 bytes, hex
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class ChipVerification(Base):
    __tablename__ = "chip_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    chip_session_id: Mapped[str] = mapped_column(String(32), unique=True)
    purpose: Mapped[str] = mapped_column(String(20))
    id_number: Mapped[str] = mapped_column(String(12))
    document_signer: Mapped[str] = mapped_column(String(300))
    document_signer_serial: Mapped[str] = mapped_column(String(64))
    csca: Mapped[str] = mapped_column(String(300))
    active_auth: Mapped[str | None] = mapped_column(String(20))
    verified_at: Mapped[datetime] = mapped_column(UtcDateTime())
    rebind_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    level: Mapped[int] = mapped_column(Integer, default=1)
