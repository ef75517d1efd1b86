"""Forgot password and change password (eid.accounts.recovery)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from eid.accounts import recovery, sessions, tokens
from eid.accounts.context import Settings
from eid.accounts.errors import (
    InvalidCredentials,
    InvalidInput,
    OtpExpired,
    OtpInvalid,
    SessionExpired,
    WeakPassword,
)
from eid.models.accounts import OtpChallenge, WebSession
from eid.models.devices import TokenFamily
from tests.accounts.support import OTHER_STRONG, STRONG, add_account, demo


def reset_verified(svc, outbox, d):  # type: ignore[no-untyped-def]
    issued = recovery.start(svc(), d.person.id_number, d.phone)
    recovery.confirm_otp(svc(), issued.challenge_id, outbox.last_code(d.phone))
    return issued.challenge_id


def test_forgot_password_sets_a_new_one_and_ends_every_sign_in(svc, session, outbox, audit, clock,
                                                                 hasher):
    d = demo(29)
    account = add_account(svc(), d)
    web = sessions.create(svc(), account)
    app = tokens.issue(svc(), account, None)
    clock.advance(minutes=1)
    cid = reset_verified(svc, outbox, d)
    assert recovery.complete(svc(), cid, OTHER_STRONG, OTHER_STRONG) is account
    hasher.verify(account.password_hash, OTHER_STRONG)
    with pytest.raises(InvalidCredentials):
        hasher.verify(account.password_hash, STRONG)
    assert account.password_changed_at == clock.now()
    assert outbox.kinds(d.phone) == ["otp_reset", "password_changed"]
    assert (web.session.revoked_at, web.session.revoked_reason) == (clock.now(), "password_reset")
    session.refresh(app.family)
    assert app.family.revoked_reason == "password_reset"
    with pytest.raises(SessionExpired):
        tokens.authenticate(svc(), app.access_token)
    assert session.get(OtpChallenge, cid).consumed_at == clock.now()
    assert audit.actions() == [("password.reset_start", "otp_sent"), ("password.reset", "ok")]
    assert audit.last("password.reset").details == {"sessions_ended": 2}


@pytest.mark.parametrize("mismatch", ["other_phone", "unknown_id", "no_account_yet"])
def test_a_mismatch_answers_like_a_match_but_sends_nothing(svc, session, outbox, audit, mismatch):
    d, other = demo(30), demo(31)
    add_account(svc(), d)
    add_account(svc(), other)
    id_number, phone = {"other_phone": (d.person.id_number, other.phone),
                        "unknown_id": ("079199000123", d.phone),
                        "no_account_yet": (demo(32).person.id_number, demo(32).phone)}[mismatch]
    issued = recovery.start(svc(), id_number, phone)
    assert outbox == []
    assert session.get(OtpChallenge, issued.challenge_id).phone is None
    assert audit.actions() == [("password.reset_start", "refused")]
    with pytest.raises(OtpInvalid):
        recovery.confirm_otp(svc(), issued.challenge_id, "000000")


def test_the_old_cmnd_number_recovers_the_account(svc, outbox):
    d = next(demo(n) for n in range(1, 51) if demo(n).person.old_id_number)
    add_account(svc(), d)
    recovery.start(svc(), d.person.old_id_number, d.phone)
    assert outbox.kinds(d.phone) == ["otp_reset"]


@pytest.mark.parametrize("data,fields", [
    ({}, {"id_number": "id_number_required", "phone": "phone_required"}),
    ({"id_number": "1", "phone": "0901"}, {"id_number": "id_number_invalid",
                                           "phone": "phone_invalid"}),
])
def test_a_bad_forgot_password_form_names_each_field(data, fields):
    with pytest.raises(InvalidInput) as info:
        recovery.parse_request(data)
    assert info.value.details["fields"] == fields


def test_the_forgot_password_form_takes_a_national_phone_number():
    d = demo(33)
    national = "0" + d.phone[3:]
    assert recovery.parse_request({"id_number": d.person.id_number, "phone": national}) == (
        d.person.id_number, d.phone)


@pytest.mark.parametrize("password,confirm,error", [
    ("Short1!", "Short1!", WeakPassword), (OTHER_STRONG, OTHER_STRONG + "x", InvalidInput),
])
def test_a_refused_new_password_changes_and_ends_nothing(svc, session, outbox, hasher, password,
                                                         confirm, error):
    d = demo(34)
    account = add_account(svc(), d)
    web = sessions.create(svc(), account)
    cid = reset_verified(svc, outbox, d)
    with pytest.raises(error):
        recovery.complete(svc(), cid, password, confirm)
    hasher.verify(account.password_hash, STRONG)
    assert web.session.revoked_at is None
    assert outbox.kinds(d.phone) == ["otp_reset"]
    recovery.complete(svc(), cid, OTHER_STRONG, OTHER_STRONG)  # the code is still good


def test_the_new_password_is_checked_against_the_persons_details(svc, outbox):
    d = demo(35)
    add_account(svc(), d)
    cid = reset_verified(svc, outbox, d)
    pw = f"Aa#{d.person.id_number}"
    with pytest.raises(WeakPassword) as info:
        recovery.complete(svc(), cid, pw, pw)
    assert "contains_personal" in info.value.details["reasons"]


def test_the_reset_needs_the_confirmed_code(svc, outbox):
    d = demo(36)
    add_account(svc(), d)
    issued = recovery.start(svc(), d.person.id_number, d.phone)
    with pytest.raises(OtpExpired):
        recovery.complete(svc(), issued.challenge_id, OTHER_STRONG, OTHER_STRONG)


def test_a_reset_code_is_used_once(svc, outbox):
    d = demo(37)
    add_account(svc(), d)
    cid = reset_verified(svc, outbox, d)
    recovery.complete(svc(), cid, OTHER_STRONG, OTHER_STRONG)
    with pytest.raises(OtpExpired):
        recovery.complete(svc(), cid, STRONG, STRONG)


def test_a_signup_code_does_not_reset_a_password(svc, outbox):
    from eid.accounts import otp

    d = demo(38)
    account = add_account(svc(), d)
    issued = otp.issue(svc(), "signup", d.person.id_number, d.phone, {"account_id": account.id})
    with pytest.raises(OtpExpired):
        recovery.confirm_otp(svc(), issued.challenge_id, outbox.last_code(d.phone))


def test_forgot_password_is_rate_limited_per_id_and_per_phone(svc):
    calls = []

    class Recording:
        def hit(self, scope: str, key: str, limit: str) -> None:
            calls.append((scope, key, limit))

    d = demo(39)
    settings = Settings(rate_limits={"reset_per_id": "5/hour", "reset_per_phone": "3/hour"})
    recovery.start(svc(limiter=Recording(), settings=settings), d.person.id_number, d.phone)
    assert calls == [("reset_id", d.person.id_number, "5/hour"),
                     ("reset_phone", d.phone, "3/hour")]


def test_changing_the_password_ends_every_other_sign_in(svc, session, outbox, audit, hasher):
    d = demo(40)
    account = add_account(svc(), d)
    here, elsewhere = sessions.create(svc(), account), sessions.create(svc(), account)
    this_phone, other_app = tokens.issue(svc(), account, None), tokens.issue(svc(), account, None)
    ended = recovery.change(svc(), account, STRONG, OTHER_STRONG, OTHER_STRONG,
                            keep_session_id=here.session.id, keep_family_id=this_phone.family.id)
    assert ended == 2
    hasher.verify(account.password_hash, OTHER_STRONG)
    live = session.scalars(select(WebSession).where(WebSession.revoked_at.is_(None))).all()
    assert live == [here.session]
    assert elsewhere.session.revoked_reason == "password_changed"
    families = session.scalars(select(TokenFamily).where(TokenFamily.revoked_at.is_(None))).all()
    assert families == [this_phone.family]
    with pytest.raises(SessionExpired):
        tokens.authenticate(svc(), other_app.access_token)
    assert outbox.kinds(d.phone) == ["password_changed"]
    assert audit.last("password.change").details == {"sessions_ended": 2}


def test_a_wrong_current_password_changes_nothing(svc, outbox, audit, hasher):
    d = demo(41)
    account = add_account(svc(), d)
    web = sessions.create(svc(), account)
    with pytest.raises(InvalidInput) as info:
        recovery.change(svc(), account, "Not-the#1", OTHER_STRONG, OTHER_STRONG, keep_session_id=None)
    assert info.value.details["fields"] == {"current": "password_wrong"}
    hasher.verify(account.password_hash, STRONG)
    assert web.session.revoked_at is None and outbox == []
    assert audit.actions() == [("password.change", "wrong_current")]


def test_changing_without_keeping_a_session_ends_them_all(svc, session):
    d = demo(42)
    account = add_account(svc(), d)
    sessions.create(svc(), account)
    tokens.issue(svc(), account, None)
    assert recovery.change(svc(), account, STRONG, OTHER_STRONG, OTHER_STRONG,
                           keep_session_id=None) == 2
