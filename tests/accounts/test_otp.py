"""SMS one-time codes: issue, verify, attempts, expiry, resend, decoys (eid.accounts.otp)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from eid.accounts import otp
from eid.accounts.context import Client, Settings
from eid.accounts.errors import (
    OtpExpired,
    OtpGuessesExhausted,
    OtpInvalid,
    OtpTooManyAttempts,
    ResendTooSoon,
)
from eid.clock import SeededRng
from eid.models.accounts import OtpChallenge
from tests.accounts.conftest import CLIENT
from tests.accounts.support import demo, wrong_code

PHONE = demo(1).phone
SUBJECT = demo(1).person.id_number


def issue(svc, purpose="generic", phone=PHONE):  # type: ignore[no-untyped-def]
    return otp.issue(svc(), purpose, SUBJECT, phone, {"phone": phone})


@pytest.mark.parametrize("purpose,kind", [
    ("signup", "otp_signup"), ("app_signup", "otp_signup"), ("signin", "otp_signin"),
    ("mobile_signin", "otp_signin"), ("reset", "otp_reset"), ("device", "otp_device"),
    ("generic", "otp_generic"),
])
def test_a_challenge_sends_one_sms_with_a_six_digit_code_of_its_kind(svc, outbox, purpose, kind):
    issued = issue(svc, purpose)
    assert [(to, k) for to, _, k in outbox] == [(PHONE, kind)]
    code = outbox.last_code(PHONE)
    assert len(code) == 6 and code in outbox[0][1]
    otp.verify(svc(), issued.challenge_id, purpose, code)


def test_the_challenge_lives_five_minutes_and_may_be_resent_after_one(svc, clock):
    issued = issue(svc)
    assert issued.expires_at == clock.now() + timedelta(minutes=5)
    assert issued.resend_at == clock.now() + timedelta(seconds=60)
    assert issued.masked_phone == f"{'0' + PHONE[3:5]}***{PHONE[-3:]}"


def test_only_an_hmac_of_the_code_is_stored(svc, session, outbox):
    issued = issue(svc)
    code = outbox.last_code(PHONE)
    row = session.get(OtpChallenge, issued.challenge_id)
    stored = [str(getattr(row, c.key)) for c in OtpChallenge.__table__.columns]
    assert row.code_hash is not None and len(row.code_hash) == 64
    assert not any(code in value for value in stored)


def test_the_sms_is_handed_to_defer_so_it_leaves_after_the_commit(svc, outbox):
    waiting: list[Callable[[], None]] = []
    otp.issue(svc(defer=waiting.append), "signin", SUBJECT, PHONE)
    assert outbox == [] and len(waiting) == 1
    waiting[0]()
    assert outbox.kinds() == ["otp_signin"]


@pytest.mark.parametrize("locale,fragment", [("vi", "Ma xac thuc"), ("en", "verification code"),
                                             ("fr", "Ma xac thuc")])
def test_the_code_is_sent_in_the_clients_language_vietnamese_by_default(svc, outbox, locale,
                                                                           fragment):
    client = Client(ip=CLIENT.ip, user_agent=CLIENT.user_agent, locale=locale)
    otp.issue(svc(client=client), "generic", SUBJECT, PHONE)
    assert fragment in outbox[0][1]


def test_the_right_code_marks_the_challenge_verified(svc, session, outbox, clock):
    issued = issue(svc)
    ch = otp.verify(svc(), issued.challenge_id, "generic", f"  {outbox.last_code(PHONE)} ")
    assert ch.verified_at == clock.now() and ch.attempts == 0
    assert otp.require_verified(svc(), issued.challenge_id, "generic") is ch


def test_wrong_codes_are_counted_down_then_the_challenge_locks(svc, session, outbox):
    issued = issue(svc)
    left = []
    for _ in range(4):
        with pytest.raises(OtpInvalid) as info:
            otp.verify(svc(), issued.challenge_id, "generic", wrong_code(outbox.last_code(PHONE)))
        assert info.value.error == "otp_invalid"
        left.append(info.value.details["attempts_left"])
    assert left == [4, 3, 2, 1]
    with pytest.raises(OtpTooManyAttempts) as info:
        otp.verify(svc(), issued.challenge_id, "generic", wrong_code(outbox.last_code(PHONE)))
    assert info.value.error == "otp_locked" and info.value.status == 429
    with pytest.raises(OtpTooManyAttempts):
        otp.verify(svc(), issued.challenge_id, "generic", outbox.last_code(PHONE))
    row = session.get(OtpChallenge, issued.challenge_id)
    assert row.attempts == 5 and row.verified_at is None


@pytest.mark.parametrize("limit", [1, 3])
def test_the_attempt_limit_comes_from_the_settings(svc, outbox, limit):
    limited = Settings(otp_max_attempts=limit)
    issued = otp.issue(svc(settings=limited), "generic", SUBJECT, PHONE)
    for left in range(limit - 1, 0, -1):
        with pytest.raises(OtpInvalid) as info:
            otp.verify(svc(settings=limited), issued.challenge_id, "generic", "x")
        assert info.value.details["attempts_left"] == left
    with pytest.raises(OtpTooManyAttempts):
        otp.verify(svc(settings=limited), issued.challenge_id, "generic", "x")


@pytest.mark.parametrize("code", ["", "   ", "abcdef", "12345", "1234567", "٠١٢٣٤٥"])
def test_malformed_codes_are_wrong_codes(svc, code):
    issued = issue(svc)
    with pytest.raises(OtpInvalid) as info:
        otp.verify(svc(), issued.challenge_id, "generic", code)
    assert info.value.details["attempts_left"] == 4


@pytest.mark.parametrize("seconds,expired", [(299, False), (300, True), (301, True)])
def test_the_code_expires_after_five_minutes(svc, outbox, clock, seconds, expired):
    issued = issue(svc)
    clock.advance(seconds=seconds)
    if expired:
        with pytest.raises(OtpExpired) as info:
            otp.verify(svc(), issued.challenge_id, "generic", outbox.last_code(PHONE))
        assert info.value.error == "otp_expired"
    else:
        assert otp.verify(svc(), issued.challenge_id, "generic", outbox.last_code(PHONE))


@pytest.mark.parametrize("challenge_id", ["", "0" * 32, "not-a-challenge"])
def test_an_unknown_challenge_is_gone(svc, outbox, challenge_id):
    issue(svc)
    with pytest.raises(OtpExpired):
        otp.verify(svc(), challenge_id, "generic", outbox.last_code(PHONE))


@pytest.mark.parametrize("purpose", ["signin", "reset", "device"])
def test_a_challenge_confirms_only_the_flow_it_was_made_for(svc, outbox, purpose):
    issued = issue(svc, "signup")
    with pytest.raises(OtpExpired):
        otp.verify(svc(), issued.challenge_id, purpose, outbox.last_code(PHONE))


def test_a_consumed_challenge_cannot_be_verified_again(svc, outbox):
    issued = issue(svc)
    ch = otp.verify(svc(), issued.challenge_id, "generic", outbox.last_code(PHONE))
    otp.consume(svc(), ch)
    with pytest.raises(OtpExpired):
        otp.verify(svc(), issued.challenge_id, "generic", outbox.last_code(PHONE))
    with pytest.raises(OtpExpired):
        otp.require_verified(svc(), issued.challenge_id, "generic")


def test_a_challenge_not_yet_verified_is_not_accepted_for_the_final_step(svc):
    issued = issue(svc)
    with pytest.raises(OtpExpired, match="Confirm the OTP first"):
        otp.require_verified(svc(), issued.challenge_id, "generic")


def test_resend_waits_for_the_cooldown_and_says_how_long(svc, outbox, clock):
    issued = issue(svc)
    clock.advance(seconds=20)
    with pytest.raises(ResendTooSoon) as info:
        otp.resend(svc(), issued.challenge_id, "generic")
    assert info.value.error == "resend_too_soon" and info.value.details["retry_after"] == 41
    assert len(outbox) == 1


def test_a_resend_makes_a_new_code_and_kills_the_old_one(svc, outbox, clock):
    issued = issue(svc)
    old = outbox.last_code(PHONE)
    clock.advance(seconds=60)
    again = otp.resend(svc(), issued.challenge_id, "generic")
    assert again.challenge_id == issued.challenge_id and len(outbox.to(PHONE)) == 2
    assert again.expires_at == clock.now() + timedelta(minutes=5)
    new = outbox.last_code(PHONE)
    assert new != old  # the seeded rng draws another code
    with pytest.raises(OtpInvalid):
        otp.verify(svc(), issued.challenge_id, "generic", old)
    otp.verify(svc(), issued.challenge_id, "generic", new)


def test_the_resend_cooldown_grows_with_each_send(svc, clock):
    issued = issue(svc)
    clock.advance(seconds=60)
    second = otp.resend(svc(), issued.challenge_id, "generic")
    assert second.resend_at == clock.now() + timedelta(seconds=120)
    clock.advance(seconds=119)
    with pytest.raises(ResendTooSoon):
        otp.resend(svc(), issued.challenge_id, "generic")
    clock.advance(seconds=1)
    third = otp.resend(svc(), issued.challenge_id, "generic")
    assert third.resend_at == clock.now() + timedelta(seconds=180)


def test_a_resend_unlocks_a_locked_challenge_with_fresh_attempts(svc, outbox, clock):
    issued = issue(svc)
    for _ in range(5):
        with pytest.raises((OtpInvalid, OtpTooManyAttempts)):
            otp.verify(svc(), issued.challenge_id, "generic", "x")
    clock.advance(seconds=60)
    otp.resend(svc(), issued.challenge_id, "generic")
    assert otp.verify(svc(), issued.challenge_id, "generic", outbox.last_code(PHONE)).attempts == 0


def test_an_expired_code_is_renewed_by_a_resend_within_the_half_hour(svc, outbox, clock):
    issued = issue(svc)
    clock.advance(minutes=10)
    otp.resend(svc(), issued.challenge_id, "generic")
    assert otp.verify(svc(), issued.challenge_id, "generic",
                      outbox.last_code(PHONE)).verified_at == clock.now()


def test_a_flow_older_than_half_an_hour_cannot_be_renewed(svc, clock):
    issued = issue(svc)
    clock.advance(minutes=30, seconds=1)
    with pytest.raises(OtpExpired):
        otp.resend(svc(), issued.challenge_id, "generic")


def test_after_five_sends_the_flow_must_start_again(svc, outbox, clock):
    issued = issue(svc)
    for wait in (60, 120, 180, 240):
        clock.advance(seconds=wait)
        otp.resend(svc(), issued.challenge_id, "generic")
    assert len(outbox) == 5
    clock.advance(seconds=300)
    with pytest.raises(OtpExpired):
        otp.resend(svc(), issued.challenge_id, "generic")
    assert len(outbox) == 5


@pytest.mark.parametrize("challenge_id", ["", "0" * 32])
def test_resending_an_unknown_challenge_is_refused(svc, challenge_id):
    with pytest.raises(OtpExpired):
        otp.resend(svc(), challenge_id, "generic")


def test_a_decoy_sends_nothing_and_no_code_confirms_it(svc, outbox, session, clock):
    decoy = otp.issue(svc(), "signup", SUBJECT, None)
    drawn = SeededRng(1234)  # the clock's seed: replay what the decoy drew
    drawn.token_bytes(16)
    would_be = f"{drawn.randbelow(10**6):06d}"
    assert outbox == []
    assert session.get(OtpChallenge, decoy.challenge_id).code_hash is None
    with pytest.raises(OtpInvalid):
        otp.verify(svc(), decoy.challenge_id, "signup", would_be)
    clock.advance(seconds=60)
    otp.resend(svc(), decoy.challenge_id, "signup")
    assert outbox == []


def test_a_decoy_has_the_timing_and_shape_of_a_real_challenge(svc):
    real = otp.issue(svc(), "signup", SUBJECT, PHONE)
    decoy = otp.issue(svc(), "signup", SUBJECT, None)
    assert (decoy.expires_at, decoy.resend_at) == (real.expires_at, real.resend_at)
    assert len(decoy.challenge_id) == len(real.challenge_id) == 32
    # The masked phone is the caller's to show (it masks the number typed in the form).
    assert decoy.masked_phone is None and real.masked_phone is not None


def test_a_displayed_code_has_eight_digits_and_is_sent_nowhere(svc, outbox):
    issued, code = otp.issue_displayed(svc(), "transfer", SUBJECT, {"device_id": 1})
    assert outbox == [] and len(code) == 8 and code.isdigit()
    assert issued.masked_phone is None
    otp.verify(svc(), issued.challenge_id, "transfer", code)


def test_pending_challenges_are_listed_until_consumed(svc, outbox):
    first = issue(svc, "transfer")
    second = issue(svc, "transfer")
    issue(svc, "signin")
    ch = otp.verify(svc(), first.challenge_id, "transfer", outbox.codes()[0])
    otp.consume(svc(), ch)
    assert [c.id for c in otp.pending_for(svc(), SUBJECT, "transfer")] == [second.challenge_id]


# -- the budget of wrong codes per subject, across challenges ----------------

def guess_wrong(svc, issued, purpose="generic"):  # type: ignore[no-untyped-def]
    """One wrong code; the error it got."""
    with pytest.raises((OtpInvalid, OtpTooManyAttempts, OtpGuessesExhausted)) as info:
        otp.verify(svc(), issued.challenge_id, purpose, "000000x")
    return info.value


def test_new_challenges_buy_no_new_guesses(svc, outbox, clock):
    """The review's count: 5 wrong codes per code x 5 resets an hour was 125 guesses an
    hour; now 10 an hour per subject, however many challenges."""
    wrong = 0
    for _reset in range(5):
        issued = issue(svc)
        for _ in range(5):
            err = guess_wrong(svc, issued)
            if isinstance(err, OtpGuessesExhausted):
                break
            wrong += 1
    assert wrong == 9  # the 10th wrong code is counted and answered with the budget's refusal
    assert (err.error, err.status) == ("otp_guesses_exhausted", 429)
    assert err.details["retry_after"] == 3601
    assert "QR code" in err.detail_message and "60 minute(s)" in err.detail_message


def test_a_spent_budget_refuses_even_the_right_code_until_the_hour_has_passed(svc, outbox, clock):
    for _ in range(2):
        issued = issue(svc)
        errors = [guess_wrong(svc, issued) for _ in range(5)]
    assert isinstance(errors[-1], OtpGuessesExhausted)
    fresh = issue(svc)
    with pytest.raises(OtpGuessesExhausted):
        otp.verify(svc(), fresh.challenge_id, "generic", outbox.last_code(PHONE))
    clock.advance(minutes=59, seconds=59)
    fresh = issue(svc)
    with pytest.raises(OtpGuessesExhausted) as info:
        otp.verify(svc(), fresh.challenge_id, "generic", outbox.last_code(PHONE))
    assert info.value.details["retry_after"] == 2
    clock.advance(seconds=1)
    fresh = issue(svc)
    assert otp.verify(svc(), fresh.challenge_id, "generic", outbox.last_code(PHONE)).verified_at


def test_twenty_wrong_codes_close_the_day(svc, outbox, clock):
    wrong = 0
    for _hour in range(4):
        for _ in range(4):
            issued = issue(svc)
            for _ in range(3):
                if isinstance(guess_wrong(svc, issued), OtpGuessesExhausted):
                    break
                wrong += 1
        clock.advance(hours=1, minutes=1)
    assert wrong == 18  # 9 + 9 answered as wrong codes, the 10th and 20th with the refusal
    fresh = issue(svc)
    with pytest.raises(OtpGuessesExhausted):
        otp.verify(svc(), fresh.challenge_id, "generic", outbox.last_code(PHONE))
    clock.advance(hours=21)
    fresh = issue(svc)
    otp.verify(svc(), fresh.challenge_id, "generic", outbox.last_code(PHONE))


def test_the_budget_is_kept_per_id_number_and_per_phone(svc, outbox):
    limited = Settings(rate_limits={"otp_guesses_per_subject": "3/hour"})
    other = demo(2)
    for _ in range(3):
        guess_wrong(lambda: svc(settings=limited), issue(svc))
    same_id = otp.issue(svc(), "generic", SUBJECT, other.phone)
    same_phone = otp.issue(svc(), "generic", other.person.id_number, PHONE)
    neither = otp.issue(svc(), "generic", other.person.id_number, other.phone)
    for spent in (same_id, same_phone):
        with pytest.raises(OtpGuessesExhausted):
            otp.verify(svc(settings=limited), spent.challenge_id, "generic", outbox.codes()[-1])
    otp.verify(svc(settings=limited), neither.challenge_id, "generic", outbox.last_code(other.phone))


def test_a_decoy_spends_the_budget_of_the_number_typed_like_a_real_challenge(svc):
    limited = Settings(rate_limits={"otp_guesses_per_subject": "2/hour"})
    answers = []
    for phone in (PHONE, None):
        subject = SUBJECT if phone else demo(3).person.id_number
        issued = otp.issue(svc(), "signup", subject, phone, {"phone": PHONE})
        errors = [guess_wrong(lambda: svc(settings=limited), issued, "signup") for _ in range(2)]
        answers.append([(e.error, e.details.get("retry_after")) for e in errors])
    assert answers[0][0] == ("otp_invalid", None)
    assert answers[1] == [("otp_guesses_exhausted", 3601)] * 2  # the typed number's budget is spent


def test_mobile_sign_in_is_budgeted_by_the_phone_alone(svc, outbox):
    """Its subject is the line's owner from the register, not something the caller typed:
    a spent ID budget must not make the owner's number answer unlike an unknown one."""
    from eid.accounts import mobile_signin

    limited = Settings(rate_limits={"otp_guesses_per_subject": "2/hour"})
    d = demo(4)
    for _ in range(2):
        guess_wrong(lambda: svc(settings=limited), otp.issue(svc(), "generic", d.person.id_number,
                                                             demo(5).phone))
    answers = []
    for phone in (d.phone, "+84981234567"):
        issued, _ = mobile_signin.start(svc(), phone)
        answers.append(guess_wrong(lambda: svc(settings=limited), issued, "mobile_signin").error)
    assert answers == ["otp_invalid", "otp_invalid"]


def test_the_right_code_spends_nothing(svc, outbox):
    limited = Settings(rate_limits={"otp_guesses_per_subject": "2/hour"})
    for _ in range(5):
        issued = issue(svc)
        otp.verify(svc(settings=limited), issued.challenge_id, "generic", outbox.last_code(PHONE))
    guess_wrong(lambda: svc(settings=limited), issue(svc))
    issued = issue(svc)
    otp.verify(svc(settings=limited), issued.challenge_id, "generic", outbox.last_code(PHONE))
