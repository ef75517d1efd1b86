"""The one sender for SMS and e-mail (eid.accounts.messaging): per-challenge cooldown,
caps per number, per number block, per country and in total, decoys charged alike,
notices never refused."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from eid.accounts import (
    app_registration,
    devices,
    messaging,
    mobile_signin,
    otp,
    recovery,
    signin,
    signup,
)
from eid.accounts.context import Settings
from eid.accounts.errors import ResendTooSoon, SmsCapReached
from eid.models.accounts import OtpChallenge
from tests.accounts.limits import WindowLimiter
from tests.accounts.support import STRONG, add_account, demo

#: the shape of eid.web.ratelimit.DEFAULT_LIMITS for the sender's budgets, small enough to reach
LIMITS = {"sms_per_phone": "3/hour;5/day", "sms_per_prefix": "50/hour", "sms_per_country": "50/hour",
          "sms_global": "100/hour", "mail_per_address": "2/hour", "mail_global": "100/hour",
          "notice_per_recipient": "2/hour"}
D = demo(1)
UK_MOBILE = "+447400123456"


@pytest.fixture
def limited(svc: Any, clock: Any) -> Any:
    """``limited(**limits)``: the Services of one request with these budgets counted by the
    frozen clock (one limiter for the whole test, as the shared storage is)."""
    limiter = WindowLimiter(clock)

    def make(**limits: str) -> Any:
        return svc(limiter=limiter, settings=Settings(rate_limits={**LIMITS, **limits}))

    make.limiter = limiter  # type: ignore[attr-defined]
    return make


def challenges(session: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(OtpChallenge)))


def code_to(svc: Any, phone: str, *, decoy: bool = False) -> otp.Issued:
    return otp.issue(svc, "generic", D.person.id_number, None if decoy else phone, {"phone": phone})


def test_a_number_gets_at_most_its_hourly_cap_then_a_clear_refusal(limited, outbox, session):
    for _ in range(3):
        code_to(limited(), D.phone)
    before = challenges(session)
    with pytest.raises(SmsCapReached) as info:
        code_to(limited(), D.phone)
    assert (info.value.error, info.value.status) == ("sms_cap_reached", 429)
    assert info.value.details["retry_after"] == 3601
    assert "QR code" in info.value.detail_message and "60 minute(s)" in info.value.detail_message
    assert len(outbox.to(D.phone)) == 3 and challenges(session) == before  # nothing written


def test_the_hourly_cap_refills_and_the_daily_cap_holds(limited, outbox, clock):
    sent = 0
    for _hour in range(3):
        for _ in range(3):
            try:
                code_to(limited(), D.phone)
                sent += 1
            except SmsCapReached:
                break
        clock.advance(hours=1)
    assert sent == 5 and len(outbox.to(D.phone)) == 5
    clock.advance(hours=21)
    code_to(limited(), D.phone)
    assert len(outbox.to(D.phone)) == 6


def test_numbers_of_one_block_share_a_cap_and_other_blocks_do_not(limited, outbox):
    block = D.phone[:-4]
    for n in range(2):
        code_to(limited(sms_per_prefix="2/hour"), f"{block}{n:04d}")
    with pytest.raises(SmsCapReached, match="numbers like this one"):
        code_to(limited(sms_per_prefix="2/hour"), f"{block}0009")
    other = f"{block[:-1]}{(int(block[-1]) + 1) % 10}0000"
    code_to(limited(sms_per_prefix="2/hour"), other)
    assert len(outbox) == 3
    assert messaging.number_block(D.phone) == ("84", block)


def test_a_foreign_country_has_a_small_cap_and_the_home_country_its_own(limited, outbox):
    caps = {"sms_per_country": "1/hour", "sms_per_country_84": "100/hour"}
    code_to(limited(**caps), UK_MOBILE)
    with pytest.raises(SmsCapReached):
        code_to(limited(**caps), UK_MOBILE[:-1] + "7")
    for n in range(3):
        code_to(limited(**caps), demo(n + 2).phone)
    assert len(outbox) == 4


def test_the_global_budget_stops_every_code(limited, outbox):
    for n in range(2):
        code_to(limited(sms_global="2/hour"), demo(n + 2).phone)
    with pytest.raises(SmsCapReached):
        code_to(limited(sms_global="2/hour"), demo(9).phone)
    assert len(outbox) == 2


def test_a_decoy_is_charged_to_the_number_typed_and_refused_like_a_real_code(limited, outbox):
    """A refusal tells nothing about whether the details matched: decoys fill the same
    counters and get the same refusal, word for word, and send nothing."""
    code_to(limited(), D.phone, decoy=True)
    code_to(limited(), D.phone, decoy=True)
    code_to(limited(), D.phone)
    refusals = []
    for decoy in (True, False):
        with pytest.raises(SmsCapReached) as info:
            code_to(limited(), D.phone, decoy=decoy)
        refusals.append((info.value.error, info.value.detail_message, info.value.details))
    assert refusals[0] == refusals[1]
    assert len(outbox.to(D.phone)) == 1


def test_a_decoy_resend_has_the_cooldown_and_the_masked_number_of_a_real_one(limited, clock, outbox):
    roomy = {"sms_per_phone": "10/hour"}
    real, decoy = code_to(limited(**roomy), D.phone), code_to(limited(**roomy), D.phone, decoy=True)
    answers = []
    for issued in (real, decoy):
        with pytest.raises(ResendTooSoon) as info:
            otp.resend(limited(**roomy), issued.challenge_id, "generic")
        answers.append(info.value.details)
    clock.advance(seconds=60)
    again = [otp.resend(limited(**roomy), i.challenge_id, "generic") for i in (real, decoy)]
    assert answers[0] == answers[1]
    assert again[0].masked_phone == again[1].masked_phone is not None
    assert again[0].resend_at == again[1].resend_at
    assert len(outbox.to(D.phone)) == 2


def test_the_e_mail_fallback_goes_at_once_then_waits_for_the_cooldown(svc, mailbox, clock):
    d = next(demo(n) for n in range(1, 51) if demo(n).person.email)
    issued, _ = mobile_signin.start(svc(), d.phone)
    mobile_signin.send_by_email(svc(), issued.challenge_id)
    with pytest.raises(ResendTooSoon) as info:
        mobile_signin.send_by_email(svc(), issued.challenge_id)
    assert info.value.details["retry_after"] == 121
    clock.advance(seconds=120)
    mobile_signin.send_by_email(svc(), issued.challenge_id)
    assert mailbox.kinds(d.person.email) == ["email_otp", "email_otp"]


def test_e_mail_codes_have_their_own_cap_per_address(limited, mailbox, clock):
    d = next(demo(n) for n in range(1, 51) if demo(n).person.email)
    sent = 0
    for _ in range(3):
        issued, _ = mobile_signin.start(limited(), d.phone)
        try:
            mobile_signin.send_by_email(limited(), issued.challenge_id)
            sent += 1
        except SmsCapReached as exc:
            assert "e-mail address" in exc.detail_message
    assert sent == 2 and len(mailbox) == 2


def test_notices_are_never_refused_and_a_flood_of_codes_cannot_silence_them(limited, outbox, audit,
                                                                             session):
    account = add_account(limited(), D)
    for _ in range(3):
        code_to(limited(), D.phone)
    signin.notify_new_device(limited(), account)
    assert outbox.kinds(D.phone)[-1] == "new_device_signin"
    signin.notify_new_device(limited(), account)
    signin.notify_new_device(limited(), account)  # past notice_per_recipient: dropped, audited
    assert outbox.kinds(D.phone).count("new_device_signin") == 2
    assert audit.actions()[-1] == ("message.notice", "dropped")


def _app_registration(svc: Any, d: Any) -> None:
    rid = app_registration.start(svc, {"id_number": d.person.id_number, "phone": d.phone}).id
    app_registration.check_qr(svc, rid, d.card_qr)
    app_registration.confirm(svc, rid)


SEND_SITES = {
    "signup.start": lambda svc, d: signup.start(svc, signup.SignupRequest(
        d.person.id_number, d.person.full_name, d.person.birth_date, d.phone, None)),
    "signup.start (decoy)": lambda svc, d: signup.start(svc, signup.SignupRequest(
        d.person.id_number, "Tên Khác", d.person.birth_date, d.phone, None)),
    "signin.start": lambda svc, d: signin.start(svc, d.person.id_number, STRONG),
    "recovery.start": lambda svc, d: recovery.start(svc, d.person.id_number, d.phone),
    "recovery.start (decoy)": lambda svc, d: recovery.start(svc, d.person.id_number, demo(9).phone),
    "mobile_signin.start": lambda svc, d: mobile_signin.start(svc, d.phone),
    "mobile_signin.start (decoy)": lambda svc, d: mobile_signin.start(svc, "+84981234567"),
    "devices.start_activation": lambda svc, d: devices.start_activation(svc, _account(svc, d)),
    "app_registration.confirm": _app_registration,
    "otp.resend": lambda svc, d: otp.resend(svc, svc.session.scalar(
        select(OtpChallenge.id).where(OtpChallenge.purpose == "generic")), "generic"),
}


def _account(svc: Any, d: Any) -> Any:
    return signin.find_account(svc, d.person.id_number)


@pytest.mark.parametrize("site", list(SEND_SITES))
def test_every_code_goes_through_the_one_sender(limited, clock, site):
    d = demo(3)
    if "signup" not in site:
        add_account(limited(), d)
    if site == "otp.resend":
        code_to(limited(), d.phone)
        clock.advance(seconds=60)
        limited.limiter.calls.clear()
    SEND_SITES[site](limited(), d)
    assert "sms_to" in limited.limiter.scopes() and "sms_all" in limited.limiter.scopes()


@pytest.mark.parametrize("site", ["notify_new_device", "password_changed", "mail"])
def test_every_notice_and_e_mail_goes_through_the_one_sender(limited, site):
    d = next(demo(n) for n in range(1, 51) if demo(n).person.email)
    account = add_account(limited(), d)
    if site == "notify_new_device":
        signin.notify_new_device(limited(), account)
    elif site == "password_changed":
        recovery.change(limited(), account, STRONG, "Hoa-Sen#2027vn", "Hoa-Sen#2027vn",
                        keep_session_id=None)
    else:
        issued, _ = mobile_signin.start(limited(), d.phone)
        mobile_signin.send_by_email(limited(), issued.challenge_id)
    assert ("mail_to" if site == "mail" else "notice") in limited.limiter.scopes()


def test_no_use_case_hands_a_message_to_a_gateway_itself():
    """Only the sender calls ``send`` on the SMS gateway or the mailer."""
    root = Path(messaging.__file__).parents[1]
    direct = re.compile(r"\b(sms|mail|sender)\.send\(")
    found = [str(p.relative_to(root)) for p in root.rglob("*.py")
             if direct.search(p.read_text(encoding="utf-8"))
             and p.name not in ("messaging.py", "sms.py")]
    assert found == []


def test_a_refused_code_leaves_the_challenge_as_it_was(limited, session, clock, outbox):
    issued = code_to(limited(sms_per_phone="1/hour"), D.phone)
    clock.advance(seconds=60)
    with pytest.raises(SmsCapReached):
        otp.resend(limited(sms_per_phone="1/hour"), issued.challenge_id, "generic")
    row = session.get(OtpChallenge, issued.challenge_id)
    assert (row.sends, row.resend_at) == (1, clock.now())
    otp.verify(limited(), issued.challenge_id, "generic", outbox.last_code(D.phone))  # old code lives
    assert row.expires_at - row.created_at == timedelta(minutes=5)
