"""The audit log is append-only and never holds secrets."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from eid.models import AuditEvent
from eid.models.audit import AuditLogIsAppendOnly
from eid.web.audit import AuditWriter
from eid.web.db import db


def test_events_cannot_be_changed_or_deleted(app, clock):
    with app.app_context():
        AuditWriter(db.session, b"k" * 32, clock.now(), "127.0.0.1", "pytest")(
            "test.event", "ok", id_number="079203001234")
        db.session.commit()
        row = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "test.event"))
        assert row is not None and "079203001234" not in (row.subject or "")
        assert row.subject_hmac and len(row.subject_hmac) == 64
        row.outcome = "changed"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        db.session.delete(db.session.get(AuditEvent, row.id))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()


@pytest.mark.parametrize("key", ["password", "otp_code", "new_password", "token", "captcha_answer"])
def test_secret_looking_details_are_refused(app, clock, key):
    with app.app_context():
        writer = AuditWriter(db.session, b"k" * 32, clock.now(), None, None)
        with pytest.raises(ValueError, match="may not carry"):
            writer("x", "ok", details={key: "v"})
