"""Writes audit events, filling in where the request came from.

Passwords, OTPs and full ID numbers never reach the log: the ID is stored masked
plus an HMAC, and detail keys that look secret are refused.
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from eid.accounts.ids import mask_id
from eid.models.audit import AuditEvent

FORBIDDEN_KEYS = ("password", "otp", "code", "secret", "token", "captcha")
_INSERT = insert(AuditEvent.__table__)  # built once; each event's values are its parameters


class AuditWriter:
    def __init__(self, session: Session, key: bytes, now: datetime, ip: str | None,
                 user_agent: str | None) -> None:
        self.session, self.key, self.now = session, key, now
        self.ip, self.user_agent = ip, (user_agent or "")[:300]

    def __call__(self, action: str, outcome: str, *, actor_account_id: int | None = None,
                 acting_for: str | None = None, id_number: str | None = None,
                 details: Mapping[str, Any] | None = None) -> None:
        details = dict(details or {})
        bad = [k for k in details if any(f in k.lower() for f in FORBIDDEN_KEYS)]
        if bad:
            raise ValueError(f"audit details may not carry {bad}")
        # One INSERT in the request's transaction, written at once (no unit-of-work
        # bookkeeping: audit rows are never read back or changed by the request).
        self.session.connection().execute(_INSERT, {
            "at": self.now, "action": action, "outcome": outcome,
            "actor_account_id": actor_account_id, "acting_for": acting_for,
            "subject": mask_id(id_number) if id_number else None,
            "subject_hmac": subject_hmac(self.key, id_number) if id_number else None,
            "ip": self.ip, "user_agent": self.user_agent, "details": details})


def subject_hmac(key: bytes, id_number: str) -> str:
    return hmac.new(key, b"audit:" + id_number.encode(), hashlib.sha256).hexdigest()
