"""Purging expired rows (eid.accounts.purge, the QR store's purge, ``flask purge`` and the
server's periodic job): the tables stay bounded however long the server runs."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from eid.accounts import purge, throttle
from eid.accounts.context import Settings
from eid.models.accounts import Account, OtpChallenge, Throttle, WebSession
from eid.models.captcha import CaptchaChallenge
from eid.models.chip import ChipSession
from eid.models.devices import IssuedToken, TokenFamily, UsedProof
from eid.models.qr import QrLoginTx
from eid.models.registration import AppRegistration
from tests.accounts.support import add_account, demo

TABLES = (CaptchaChallenge, OtpChallenge, AppRegistration, ChipSession, UsedProof, Throttle,
          WebSession, IssuedToken, TokenFamily)
_n = iter(range(10**9))


def uid() -> str:
    return f"{next(_n):032d}"


def rows_ending_at(s: Session, account: Account, end: datetime) -> None:
    """One row of every expiring kind, its life ending at ``end``."""
    start = end - timedelta(minutes=5)
    s.add(CaptchaChallenge(id=uid(), answer_hash="0" * 64, created_at=start, expires_at=end, used=False))
    s.add(OtpChallenge(id=uid(), purpose="signin", subject=account.id_number, phone=account.phone,
                       code_hash="0" * 64, created_at=start, expires_at=end, resend_at=start))
    s.add(AppRegistration(id=uid(), id_number=account.id_number, phone=account.phone, state="started",
                          created_at=start, expires_at=end))
    s.add(ChipSession(id=uid(), account_id=account.id, purpose="desk", challenge="00" * 8,
                      created_at=start, expires_at=end))
    s.add(UsedProof(jti=uid(), expires_at=end))
    s.add(Throttle(key=f"id:{uid()}", failures=1, window_start=start))
    s.add(WebSession(token_hash=uid() * 2, account_id=account.id, created_at=start, last_seen_at=start,
                     expires_at=end, ip="198.51.100.7", user_agent="test"))
    family = TokenFamily(account_id=account.id, level=1, created_at=start)
    s.add(family)
    s.flush()
    s.add(IssuedToken(token_hash=uid() * 2, kind="refresh", family_id=family.id, issued_at=start,
                      expires_at=end))
    s.flush()


def counts(s: Session) -> dict[str, int]:
    return {m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0 for m in TABLES}


SETTINGS = Settings(login_failure_memory_seconds=86400)


def test_expired_rows_go_and_live_ones_stay(svc, session, clock):
    account = add_account(svc(), demo(1))
    now = clock.now()
    rows_ending_at(session, account, now - timedelta(days=90))  # long over
    rows_ending_at(session, account, now + timedelta(minutes=5))  # still alive
    before = counts(session)
    gone = purge.expired(session, now=now, settings=SETTINGS)
    assert gone == {name: 1 for name in before}
    assert counts(session) == {name: n - 1 for name, n in before.items()}
    assert purge.expired(session, now=now, settings=SETTINGS) == {name: 0 for name in before}


def test_each_kind_is_kept_for_its_retention(svc, session, clock):
    account = add_account(svc(), demo(2))
    now = clock.now()
    rows_ending_at(session, account, now - timedelta(hours=2))  # ended two hours ago
    gone = purge.expired(session, now=now, settings=SETTINGS)
    assert {k for k, v in gone.items() if v} == {"captcha_challenge", "used_proof"}
    clock.advance(days=2)
    gone = purge.expired(session, now=clock.now(), settings=SETTINGS)
    assert {k for k, v in gone.items() if v} == {"otp_challenge", "app_registration", "chip_session",
                                                 "throttle"}
    clock.advance(days=31)
    gone = purge.expired(session, now=clock.now(), settings=SETTINGS)
    assert {k for k, v in gone.items() if v} == {"web_session", "issued_token", "token_family"}


def test_a_row_another_table_still_points_to_is_spared(svc, session, clock):
    account = add_account(svc(), demo(3))
    now = clock.now()
    family = TokenFamily(account_id=account.id, level=1, created_at=now - timedelta(days=90))
    session.add(family)
    session.flush()
    session.add(IssuedToken(token_hash="f" * 64, kind="refresh", family_id=family.id,
                            issued_at=now, expires_at=now + timedelta(days=30)))
    session.flush()
    assert purge.expired(session, now=now, settings=SETTINGS)["token_family"] == 0
    assert session.get(TokenFamily, family.id) is not None


def test_the_tables_stay_bounded_over_months_of_traffic(svc, session, clock):
    account = add_account(svc(), demo(4))
    peak: dict[str, int] = {}
    for _day in range(100):  # over three times the longest retention
        for _ in range(3):  # three of everything every day, each living five minutes
            rows_ending_at(session, account, clock.now() + timedelta(minutes=5))
        clock.advance(days=1)
        purge.expired(session, now=clock.now(), settings=SETTINGS)
        peak = {k: max(v, peak.get(k, 0)) for k, v in counts(session).items()}
    assert max(peak.values()) <= 3 * 32  # the longest retention (30 days) of three a day
    assert counts(session)["captcha_challenge"] == 0


def test_throttle_pools_go_once_they_forgot(svc, session, clock):
    now = clock.now()
    session.add(Throttle(key="id:old", failures=7, window_start=now - timedelta(days=3)))
    session.add(Throttle(key="id:new", failures=7, window_start=now))
    session.add(Throttle(key="id:waiting", failures=7, window_start=now - timedelta(days=3),
                         locked_until=now + timedelta(minutes=1)))
    session.add(Throttle(key="otp_guess:86400:x", failures=3, window_start=now - timedelta(days=1)))
    session.flush()
    short_memory = Settings(login_failure_memory_seconds=3600)  # the OTP budgets' day still counts
    assert throttle.purge(session, now=now, settings=short_memory) == 1
    assert sorted(r.key for r in session.scalars(select(Throttle))) == [
        "id:new", "id:waiting", "otp_guess:86400:x"]


# -- through the app: the QR store, the CLI and the periodic job ---------------

def _seed_expired(app: Any, clock: Any) -> None:
    from eid.web.db import db

    with app.app_context():
        s = db.session
        account = s.scalars(select(Account)).first()
        if account is None:
            account = Account(id_number="079199000001", full_name="Test", phone="+84912345678",
                              password_hash="!", created_at=clock.now(), password_changed_at=clock.now())
            s.add(account)
            s.flush()
        rows_ending_at(s, account, clock.now() - timedelta(days=90))
        s.add(QrLoginTx(id=uid(), version=1, state="pending", data={},
                        expires_at=clock.now() - timedelta(hours=2)))
        s.commit()
        db.session.remove()


def _table_counts(app: Any) -> dict[str, int]:
    from eid.web.db import db

    with app.app_context():
        out = counts(db.session)
        out["qr_login_tx"] = db.session.scalar(select(func.count()).select_from(QrLoginTx)) or 0
        db.session.remove()
    return out


def test_flask_purge_deletes_expired_rows_including_qr_logins(app, clock):
    _seed_expired(app, clock)
    assert _table_counts(app)["qr_login_tx"] == 1
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "qr_login_tx: 1" in result.output and "captcha_challenge: 1" in result.output
    left = _table_counts(app)
    assert left["qr_login_tx"] == 0 and left["captcha_challenge"] == 0 and left["otp_challenge"] == 0


def test_the_periodic_job_is_off_in_tests_unless_asked(app):
    assert app.config["PURGE_INTERVAL_SECONDS"] == 0
    assert "eid.purge_job" not in app.extensions


def test_the_periodic_job_purges_in_the_background(db_path, tmp_path, clock):
    from eid.app import create_app
    from tests.conftest import make_env

    app = create_app(make_env(f"sqlite:///{db_path}", tmp_path, EID_PURGE_INTERVAL_SECONDS="1"),
                     clock=clock)
    job = app.extensions["eid.purge_job"]
    _seed_expired(app, clock)
    app.test_client().get("/healthz")  # the first request starts this process's job
    app.test_client().get("/healthz")  # (once)
    deadline = time.monotonic() + 10
    while _table_counts(app)["captcha_challenge"] and time.monotonic() < deadline:
        time.sleep(0.05)
    job.stop.set()
    left = _table_counts(app)
    assert left["captcha_challenge"] == 0 and left["qr_login_tx"] == 0 and job.runs >= 1
