"""Deleting what has expired, so no table grows without bound.

Every row with a lifetime goes some time after it ended: long enough for what still
reads it (daily caps count a day of OTP challenges; a reused refresh token is
recognised until its family's record is gone), never forever. Evidence is kept
(audit events, the phone's signed QR approvals, verified chip reads), and so are
the rows that are the owner's way in (known browsers, devices).

Run by ``flask --app wsgi purge`` and by the server's periodic job
(``eid.web.housekeeping``); the QR-login transactions are purged there too, by their
store (``eid.qr_login.store``), which this package may not import.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, exists, or_, select
from sqlalchemy.orm import Session

from eid.accounts import throttle
from eid.accounts.context import Settings
from eid.models.accounts import OtpChallenge, WebSession
from eid.models.base import Base
from eid.models.captcha import CaptchaChallenge
from eid.models.chip import ChipSession
from eid.models.devices import IssuedToken, TokenFamily, UsedProof
from eid.models.registration import AppRegistration


@dataclass(frozen=True)
class Retention:
    """How long each kind of row is kept after it expired (or was revoked)."""

    captchas: timedelta = timedelta(hours=1)
    challenges: timedelta = timedelta(days=1)  # OTP (any purpose), registrations, chip reads
    sessions: timedelta = timedelta(days=30)  # web sessions, app tokens and their families


def expired(session: Session, *, now: datetime, settings: Settings,
            retention: Retention = Retention()) -> dict[str, int]:
    """Delete every expired row past its retention; returns the count per table.
    The caller commits."""
    challenge_cut, session_cut = now - retention.challenges, now - retention.sessions
    counts = {
        "captcha_challenge": _delete(session, CaptchaChallenge,
                                     CaptchaChallenge.expires_at < now - retention.captchas),
        "otp_challenge": _delete(session, OtpChallenge, OtpChallenge.expires_at < challenge_cut),
        "app_registration": _delete(session, AppRegistration,
                                    AppRegistration.expires_at < challenge_cut),
        "chip_session": _delete(session, ChipSession, ChipSession.expires_at < challenge_cut),
        "used_proof": _delete(session, UsedProof, UsedProof.expires_at < now),
        "throttle": throttle.purge(session, now=now, settings=settings),
        "web_session": _delete(session, WebSession, or_(
            WebSession.expires_at < session_cut, WebSession.revoked_at < session_cut)),
        "issued_token": _delete(session, IssuedToken, or_(
            IssuedToken.expires_at < session_cut,
            IssuedToken.family_id.in_(select(TokenFamily.id).where(
                TokenFamily.revoked_at < session_cut)))),
    }
    # a family goes once no token of it is left (``_delete`` spares it until then)
    counts["token_family"] = _delete(session, TokenFamily, or_(
        TokenFamily.revoked_at < session_cut, TokenFamily.created_at < session_cut))
    return counts


def _delete(session: Session, model: Any, where: ColumnElement[bool]) -> int:
    """``DELETE ... WHERE where``, sparing rows another table still points to."""
    table: Table = model.__table__
    result = session.execute(delete(model).where(where, *_unreferenced(table)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _unreferenced(table: Table) -> list[ColumnElement[bool]]:
    """``NOT EXISTS`` for every foreign key in the schema that points into ``table``."""
    conditions: list[ColumnElement[bool]] = []
    for other in Base.metadata.tables.values():
        for fk in other.foreign_keys:
            if fk.column.table is table and other is not table:
                conditions.append(~exists().where(fk.parent == fk.column))
    return conditions
