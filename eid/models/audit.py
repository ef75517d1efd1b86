"""The append-only audit log: who, acting for whom, did what, when, from where.

Never a password, OTP or full ID number in clear: ``subject`` holds a masked ID
and ``subject_hmac`` a keyed hash so events about one person can be joined.
Rows cannot be updated or deleted through the ORM; on PostgreSQL a trigger
(see the migration) refuses UPDATE and DELETE as well.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from eid.models.base import Base
from eid.models.types import UtcDateTime


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    actor_account_id: Mapped[int | None] = mapped_column(Integer, index=True)
    acting_for: Mapped[str | None] = mapped_column(String(40))
    subject: Mapped[str | None] = mapped_column(String(20))
    subject_hmac: Mapped[str | None] = mapped_column(String(64), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditLogIsAppendOnly(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
def _no_update(*_args: Any) -> None:
    raise AuditLogIsAppendOnly("audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _no_delete(*_args: Any) -> None:
    raise AuditLogIsAppendOnly("audit events cannot be deleted")
