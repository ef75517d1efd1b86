"""Sign-up through the mobile API: the happy path and every refusal."""
from __future__ import annotations

import pytest

from tests.flows import API, STRONG, captcha, demo, last_otp, register, signup_body, sms_to


def start(client, body):  # type: ignore[no-untyped-def]
    return client.post(f"{API}/signup/start", json={**body, **captcha(client)})


def test_signup_creates_a_level_1_account_for_a_matching_citizen(client):
    d = register(client, 1)
    token_resp = client.post(f"{API}/signin/start", json={
        "id_number": d.person.id_number, "password": STRONG, **captcha(client)})
    assert token_resp.status_code == 200
    assert token_resp.get_json()["masked_phone"].endswith(d.phone[-3:])


@pytest.mark.parametrize("field,value,code", [
    ("id_number", "12345", "id_number_invalid"),
    ("id_number", "", "id_number_required"),
    ("full_name", "", "full_name_required"),
    ("full_name", "Nguyen 2", "full_name_invalid"),
    ("birth_date", "31/02/1990", "birth_date_invalid"),
    ("birth_date", "01/01/2999", "birth_date_invalid"),
    ("phone", "12", "phone_invalid"),
    ("email", "not-an-email", "email_invalid"),
])
def test_bad_fields_are_named_with_their_code(client, field, value, code):
    d = demo(2)
    body = signup_body(d.person, d.phone)
    body[field] = value
    r = start(client, body)
    assert r.status_code == 400
    body = r.get_json()
    assert body["error"] == "invalid_input"
    assert body["fields"][field] == code


def test_wrong_captcha_is_refused_and_sends_nothing(client):
    d = demo(3)
    c = captcha(client)
    r = client.post(f"{API}/signup/start", json={**signup_body(d.person, d.phone),
                                                 "captcha_id": c["captcha_id"], "captcha": "zzzzzz"})
    assert r.status_code == 400 and r.get_json()["error"] == "captcha_invalid"
    assert sms_to(client, d.phone) == []


def test_a_captcha_cannot_be_used_twice(client):
    d = demo(3)
    c = captcha(client)
    body = {**signup_body(d.person, d.phone), **c}
    assert client.post(f"{API}/signup/start", json=body).status_code == 202
    r = client.post(f"{API}/signup/start", json=body)
    assert r.get_json()["error"] == "captcha_invalid"


@pytest.mark.parametrize("mutation", ["name", "birth", "phone_of_other", "unknown_id"])
def test_mismatch_answers_exactly_like_a_match_but_sends_no_sms(client, mutation):
    good, other = demo(4), demo(5)
    body = signup_body(good.person, good.phone)
    target_phone = good.phone
    if mutation == "name":
        body["full_name"] = other.person.full_name
    elif mutation == "birth":
        body["birth_date"] = "01/01/1950"
    elif mutation == "phone_of_other":
        body["phone"] = target_phone = other.phone
    else:
        body["id_number"] = "001099" + "000001"
    real = start(client, signup_body(demo(6).person, demo(6).phone))
    fake = start(client, body)
    assert (real.status_code, fake.status_code) == (202, 202)
    assert set(real.get_json()) == set(fake.get_json())
    assert fake.get_json()["masked_phone"].endswith(target_phone[-3:])
    assert sms_to(client, target_phone) == []
    r = client.post(f"{API}/signup/verify",
                    json={"challenge_id": fake.get_json()["challenge_id"], "code": "000000"})
    assert r.status_code == 400 and r.get_json()["error"] == "otp_invalid"


def test_already_registered_is_said_only_after_the_otp(client):
    d = register(client, 7)
    r = start(client, signup_body(d.person, d.phone))
    assert r.status_code == 202
    cid = r.get_json()["challenge_id"]
    r = client.post(f"{API}/signup/verify", json={"challenge_id": cid, "code": last_otp(client, d.phone)})
    assert r.status_code == 409
    assert r.get_json()["error"] == "already_registered"


def test_wrong_otp_counts_down_then_locks(client, app):
    d = demo(8)
    cid = start(client, signup_body(d.person, d.phone)).get_json()["challenge_id"]
    limit = app.config["OTP_MAX_ATTEMPTS"]
    for left in range(limit - 1, 0, -1):
        r = client.post(f"{API}/signup/verify", json={"challenge_id": cid, "code": "999999"})
        assert r.get_json()["attempts_left"] == left
    r = client.post(f"{API}/signup/verify", json={"challenge_id": cid, "code": "999999"})
    assert r.status_code == 429 and r.get_json()["error"] == "otp_locked"
    good = last_otp(client, d.phone)
    r = client.post(f"{API}/signup/verify", json={"challenge_id": cid, "code": good})
    assert r.get_json()["error"] == "otp_locked"


def test_otp_expires_after_five_minutes(client, clock):
    d = demo(9)
    cid = start(client, signup_body(d.person, d.phone)).get_json()["challenge_id"]
    code = last_otp(client, d.phone)
    clock.advance(seconds=301)
    r = client.post(f"{API}/signup/verify", json={"challenge_id": cid, "code": code})
    assert r.status_code == 400 and r.get_json()["error"] == "otp_expired"


def test_resend_waits_for_the_cooldown_and_kills_the_old_code(client, clock):
    d = demo(10)
    cid = start(client, signup_body(d.person, d.phone)).get_json()["challenge_id"]
    old = last_otp(client, d.phone)
    r = client.post(f"{API}/signup/resend", json={"challenge_id": cid})
    assert r.status_code == 429 and r.get_json()["error"] == "resend_too_soon"
    assert int(r.headers["Retry-After"]) > 0
    clock.advance(seconds=61)
    assert client.post(f"{API}/signup/resend", json={"challenge_id": cid}).status_code == 200
    new = last_otp(client, d.phone)
    assert len(sms_to(client, d.phone)) == 2
    if new != old:
        r = client.post(f"{API}/signup/verify", json={"challenge_id": cid, "code": old})
        assert r.get_json()["error"] == "otp_invalid"
    assert client.post(f"{API}/signup/verify",
                       json={"challenge_id": cid, "code": new}).status_code == 200


@pytest.mark.parametrize("password,reason", [
    ("Ab1!", "too_short"),
    ("abcdefgh1!", "needs_upper"),
    ("ABCDEFGH1!", "needs_lower"),
    ("Abcdefgh!!", "needs_digit"),
    ("Abcdefgh12", "needs_special"),
    ("Password1!", "common"),
])
def test_password_rules(client, password, reason):
    d = demo(11)
    cid = start(client, signup_body(d.person, d.phone)).get_json()["challenge_id"]
    client.post(f"{API}/signup/verify", json={"challenge_id": cid, "code": last_otp(client, d.phone)})
    r = client.post(f"{API}/signup/complete",
                    json={"challenge_id": cid, "password": password, "confirm": password})
    assert r.status_code == 400
    assert reason in r.get_json()["reasons"]


def test_password_containing_the_id_or_phone_is_refused(client):
    d = demo(12)
    cid = start(client, signup_body(d.person, d.phone)).get_json()["challenge_id"]
    client.post(f"{API}/signup/verify", json={"challenge_id": cid, "code": last_otp(client, d.phone)})
    for pw in (f"Xx!{d.person.id_number}", f"Kk#{d.phone[-9:]}a"):
        r = client.post(f"{API}/signup/complete", json={"challenge_id": cid, "password": pw, "confirm": pw})
        assert "contains_personal" in r.get_json()["reasons"], pw


def test_a_long_password_is_kept_whole(client):
    long_pw = "Aa1!" + "x" * 96 + "Zz"
    d = register(client, 13, password=long_pw)
    r = client.post(f"{API}/signin/start", json={"id_number": d.person.id_number,
                                                  "password": long_pw[:-1], **captcha(client)})
    assert r.status_code == 401


def test_mismatched_confirmation_is_refused(client):
    d = demo(14)
    cid = start(client, signup_body(d.person, d.phone)).get_json()["challenge_id"]
    client.post(f"{API}/signup/verify", json={"challenge_id": cid, "code": last_otp(client, d.phone)})
    r = client.post(f"{API}/signup/complete",
                    json={"challenge_id": cid, "password": STRONG, "confirm": STRONG + "x"})
    assert r.get_json()["fields"]["confirm"] == "password_mismatch"


def test_complete_without_a_confirmed_otp_is_refused(client):
    d = demo(15)
    cid = start(client, signup_body(d.person, d.phone)).get_json()["challenge_id"]
    r = client.post(f"{API}/signup/complete",
                    json={"challenge_id": cid, "password": STRONG, "confirm": STRONG})
    assert r.status_code == 400 and r.get_json()["error"] == "otp_expired"


def test_rate_limit_per_id(client, app):
    d = demo(16)
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "signup_per_id": "2/hour"}
    assert start(client, signup_body(d.person, d.phone)).status_code == 202
    assert start(client, signup_body(d.person, d.phone)).status_code == 202
    r = start(client, signup_body(d.person, d.phone))
    assert r.status_code == 429 and r.get_json()["error"] == "rate_limited"


@pytest.mark.parametrize("payload", [None, [], "x", {"id_number": 5}, {"unknown": "x"}])
def test_malformed_json_gets_a_clear_error(client, payload):
    r = client.post(f"{API}/signup/start", json=payload)
    assert r.status_code == 400
    assert r.get_json()["error"] == "invalid_input"
    assert r.get_json()["message"]


def test_no_audit_event_carries_the_full_id_or_the_code(client, app):
    from sqlalchemy import select

    from eid.models import AuditEvent
    from eid.web.db import db

    d = register(client, 17)
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent)).all()
        assert rows
        blob = " ".join(f"{r.subject} {r.details}" for r in rows)
    assert d.person.id_number not in blob
    assert any(r.action == "signup.complete" for r in rows)
