"""Sign-in by mobile number (eid.accounts.mobile_signin): OTP, identity, postal code."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from eid.accounts import mobile_signin as mobile
from eid.accounts.context import Settings
from eid.accounts.errors import InvalidInput, OtpExpired, OtpInvalid, ResendTooSoon
from eid.accounts.forms import age_on
from eid.models.accounts import Account, OtpChallenge
from eid.models.registration import AddressUpdateRequest
from eid.models.registries import RegistrySubscriber
from tests.accounts.conftest import START
from tests.accounts.support import add_account, demo

WITH_EMAIL = next(demo(n) for n in range(1, 51) if demo(n).person.email)
WITHOUT_EMAIL = next(demo(n) for n in range(1, 51) if not demo(n).person.email)


def verified(svc, outbox, d):  # type: ignore[no-untyped-def]
    issued, _ = mobile.start(svc(), d.phone)
    mobile.verify(svc(), issued.challenge_id, outbox.last_code(d.phone))
    return issued.challenge_id


def identified(svc, outbox, d):  # type: ignore[no-untyped-def]
    cid = verified(svc, outbox, d)
    mobile.identify(svc(), cid, {"national_code": d.person.id_number,
                                 "birth_date": d.person.birth_date.isoformat()})
    return cid


def accounts(session) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(Account)))


def test_code_identity_and_postal_code_sign_in_a_new_level_1_account(svc, session, outbox, audit,
                                                                      clock):
    d = demo(40)
    issued, phone = mobile.start(svc(), "0" + d.phone[3:])
    assert phone == d.phone and outbox.kinds(d.phone) == ["otp_signin"]
    mobile.verify(svc(), issued.challenge_id, outbox.last_code(d.phone))
    shown = mobile.identify(svc(), issued.challenge_id, {
        "national_code": d.person.id_number, "birth_date": d.person.birth_date.strftime("%d/%m/%Y")})
    assert (shown.postal_code, shown.address) == (d.person.postal_code, d.person.permanent_address)
    account = mobile.finish(svc(), issued.challenge_id, confirm=True, postal_code=None)
    assert (account.id_number, account.phone, account.level, account.email) == (
        d.person.id_number, d.phone, 1, d.person.email)
    assert account.password_hash == mobile.NO_PASSWORD
    assert session.get(OtpChallenge, issued.challenge_id).consumed_at == clock.now()
    assert audit.actions() == [("mobile_signin.start", "otp_sent"), ("signup.mobile", "ok")]
    assert mobile.address_requests(svc(), account.id) == []


def test_a_person_with_an_account_signs_into_it(svc, session, outbox, audit):
    d = demo(41)
    existing = add_account(svc(), d)
    cid = identified(svc, outbox, d)
    assert mobile.finish(svc(), cid, confirm=True, postal_code=None).id == existing.id
    assert accounts(session) == 1 and ("signup.mobile", "ok") not in audit.actions()


def test_a_wrong_postal_code_files_an_update_request(svc, session, outbox, audit, clock):
    d = demo(42)
    cid = identified(svc, outbox, d)
    account = mobile.finish(svc(), cid, confirm=False, postal_code=" 12345 ")
    (request,) = mobile.address_requests(svc(), account.id)
    assert (request.registry_postal_code, request.requested_postal_code, request.status) == (
        d.person.postal_code, "12345", "submitted")
    assert request.created_at == clock.now()
    assert audit.last("address.update_request").actor_account_id == account.id


@pytest.mark.parametrize("postal_code", [None, "", "abcde", "1234", "1234567", "12345678901"])
def test_a_malformed_postal_code_is_refused_and_files_nothing(svc, session, outbox, postal_code):
    cid = identified(svc, outbox, demo(43))
    with pytest.raises(InvalidInput) as info:
        mobile.finish(svc(), cid, confirm=False, postal_code=postal_code)
    assert info.value.details["fields"] == {"postal_code": "postal_code_invalid"}
    assert session.scalars(select(AddressUpdateRequest)).all() == []
    assert mobile.finish(svc(), cid, confirm=False, postal_code="700000").id  # may try again


def test_finishing_before_the_identity_step_is_refused(svc, outbox):
    cid = verified(svc, outbox, demo(44))
    with pytest.raises(InvalidInput) as info:
        mobile.finish(svc(), cid, confirm=True, postal_code=None)
    assert info.value.details["fields"] == {"national_code": "national_code_required"}


def test_the_identity_step_waits_for_the_code(svc, outbox):
    d = demo(45)
    issued, _ = mobile.start(svc(), d.phone)
    with pytest.raises(OtpExpired):
        mobile.identify(svc(), issued.challenge_id, {"national_code": d.person.id_number,
                                                     "birth_date": d.person.birth_date.isoformat()})


@pytest.mark.parametrize("who", ["other_person", "wrong_birth_date", "unknown_code"])
def test_identity_other_than_the_lines_owner_is_refused(svc, session, outbox, audit, who):
    d, other = demo(46), demo(47)
    cid = verified(svc, outbox, d)
    data = {"other_person": {"national_code": other.person.id_number,
                             "birth_date": other.person.birth_date.isoformat()},
            "wrong_birth_date": {"national_code": d.person.id_number, "birth_date": "1901-01-01"},
            "unknown_code": {"national_code": "079199000123",
                             "birth_date": d.person.birth_date.isoformat()}}[who]
    with pytest.raises(mobile.IdentityMismatch) as info:
        mobile.identify(svc(), cid, data)
    assert (info.value.error, info.value.status) == ("identity_mismatch", 422)
    assert audit.actions()[-1] == ("mobile_signin.identity", "mismatch")
    assert audit.entries[-1].id_number == d.person.id_number
    assert accounts(session) == 0


@pytest.mark.parametrize("data,fields", [
    ({}, {"national_code": "national_code_required", "birth_date": "birth_date_required"}),
    # the number's own code is the ID parser's, whatever the field is called
    ({"national_code": "12", "birth_date": "soon"}, {"national_code": "id_number_invalid",
                                                     "birth_date": "birth_date_invalid"}),
])
def test_a_bad_identity_form_names_each_field(svc, outbox, data, fields):
    cid = verified(svc, outbox, demo(48))
    with pytest.raises(InvalidInput) as info:
        mobile.identify(svc(), cid, data)
    assert info.value.details["fields"] == fields


def test_a_line_owned_by_a_child_under_14_signs_no_one_in(svc, session, outbox):
    parent = next(demo(n) for n in range(1, 51)
                  if any(age_on(c.birth_date, START.date()) < 14 for c in demo(n).children))
    child = next(c for c in parent.children if age_on(c.birth_date, START.date()) < 14)
    session.execute(update(RegistrySubscriber).where(RegistrySubscriber.phone == parent.phone)
                    .values(owner_id=child.id_number))
    issued, _ = mobile.start(svc(), parent.phone)
    mobile.verify(svc(), issued.challenge_id, outbox.last_code(parent.phone))
    with pytest.raises(mobile.IdentityMismatch, match="under 14"):
        mobile.identify(svc(), issued.challenge_id, {"national_code": child.id_number,
                                                     "birth_date": child.birth_date.isoformat()})


def test_a_number_no_one_owns_gets_a_decoy_and_no_sms(svc, session, outbox, audit):
    issued, phone = mobile.start(svc(), "+84981234567")
    assert session.get(RegistrySubscriber, phone) is None
    assert outbox == [] and session.get(OtpChallenge, issued.challenge_id).subject == "-"
    assert audit.actions() == [("mobile_signin.start", "refused")]
    with pytest.raises(OtpInvalid):
        mobile.verify(svc(), issued.challenge_id, "000000")


@pytest.mark.parametrize("raw,code", [("", "phone_required"), ("12", "phone_invalid"),
                                      ("+84241234567", "phone_invalid")])
def test_a_bad_mobile_number_is_named(svc, outbox, raw, code):
    with pytest.raises(InvalidInput) as info:
        mobile.start(svc(), raw)
    assert info.value.details["fields"] == {"phone": code} and outbox == []


def test_the_start_is_rate_limited_per_number(svc):
    calls = []

    class Recording:
        def hit(self, scope: str, key: str, limit: str) -> None:
            calls.append((scope, key, limit))

    d = demo(49)
    mobile.start(svc(limiter=Recording(), settings=Settings(
        rate_limits={"mobile_otp_per_phone": "3/hour"})), d.phone)
    assert calls == [("mobile_otp", d.phone, "3/hour")]


def test_the_code_can_come_by_e_mail_at_once(svc, outbox, mailbox):
    d = WITH_EMAIL
    issued, _ = mobile.start(svc(), d.phone)
    name, _, domain = d.person.email.partition("@")
    assert mobile.send_by_email(svc(), issued.challenge_id) == f"{name[:2]}***@{domain}"
    assert mailbox.kinds(d.person.email) == ["email_otp"]
    with pytest.raises(OtpInvalid):
        mobile.verify(svc(), issued.challenge_id, outbox.last_code(d.phone))  # replaced
    mobile.verify(svc(), issued.challenge_id, mailbox.last_code(d.person.email))


def test_the_accounts_own_e_mail_comes_before_the_registers(svc, outbox, mailbox):
    d = WITHOUT_EMAIL
    add_account(svc(), d, email="chu.thue.bao@example.vn")
    issued, _ = mobile.start(svc(), d.phone)
    assert mobile.send_by_email(svc(), issued.challenge_id) == "ch***@example.vn"
    assert mailbox.kinds("chu.thue.bao@example.vn") == ["email_otp"]


@pytest.mark.parametrize("case", ["no_email", "no_mailer", "decoy"])
def test_without_an_e_mail_address_or_a_mailer_the_code_stays_with_the_sms(svc, mailbox, case):
    phone = {"no_email": WITHOUT_EMAIL.phone, "no_mailer": WITH_EMAIL.phone,
             "decoy": "+84981234567"}[case]
    issued, _ = mobile.start(svc(), phone)
    with pytest.raises(mobile.NoEmailOnRecord) as info:
        mobile.send_by_email(svc(**({"mail": None} if case == "no_mailer" else {})),
                             issued.challenge_id)
    assert (info.value.error, info.value.status) == ("no_email", 409)
    assert mailbox == []


def test_the_sms_resend_keeps_its_cooldown(svc, clock):
    from eid.accounts import otp

    issued, _ = mobile.start(svc(), demo(50).phone)
    with pytest.raises(ResendTooSoon):
        otp.resend(svc(), issued.challenge_id, "mobile_signin")
    clock.advance(seconds=60)
    assert otp.resend(svc(), issued.challenge_id, "mobile_signin").resend_at == (
        clock.now() + timedelta(seconds=120))
