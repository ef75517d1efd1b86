"""Desktop QR-login transactions (the state itself is the pure core's JSON) and
the signed approvals kept for non-repudiation."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eid.models.base import Base
from eid.models.types import UtcDateTime


class QrLoginTx(Base):
    __tablename__ = "qr_login_tx"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)


class QrApprovalRecord(Base):
    """What the phone signed (canonical JSON and signature), for audit."""

    __tablename__ = "qr_approval_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    tx_id: Mapped[str] = mapped_column(String(64), index=True)
    account_id: Mapped[int] = mapped_column(Integer, index=True)
    device_id: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(10))
    payload: Mapped[str] = mapped_column(Text)
    signature: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime())
