"""Sign-in (eid.accounts.signin + throttle): password, OTP, session, lockout, notices."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from eid.accounts import signin
from eid.accounts.context import Client, Settings
from eid.accounts.errors import AccountLocked, InvalidCredentials, InvalidInput, OtpExpired, OtpInvalid
from eid.accounts.passwords import Hasher
from eid.models.accounts import KnownBrowser, OtpChallenge, Throttle, WebSession
from tests.accounts.conftest import CLIENT
from tests.accounts.support import STRONG, add_account, demo, wrong_code

WRONG = "Wrong#Pass1"


def signed_in(svc, outbox, d):  # type: ignore[no-untyped-def]
    issued = signin.start(svc(), d.person.id_number, STRONG)
    return signin.confirm(svc(), issued.challenge_id, outbox.last_code(d.phone))


def test_password_then_code_opens_a_web_session(svc, session, outbox, audit, clock):
    d = demo(20)
    account = add_account(svc(), d)
    issued = signin.start(svc(), d.person.id_number, STRONG)
    assert outbox.kinds() == ["otp_signin"] and outbox[0][0] == d.phone
    assert issued.masked_phone.endswith(d.phone[-3:])
    result = signin.confirm(svc(), issued.challenge_id, outbox.last_code(d.phone))
    assert result.account is account and result.new_browser is True
    row = session.scalar(select(WebSession).where(WebSession.account_id == account.id))
    assert row is result.session.session and row.kind == "web"
    assert (row.ip, row.user_agent, row.browser_id) == (CLIENT.ip, CLIENT.user_agent,
                                                        CLIENT.browser_id)
    assert row.expires_at == clock.now() + timedelta(hours=8)
    assert row.token_hash != result.session.token and len(result.session.token) >= 43
    assert session.get(OtpChallenge, issued.challenge_id).consumed_at == clock.now()
    assert audit.actions() == [("signin.password", "otp_sent"), ("signin", "ok")]
    assert audit.last("signin").details == {"method": "password+otp", "kind": "web",
                                            "new_device": True, "session_id": row.id}


def test_a_browser_seen_before_gets_no_new_device_notice(svc, session, outbox):
    d = demo(21)
    add_account(svc(), d)
    first = signed_in(svc, outbox, d)
    second = signed_in(svc, outbox, d)
    assert (first.new_browser, second.new_browser) == (True, False)
    assert outbox.kinds(d.phone) == ["otp_signin", "new_device_signin", "otp_signin"]
    assert len(session.scalars(select(KnownBrowser)).all()) == 1


def test_another_browser_gets_the_notice_naming_it(svc, outbox, clock):
    d = demo(22)
    add_account(svc(), d)
    signed_in(svc, outbox, d)
    firefox = Client(ip="203.0.113.50", user_agent="Mozilla/5.0 Firefox/128.0", browser_id="b-2")
    issued = signin.start(svc(client=firefox), d.person.id_number, STRONG)
    result = signin.confirm(svc(client=firefox), issued.challenge_id, outbox.last_code(d.phone))
    assert result.new_browser is True
    notice = outbox.to(d.phone)[-1]
    assert notice[2] == "new_device_signin"
    assert "Firefox" in notice[1] and clock.now().strftime("%H:%M %d/%m/%Y") in notice[1]


def test_a_client_without_a_browser_id_always_counts_as_new(svc, outbox):
    d = demo(23)
    add_account(svc(), d)
    anonymous = Client(ip=CLIENT.ip, user_agent="eid-phone/1.0")
    for _ in range(2):
        issued = signin.start(svc(client=anonymous), d.person.id_number, STRONG)
        assert signin.confirm(svc(client=anonymous), issued.challenge_id,
                              outbox.last_code(d.phone)).new_browser is True
    assert outbox.kinds().count("new_device_signin") == 2


@pytest.mark.parametrize("who", ["wrong_password", "unknown_id", "unknown_cmnd"])
def test_wrong_password_and_unknown_id_get_one_answer(svc, outbox, audit, who):
    d = demo(24)
    add_account(svc(), d)
    id_number, password = {"wrong_password": (d.person.id_number, WRONG),
                           "unknown_id": ("079199000123", STRONG),
                           "unknown_cmnd": ("123456789", STRONG)}[who]
    with pytest.raises(InvalidCredentials) as info:
        signin.start(svc(), id_number, password)
    assert (info.value.error, info.value.status) == ("invalid_credentials", 401)
    assert info.value.detail_message == "Wrong ID number or password."
    assert info.value.details == {"attempts_left": 4}
    assert outbox == []
    assert audit.actions() == [("signin.password", "failed")]


def test_failures_count_down_then_lock_even_the_right_password(svc, outbox, audit):
    d = demo(25)
    add_account(svc(), d)
    left = []
    for _ in range(5):
        with pytest.raises(InvalidCredentials) as info:
            signin.start(svc(), d.person.id_number, WRONG)
        left.append(info.value.details["attempts_left"])
    assert left == [4, 3, 2, 1, 0]
    with pytest.raises(AccountLocked) as info:
        signin.start(svc(), d.person.id_number, STRONG)
    assert (info.value.error, info.value.status) == ("account_locked", 423)
    assert info.value.details["retry_after"] == 60 + 1  # the first delay (login_backoff_seconds)
    assert outbox == []


@pytest.mark.parametrize("seconds,locked", [(59, True), (60, False)])
def test_the_lock_lasts_the_lock_time_from_the_last_failure(svc, outbox, clock, seconds, locked):
    d = demo(26)
    add_account(svc(), d)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            signin.start(svc(), d.person.id_number, WRONG)
    clock.advance(seconds=seconds)
    if locked:
        with pytest.raises(AccountLocked):
            signin.start(svc(), d.person.id_number, STRONG)
    else:
        signin.start(svc(), d.person.id_number, STRONG)
        assert outbox.kinds() == ["otp_signin"]


def test_an_unknown_id_locks_exactly_like_a_real_one(svc):
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            signin.start(svc(), "079199000123", WRONG)
    with pytest.raises(AccountLocked):
        signin.start(svc(), "079199000123", WRONG)


def test_a_success_clears_the_accounts_failure_count(svc, session, outbox):
    d = demo(27)
    add_account(svc(), d)
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            signin.start(svc(), d.person.id_number, WRONG)
    signin.start(svc(), d.person.id_number, STRONG)
    with pytest.raises(InvalidCredentials) as info:
        signin.start(svc(), d.person.id_number, WRONG)
    assert info.value.details["attempts_left"] == 4


def test_an_ip_failing_for_many_ids_locks_no_other_id(svc, outbox):
    d = demo(28)
    add_account(svc(), d)
    for n in range(20):  # four times the per-account limit, spread over IDs
        with pytest.raises(InvalidCredentials):
            signin.start(svc(), f"0791990{n:05d}", WRONG)
    signin.start(svc(), d.person.id_number, STRONG)  # per-IP limits are the web layer's, not a lock
    assert outbox.kinds() == ["otp_signin"]
    outbox.clear()
    elsewhere = Client(ip="192.0.2.99", browser_id="b-9")
    signin.start(svc(client=elsewhere), d.person.id_number, STRONG)
    assert outbox.kinds() == ["otp_signin"]


def test_the_limits_come_from_the_settings(svc, session):
    settings = Settings(login_max_failures=2, login_lock_seconds=60)
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            signin.start(svc(settings=settings), "079199000123", WRONG)
    with pytest.raises(AccountLocked) as info:
        signin.start(svc(settings=settings), "079199000123", WRONG)
    assert info.value.details["retry_after"] == 61
    assert all(":" in row.key and "079199000123" not in row.key
               for row in session.scalars(select(Throttle)))  # keys are hashed


def test_the_old_cmnd_number_signs_in_when_the_register_knows_it(svc, outbox):
    d = next(demo(n) for n in range(1, 51) if demo(n).person.old_id_number)
    add_account(svc(), d)
    signin.start(svc(), d.person.old_id_number, STRONG)
    assert outbox.kinds(d.phone) == ["otp_signin"]


@pytest.mark.parametrize("password", ["!", "", STRONG])
def test_an_account_without_a_password_cannot_sign_in_with_one(svc, password):
    d = demo(29)
    add_account(svc(), d).password_hash = "!"  # a mobile sign-in or dependent account
    with pytest.raises(InvalidCredentials):
        signin.check_password(svc(), d.person.id_number, password)


def test_a_hash_made_with_weaker_parameters_is_upgraded_at_sign_in(svc, hasher):
    d = demo(30)
    account = add_account(svc(), d)
    account.password_hash = Hasher(time_cost=1, memory_cost=512, parallelism=1).hash(STRONG)
    signin.check_password(svc(), d.person.id_number, STRONG)
    assert not hasher.needs_rehash(account.password_hash)
    hasher.verify(account.password_hash, STRONG)


def test_a_wrong_code_does_not_open_a_session(svc, session, outbox):
    d = demo(31)
    add_account(svc(), d)
    issued = signin.start(svc(), d.person.id_number, STRONG)
    with pytest.raises(OtpInvalid):
        signin.confirm(svc(), issued.challenge_id, wrong_code(outbox.last_code(d.phone)))
    assert session.scalars(select(WebSession)).all() == []


def test_one_code_opens_one_session(svc, session, outbox):
    d = demo(32)
    add_account(svc(), d)
    issued = signin.start(svc(), d.person.id_number, STRONG)
    signin.confirm(svc(), issued.challenge_id, outbox.last_code(d.phone))
    with pytest.raises(OtpExpired):
        signin.confirm(svc(), issued.challenge_id, outbox.last_code(d.phone))
    assert len(session.scalars(select(WebSession)).all()) == 1


def test_the_app_sign_in_returns_the_account_for_its_tokens(svc, session, outbox, audit):
    d = demo(33)
    account = add_account(svc(), d)
    issued = signin.start(svc(), d.person.id_number, STRONG)
    assert signin.confirm_app(svc(), issued.challenge_id, outbox.last_code(d.phone)) is account
    assert session.scalars(select(WebSession)).all() == []
    assert audit.last("signin").details == {"method": "password+otp", "kind": "app"}


@pytest.mark.parametrize("data,fields", [
    ({"id_number": "", "password": "x"}, {"id_number": "id_number_required"}),
    ({"id_number": "12", "password": "x"}, {"id_number": "id_number_invalid"}),
    ({"id_number": "079199000123"}, {"password": "password_required"}),
    ({}, {"id_number": "id_number_required", "password": "password_required"}),
])
def test_bad_credentials_forms_name_each_field(data, fields):
    with pytest.raises(InvalidInput) as info:
        signin.parse_credentials(data)
    assert info.value.details["fields"] == fields


def test_a_good_credentials_form_is_normalised():
    assert signin.parse_credentials({"id_number": " 079199000123 ", "password": " p "}) == (
        "079199000123", " p ")


def test_a_redeemed_qr_approval_opens_a_qr_session(svc, session, outbox, audit):
    d = demo(34)
    account = add_account(svc(), d)
    result = signin.open_qr_session(svc(), account.id, tx_id="tx-0001", device_id=70)
    assert result.account.id == account.id and result.session.session.kind == "qr"
    assert audit.last("signin").details["method"] == "qr"
    assert audit.last("signin.qr").details == {"tx": "tx-0001", "device_id": 70,
                                               "session_id": result.session.session.id}


@pytest.mark.parametrize("case", ["web_login_off", "account_gone", "no_account"])
def test_a_qr_approval_opens_nothing_for_an_account_without_web_sign_in(svc, session, case):
    from eid.accounts.errors import Forbidden

    account = add_account(svc(), demo(35))
    account.web_login_enabled = case != "web_login_off"
    account_id = {"web_login_off": account.id, "account_gone": 999_999, "no_account": None}[case]
    with pytest.raises(Forbidden):
        signin.open_qr_session(svc(), account_id, tx_id="tx-0002", device_id=70)
    assert session.scalars(select(WebSession)).all() == []
