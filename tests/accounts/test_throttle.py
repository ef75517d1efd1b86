"""Escalation instead of a lock (eid.accounts.throttle through signin and recovery):
a stranger's guesses delay strangers, never the owner's known browser; guessing
stays bounded (at most ``login_hard_limit`` consecutive failures per pool)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eid.accounts import recovery, signin, throttle
from eid.accounts.context import Client, Settings
from eid.accounts.errors import AccountLocked, InvalidCredentials, InvalidInput
from eid.models.accounts import Throttle
from tests.accounts.support import OTHER_STRONG, STRONG, add_account, demo

WRONG = "Wrong#Pass1"
OWNER = Client(ip="198.51.100.7", user_agent="Mozilla/5.0 Chrome/126.0", browser_id="owner-laptop")
STRANGER = Client(ip="203.0.113.66", user_agent="curl/8.0", browser_id="stranger-browser")
FAST = Settings(login_max_failures=5, login_backoff_seconds=60, login_lock_seconds=900,
                login_hard_limit=12)


def owner_signed_in_before(svc, outbox, d):  # type: ignore[no-untyped-def]
    """The owner's laptop signed in once (password + OTP), so it is a known browser."""
    issued = signin.start(svc(client=OWNER), d.person.id_number, STRONG)
    signin.confirm(svc(client=OWNER), issued.challenge_id, outbox.last_code(d.phone))
    outbox.clear()


DEFAULTS = Settings()


def guess(svc, clock, id_number, *, client=STRANGER, settings=DEFAULTS, password=WRONG,  # type: ignore[no-untyped-def]
          wait=True):
    """One wrong guess, first waiting out any delay (as a patient attacker does).
    Returns the error the guess got."""
    try:
        signin.check_password(svc(client=client, settings=settings), id_number, password)
    except AccountLocked as exc:
        if not wait or "retry_after" not in exc.details:
            return exc
        clock.advance(seconds=exc.details["retry_after"])
        return guess(svc, clock, id_number, client=client, settings=settings, password=password,
                     wait=False)
    except InvalidCredentials as exc:
        return exc
    raise AssertionError("the guess was accepted")


def test_a_strangers_five_guesses_leave_the_owners_known_browser_signing_in(svc, outbox, clock):
    d = demo(1)
    add_account(svc(), d)
    owner_signed_in_before(svc, outbox, d)
    for _ in range(5):
        assert isinstance(guess(svc, clock, d.person.id_number, wait=False), InvalidCredentials)
    with pytest.raises(AccountLocked):  # the stranger (and any new browser) now waits
        signin.start(svc(client=STRANGER), d.person.id_number, STRONG)
    signin.start(svc(client=OWNER), d.person.id_number, STRONG)  # the owner does not
    assert outbox.kinds(d.phone) == ["otp_signin"]


def test_the_owner_behind_the_strangers_address_is_not_locked_either(svc, outbox, clock):
    d = demo(2)
    add_account(svc(), d)
    owner_signed_in_before(svc, outbox, d)
    same_nat = Client(ip=OWNER.ip, user_agent="curl/8.0", browser_id="stranger-on-the-same-wifi")
    for _ in range(20):
        guess(svc, clock, d.person.id_number, client=same_nat, wait=False)
    signin.start(svc(client=OWNER), d.person.id_number, STRONG)
    assert outbox.kinds(d.phone) == ["otp_signin"]


def test_the_waits_grow_from_the_first_delay_to_the_longest(svc, clock):
    d = demo(3)
    add_account(svc(), d)
    waits = []
    for _ in range(10):
        guess(svc, clock, d.person.id_number)
        try:
            throttle.check(svc(), throttle.subject_prefix(d.person.id_number))
            waits.append(0)
        except AccountLocked as exc:
            waits.append(exc.details["retry_after"])
    assert waits == [0, 0, 0, 0, 61, 121, 241, 481, 901, 901]


def test_a_delayed_attempt_is_refused_before_the_password_is_checked(svc, clock, audit):
    d = demo(4)
    add_account(svc(), d)
    for _ in range(5):
        guess(svc, clock, d.person.id_number, wait=False)
    with pytest.raises(AccountLocked):
        signin.check_password(svc(client=STRANGER), d.person.id_number, STRONG)
    assert audit.actions()[-1] == ("signin.password", "throttled")
    row = svc().session.scalar(select(Throttle).where(Throttle.key == throttle.subject_prefix(
        d.person.id_number)))
    assert row is not None and row.failures == 5  # the refused attempt counted nothing


def test_guessing_stops_at_the_hard_limit_however_long_the_attacker_waits(svc, clock, outbox):
    d = demo(5)
    add_account(svc(), d)
    owner_signed_in_before(svc, outbox, d)
    answers = [guess(svc, clock, d.person.id_number, settings=FAST) for _ in range(FAST.login_hard_limit + 3)]
    assert all(isinstance(a, InvalidCredentials) for a in answers[:FAST.login_hard_limit])
    blocked = answers[FAST.login_hard_limit:]
    assert all(isinstance(a, AccountLocked) and a.details == {"blocked": True} for a in blocked)
    clock.advance(days=7)
    with pytest.raises(AccountLocked) as info:  # the right password no longer helps a stranger
        signin.check_password(svc(client=STRANGER, settings=FAST), d.person.id_number, STRONG)
    assert "QR code" in info.value.detail_message and "reset" in info.value.detail_message
    signin.start(svc(client=OWNER, settings=FAST), d.person.id_number, STRONG)  # the owner's way in
    assert outbox.kinds(d.phone) == ["otp_signin"]


def test_the_default_hard_limit_is_nist_s_one_hundred(svc, clock):
    d = demo(6)
    add_account(svc(), d)
    assert Settings().login_hard_limit == 100
    fast = Settings(login_backoff_seconds=1, login_lock_seconds=1)
    answers = [guess(svc, clock, d.person.id_number, settings=fast) for _ in range(101)]
    assert sum(isinstance(a, InvalidCredentials) for a in answers) == 100
    assert isinstance(answers[-1], AccountLocked) and answers[-1].details.get("blocked")


def test_a_known_browser_guessing_has_its_own_bounded_pool(svc, clock, outbox):
    d = demo(7)
    add_account(svc(), d)
    owner_signed_in_before(svc, outbox, d)
    answers = [guess(svc, clock, d.person.id_number, client=OWNER, settings=FAST)
               for _ in range(FAST.login_hard_limit + 1)]
    assert isinstance(answers[-1], AccountLocked) and answers[-1].details.get("blocked")
    signin.start(svc(client=Client(ip="192.0.2.8", browser_id="new-phone-browser"), settings=FAST),
                 d.person.id_number, STRONG)  # the stranger pool was never touched
    assert outbox.kinds(d.phone) == ["otp_signin"]


def test_the_old_cmnd_and_the_cccd_share_one_pool(svc, clock):
    d = next(demo(n) for n in range(1, 51) if demo(n).person.old_id_number)
    add_account(svc(), d)
    for _ in range(5):
        guess(svc, clock, d.person.old_id_number, wait=False)
    assert isinstance(guess(svc, clock, d.person.id_number, wait=False), AccountLocked)


def test_a_password_reset_by_otp_empties_every_pool(svc, clock, outbox):
    d = demo(8)
    add_account(svc(), d)
    for _ in range(FAST.login_hard_limit):
        guess(svc, clock, d.person.id_number, settings=FAST)
    issued = recovery.start(svc(), d.person.id_number, d.phone)
    recovery.confirm_otp(svc(), issued.challenge_id, outbox.last_code(d.phone))
    recovery.complete(svc(), issued.challenge_id, OTHER_STRONG, OTHER_STRONG)
    signin.start(svc(client=STRANGER, settings=FAST), d.person.id_number, OTHER_STRONG)
    assert outbox.kinds(d.phone)[-1] == "otp_signin"


def test_failures_are_forgotten_after_the_memory_time(svc, clock, session):
    d = demo(9)
    add_account(svc(), d)
    settings = Settings(login_failure_memory_seconds=3600)
    for _ in range(5):
        guess(svc, clock, d.person.id_number, settings=settings, wait=False)
    clock.advance(seconds=3600)
    err = guess(svc, clock, d.person.id_number, settings=settings, wait=False)
    assert isinstance(err, InvalidCredentials) and err.details["attempts_left"] == 4
    clock.advance(days=2, seconds=1)  # (the table's rows are kept two days at least)
    assert throttle.purge(session, now=clock.now(), settings=settings) == 1
    assert session.scalar(select(func.count()).select_from(Throttle)) == 0


# -- change password (signed in) ---------------------------------------------

def test_change_password_escalates_like_sign_in(svc, clock, outbox):
    d = demo(10)
    account = add_account(svc(), d)
    answers = []
    for _ in range(12):  # the review's 12 wrong current passwords
        try:
            recovery.change(svc(), account, "Not-the#1", OTHER_STRONG, OTHER_STRONG, keep_session_id=None)
        except (InvalidInput, AccountLocked) as exc:
            answers.append(exc.error)
    assert answers == ["invalid_input"] * 5 + ["account_locked"] * 7
    with pytest.raises(AccountLocked) as info:  # even the right one waits
        recovery.change(svc(), account, STRONG, OTHER_STRONG, OTHER_STRONG, keep_session_id=None)
    assert info.value.details["retry_after"] == 61
    clock.advance(seconds=61)
    recovery.change(svc(), account, STRONG, OTHER_STRONG, OTHER_STRONG, keep_session_id=None)
    assert outbox.kinds(d.phone) == ["password_changed"]


def test_change_password_guessing_stops_at_the_hard_limit(svc, clock):
    d = demo(11)
    account = add_account(svc(), d)
    wrong = 0
    for _ in range(3 * FAST.login_hard_limit):  # bounded: wrong guesses and waits
        try:
            recovery.change(svc(settings=FAST), account, "Not-the#1", OTHER_STRONG, OTHER_STRONG,
                            keep_session_id=None)
        except InvalidInput:
            wrong += 1
        except AccountLocked as exc:
            if "retry_after" not in exc.details:
                refused = exc
                break
            clock.advance(seconds=exc.details["retry_after"])
    else:
        raise AssertionError("change password never stopped the guessing")
    assert wrong == FAST.login_hard_limit
    assert refused.details == {"blocked": True} and "Reset your password" in refused.detail_message
    with pytest.raises(AccountLocked):
        recovery.change(svc(settings=FAST), account, STRONG, OTHER_STRONG, OTHER_STRONG,
                        keep_session_id=None)


def test_change_password_failures_are_the_accounts_own(svc, clock, outbox):
    d = demo(12)
    account = add_account(svc(), d)
    for _ in range(5):
        with pytest.raises(InvalidInput):
            recovery.change(svc(), account, "Not-the#1", OTHER_STRONG, OTHER_STRONG, keep_session_id=None)
    signin.start(svc(), d.person.id_number, STRONG)  # sign-in is not delayed by them
    assert outbox.kinds(d.phone) == ["otp_signin"]


# -- one argon2 verification on every path (the timing oracle) ----------------

@pytest.fixture
def argon2_runs(monkeypatch):  # type: ignore[no-untyped-def]
    """Counts the argon2 computations (not the calls that fail before hashing)."""
    import argon2._password_hasher as ph

    runs = []
    real = ph.verify_secret

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ph, "verify_secret", counting)
    return runs


@pytest.mark.parametrize("case", ["right_password", "wrong_password", "unknown_id",
                                  "no_password_account", "empty_hash", "unknown_cmnd"])
def test_every_password_check_spends_one_argon2_verification(svc, argon2_runs, case):
    d = demo(13)
    account = add_account(svc(), d)
    if case == "no_password_account":
        account.password_hash = "!"  # made by mobile sign-in, or a dependent
    if case == "empty_hash":
        account.password_hash = ""
    id_number, password = {"unknown_id": ("079199000123", STRONG),
                           "unknown_cmnd": ("123456789", STRONG),
                           "wrong_password": (d.person.id_number, WRONG)}.get(
        case, (d.person.id_number, STRONG))
    s = svc()
    argon2_runs.clear()
    try:
        signin.check_password(s, id_number, password)
    except InvalidCredentials:
        assert case != "right_password"
    assert len(argon2_runs) == 1


def test_the_delays_never_overflow(svc):
    assert throttle.delay(Settings(), 10**6) == timedelta(seconds=Settings().login_lock_seconds)
    assert throttle.delay(Settings(), 4) == timedelta(0)
