"""Web and app sign-up (eid.accounts.signup): register checks, decoys, OTP, password."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, update

from eid.accounts import signup
from eid.accounts.context import Settings
from eid.accounts.errors import (
    InvalidInput,
    OtpExpired,
    OtpInvalid,
    RateLimited,
    WeakPassword,
)
from eid.accounts.forms import age_on
from eid.models.accounts import Account, OtpChallenge
from eid.models.registries import RegistryCitizen, RegistrySubscriber
from tests.accounts.conftest import START
from tests.accounts.support import STRONG, add_account, demo


def form(d, **over):  # type: ignore[no-untyped-def]
    p = d.person
    data = {"id_number": p.id_number, "full_name": p.full_name,
            "birth_date": p.birth_date.strftime("%d/%m/%Y"), "phone": d.phone, "email": ""}
    data.update(over)
    return data


def start(svc, d, **over):  # type: ignore[no-untyped-def]
    return signup.start(svc(), signup.parse_request(form(d, **over)))


def verified(svc, outbox, d):  # type: ignore[no-untyped-def]
    issued = start(svc, d)
    signup.confirm_otp(svc(), issued.challenge_id, outbox.last_code(d.phone))
    return issued.challenge_id


def accounts(session) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(Account)))


def test_a_matching_citizen_gets_a_code_then_a_level_1_account(svc, session, outbox, audit, clock,
                                                                 hasher):
    d = demo(1)
    issued = start(svc, d, email="Ho.Ten@Example.VN")
    assert [(to, kind) for to, _, kind in outbox] == [(d.phone, "otp_signup")]
    assert issued.masked_phone.endswith(d.phone[-3:])
    signup.confirm_otp(svc(), issued.challenge_id, outbox.last_code(d.phone))
    account = signup.complete(svc(), issued.challenge_id, STRONG, STRONG)
    row = session.scalar(select(Account).where(Account.id_number == d.person.id_number))
    assert row is account
    assert (row.full_name, row.phone, row.email, row.level, row.role) == (
        d.person.full_name, d.phone, "ho.ten@example.vn", 1, "citizen")
    assert row.created_at == row.password_changed_at == clock.now()
    hasher.verify(row.password_hash, STRONG)
    assert session.get(OtpChallenge, issued.challenge_id).consumed_at == clock.now()
    assert audit.actions() == [("signup.start", "otp_sent"), ("signup.otp", "ok"),
                               ("signup.complete", "ok")]
    assert audit.last("signup.complete").actor_account_id == account.id


def test_the_start_is_audited_with_the_reason_it_matched(svc, audit):
    d = demo(2)
    start(svc, d)
    entry = audit.last("signup.start")
    assert (entry.id_number, entry.details) == (d.person.id_number, {"reason": "matched"})


def test_name_case_and_spacing_do_not_matter(svc, outbox):
    d = demo(3)
    start(svc, d, full_name="  " + d.person.full_name.upper().replace(" ", "   ") + " ")
    assert outbox.kinds(d.phone) == ["otp_signup"]


@pytest.mark.parametrize("field,value,code", [
    ("id_number", "12345", "id_number_invalid"),
    ("id_number", "", "id_number_required"),
    ("full_name", "", "full_name_required"),
    ("full_name", "Nguyen 2", "full_name_invalid"),
    ("birth_date", "31/02/1990", "birth_date_invalid"),
    ("birth_date", "01/01/2999", "birth_date_invalid"),
    ("phone", "12", "phone_invalid"),
    ("phone", "", "phone_required"),
    ("email", "not-an-email", "email_invalid"),
])
def test_a_bad_field_is_named_with_its_code(field, value, code):
    with pytest.raises(InvalidInput) as info:
        signup.parse_request(form(demo(2), **{field: value}))
    assert info.value.error == "invalid_input"
    assert info.value.details["fields"] == {field: code}


def test_every_bad_field_is_named_at_once():
    with pytest.raises(InvalidInput) as info:
        signup.parse_request({"full_name": "X1", "phone": "12"})
    assert info.value.details["fields"] == {
        "id_number": "id_number_required", "birth_date": "birth_date_required",
        "full_name": "full_name_invalid", "phone": "phone_invalid"}


@pytest.mark.parametrize("mutation,reason", [
    ("name", "details_mismatch"), ("birth", "details_mismatch"),
    ("phone_of_other", "phone_not_owned"), ("unknown_id", "not_in_register"),
])
def test_a_mismatch_looks_like_a_match_but_sends_no_sms(svc, session, outbox, audit, mutation,
                                                          reason):
    good, other = demo(4), demo(5)
    over = {"name": {"full_name": other.person.full_name},
            "birth": {"birth_date": "01/01/1950"},
            "phone_of_other": {"phone": other.phone},
            "unknown_id": {"id_number": "001099000001"}}[mutation]
    real = start(svc, demo(6))
    fake = start(svc, good, **over)
    assert outbox.kinds() == ["otp_signup"] and outbox[0][0] == demo(6).phone
    assert (fake.expires_at, fake.resend_at) == (real.expires_at, real.resend_at)
    assert len(fake.challenge_id) == len(real.challenge_id)
    assert session.get(OtpChallenge, fake.challenge_id).phone is None
    entry = audit.entries[-1]
    assert (entry.action, entry.outcome, entry.details) == ("signup.start", "refused",
                                                            {"reason": reason})
    with pytest.raises(OtpInvalid):
        signup.confirm_otp(svc(), fake.challenge_id, "000000")


def test_a_person_under_14_on_their_own_line_gets_a_decoy(svc, session, outbox, audit):
    parent = next(demo(n) for n in range(1, 51)
                  if any(age_on(c.birth_date, START.date()) < 14 for c in demo(n).children))
    child = next(c for c in parent.children if age_on(c.birth_date, START.date()) < 14)
    session.execute(update(RegistrySubscriber).where(RegistrySubscriber.phone == parent.phone)
                    .values(owner_id=child.id_number))
    issued = signup.start(svc(), signup.parse_request({
        "id_number": child.id_number, "full_name": child.full_name,
        "birth_date": child.birth_date.isoformat(), "phone": parent.phone}))
    assert outbox == []
    assert audit.entries[-1].details == {"reason": "under_14"}
    assert issued.challenge_id


def test_already_registered_is_said_only_after_the_otp(svc, session, outbox, audit):
    d = demo(7)
    add_account(svc(), d)
    issued = start(svc, d)
    assert outbox.kinds(d.phone) == ["otp_signup"]
    with pytest.raises(signup.AlreadyRegistered) as info:
        signup.confirm_otp(svc(), issued.challenge_id, outbox.last_code(d.phone))
    assert info.value.error == "already_registered" and info.value.status == 409
    assert audit.actions()[-1] == ("signup.otp", "already_registered")
    with pytest.raises(OtpExpired):
        signup.complete(svc(), issued.challenge_id, STRONG, STRONG)


def test_a_wrong_code_is_refused_and_counted(svc, outbox, session):
    d = demo(8)
    issued = start(svc, d)
    with pytest.raises(OtpInvalid) as info:
        signup.confirm_otp(svc(), issued.challenge_id, "x" + outbox.last_code(d.phone)[1:])
    assert info.value.details["attempts_left"] == 4
    assert session.get(OtpChallenge, issued.challenge_id).attempts == 1


def test_the_code_expires_when_the_clock_passes_five_minutes(svc, outbox, clock):
    d = demo(9)
    issued = start(svc, d)
    clock.advance(minutes=5)
    with pytest.raises(OtpExpired):
        signup.confirm_otp(svc(), issued.challenge_id, outbox.last_code(d.phone))


@pytest.mark.parametrize("password,reason", [
    ("Ab1!", "too_short"), ("abcdefgh1!", "needs_upper"), ("ABCDEFGH1!", "needs_lower"),
    ("Abcdefgh!!", "needs_digit"), ("Abcdefgh12", "needs_special"), ("Password1!", "common"),
    ("A1!" + "x" * 300, "too_long"),
])
def test_a_weak_password_names_the_rule_and_creates_nothing(svc, session, outbox, password, reason):
    cid = verified(svc, outbox, demo(11))
    with pytest.raises(WeakPassword) as info:
        signup.complete(svc(), cid, password, password)
    assert info.value.error == "weak_password"
    assert reason in info.value.details["reasons"]
    assert accounts(session) == 0
    assert session.get(OtpChallenge, cid).consumed_at is None  # another try is allowed


@pytest.mark.parametrize("part", ["id_number", "phone_tail", "birth_date", "name"])
def test_a_password_built_from_the_persons_details_is_refused(svc, outbox, part):
    d = demo(12)
    p = d.person
    pw = {"id_number": f"Xx!{p.id_number}", "phone_tail": f"Kk#{d.phone[-9:]}a",
          "birth_date": f"Rr#{p.birth_date:%d%m%Y}x",
          "name": f"{_ascii(max(p.full_name.split(), key=len)).title()}#2027Xy"}[part]
    cid = verified(svc, outbox, d)
    with pytest.raises(WeakPassword) as info:
        signup.complete(svc(), cid, pw, pw)
    assert "contains_personal" in info.value.details["reasons"]


def _ascii(word: str) -> str:
    import unicodedata

    folded = unicodedata.normalize("NFKD", word.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in folded if not unicodedata.combining(c))


def test_a_mismatched_confirmation_is_refused_before_the_rules(svc, session, outbox):
    cid = verified(svc, outbox, demo(14))
    with pytest.raises(InvalidInput) as info:
        signup.complete(svc(), cid, "weak", "other")
    assert info.value.details["fields"] == {"confirm": "password_mismatch"}
    assert accounts(session) == 0


def test_completing_without_a_confirmed_code_is_refused(svc, session, outbox):
    issued = start(svc, demo(15))
    with pytest.raises(OtpExpired):
        signup.complete(svc(), issued.challenge_id, STRONG, STRONG)
    assert accounts(session) == 0


def test_a_challenge_completes_only_once(svc, session, outbox):
    cid = verified(svc, outbox, demo(16))
    signup.complete(svc(), cid, STRONG, STRONG)
    with pytest.raises(OtpExpired):
        signup.complete(svc(), cid, STRONG, STRONG)
    assert accounts(session) == 1


def test_an_account_made_meanwhile_for_the_same_person_is_reported_not_duplicated(svc, session,
                                                                                   outbox):
    d = demo(17)
    cid = verified(svc, outbox, d)
    add_account(svc(), d)  # e.g. by the app's registration, between the two steps
    with pytest.raises(signup.AlreadyRegistered):
        signup.complete(svc(), cid, STRONG, STRONG)
    assert accounts(session) == 1


def test_a_person_who_left_the_register_meanwhile_is_refused(svc, session, outbox):
    d = demo(18)
    cid = verified(svc, outbox, d)
    session.delete(session.get(RegistryCitizen, d.person.id_number))
    session.flush()
    with pytest.raises(InvalidInput, match="no longer in the population register"):
        signup.complete(svc(), cid, STRONG, STRONG)
    assert accounts(session) == 0


class CountingLimiter:
    """Allows ``allowed`` hits per (scope, key); records every call."""

    def __init__(self, allowed: int) -> None:
        self.allowed = allowed
        self.calls: list[tuple[str, str, str]] = []

    def hit(self, scope: str, key: str, limit: str) -> None:
        self.calls.append((scope, key, limit))
        if self.calls.count((scope, key, limit)) > self.allowed:
            raise RateLimited(retry_after=3600)


def test_start_is_rate_limited_per_id_and_per_phone_before_anything_is_sent(svc, session, outbox):
    d = demo(19)
    limiter = CountingLimiter(allowed=2)
    settings = Settings(rate_limits={"signup_per_id": "2/hour", "signup_per_phone": "3/hour"})
    for _ in range(2):
        start(lambda: svc(limiter=limiter, settings=settings), d)
    with pytest.raises(RateLimited) as info:
        start(lambda: svc(limiter=limiter, settings=settings), d)
    assert info.value.error == "rate_limited"
    assert len(outbox) == 2
    assert session.scalar(select(func.count()).select_from(OtpChallenge)) == 2
    assert limiter.calls[:2] == [("signup_id", d.person.id_number, "2/hour"),
                                 ("signup_phone", d.phone, "3/hour")]


@pytest.mark.parametrize("settings", [
    Settings(rate_limits={"signup_per_id": "1/hour"}, rate_limit_enabled=False),
    Settings(rate_limits={}),
])
def test_limits_that_are_off_or_not_configured_are_not_consulted(svc, settings):
    limiter = CountingLimiter(allowed=0)
    start(lambda: svc(limiter=limiter, settings=settings), demo(20))
    assert limiter.calls == []


def test_the_account_takes_the_clients_locale(svc, outbox):
    from eid.accounts.context import Client

    d = demo(21)
    en = Client(locale="en")
    issued = signup.start(svc(client=en), signup.parse_request(form(d)))
    assert "sign-up code" in outbox[0][1]
    signup.confirm_otp(svc(client=en), issued.challenge_id, outbox.last_code(d.phone))
    assert signup.complete(svc(client=en), issued.challenge_id, STRONG, STRONG).locale == "en"


def test_the_birth_date_may_be_iso_or_as_the_portal_shows_it():
    d = demo(22)
    iso = signup.parse_request(form(d, birth_date=d.person.birth_date.isoformat()))
    shown = signup.parse_request(form(d))
    assert iso == shown and isinstance(iso.birth_date, date)
