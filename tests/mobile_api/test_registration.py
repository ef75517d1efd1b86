"""App registration with the card's QR (VNeID style)."""
from __future__ import annotations

import base64
import io
from datetime import timedelta

import pytest

from eid.accounts.phones import mask_phone
from tests.flows import API, STRONG, demo, last_otp, sms_to


def start(client, idn, phone):  # type: ignore[no-untyped-def]
    r = client.post(f"{API}/register/start", json={"id_number": idn, "phone": phone})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["registration_id"]


def test_full_registration_with_the_scanned_qr_text(client):
    d = demo(30)
    rid = start(client, d.person.id_number, d.phone)
    r = client.post(f"{API}/register/qr", json={"registration_id": rid, "qr_text": d.card_qr})
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"registration_id": rid, "next": "confirm",
                            "phone_masked": mask_phone(d.phone)}
    assert client.post(f"{API}/register/confirm", json={"registration_id": rid}).status_code == 200
    r = client.post(f"{API}/register/verify", json={"registration_id": rid,
                                                    "code": last_otp(client, d.phone)})
    assert r.status_code == 200, r.get_json()
    shown = r.get_json()["details"]  # the register's details: only now, after the code
    assert shown["full_name"] == d.person.full_name and shown["id_number"] == d.person.id_number
    assert shown["permanent_address"] == d.person.permanent_address
    r = client.post(f"{API}/register/complete",
                    json={"registration_id": rid, "password": STRONG, "confirm": STRONG})
    assert r.status_code == 201 and r.get_json()["level"] == 1


def test_registration_from_a_photo_of_the_card_qr(client):
    import qrcode

    d = demo(31)
    img = qrcode.make(d.card_qr)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    rid = start(client, d.person.id_number, d.phone)
    r = client.post(f"{API}/register/qr", data={"registration_id": rid,
                                                "image": (io.BytesIO(buf.getvalue()), "card.png")},
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["registration_id"] == rid
    rid2 = start(client, d.person.id_number, d.phone)
    r = client.post(f"{API}/register/qr", json={"registration_id": rid2,
                                                "image_base64": base64.b64encode(buf.getvalue()).decode()})
    assert r.status_code == 200


def test_a_photo_without_a_qr_gets_a_clear_error(client):
    from PIL import Image

    d = demo(32)
    buf = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(buf, format="PNG")
    rid = start(client, d.person.id_number, d.phone)
    r = client.post(f"{API}/register/qr", json={"registration_id": rid,
                                                "image_base64": base64.b64encode(buf.getvalue()).decode()})
    assert r.status_code == 400 and r.get_json()["fields"]["image"] == "qr_not_found"


def test_qr_of_another_card_is_refused(client):
    d, other = demo(33), demo(34)
    rid = start(client, d.person.id_number, d.phone)
    r = client.post(f"{API}/register/qr", json={"registration_id": rid, "qr_text": other.card_qr})
    assert r.status_code == 422 and r.get_json()["error"] == "qr_form_mismatch"


def test_qr_that_disagrees_with_the_register_gets_the_usual_answer_and_no_code(client):
    d = demo(35)
    fields = d.card_qr.split("|")
    fields[2] = fields[2] + " Thị"
    rid = start(client, d.person.id_number, d.phone)
    r = client.post(f"{API}/register/qr", json={"registration_id": rid, "qr_text": "|".join(fields)})
    assert r.status_code == 200 and r.get_json()["next"] == "confirm"
    r = client.post(f"{API}/register/confirm", json={"registration_id": rid})
    assert r.status_code == 200 and r.get_json()["masked_phone"] == mask_phone(d.phone)
    assert sms_to(client, d.phone) == []


def test_a_phone_line_owned_by_someone_else_gets_the_usual_answer_and_no_code(client):
    d, other = demo(36), demo(37)
    rid = start(client, d.person.id_number, other.phone)
    r = client.post(f"{API}/register/qr", json={"registration_id": rid, "qr_text": d.card_qr})
    assert r.status_code == 200 and r.get_json()["phone_masked"] == mask_phone(other.phone)
    assert client.post(f"{API}/register/confirm", json={"registration_id": rid}).status_code == 200
    assert sms_to(client, other.phone) == [] and sms_to(client, d.phone) == []


def test_under_14_cannot_register_themselves(client):
    from eid.accounts.card_qr import format_card_qr

    parent = next(demo(n) for n in range(1, 51) if any(_age(c) < 14 for c in demo(n).children))
    child = next(c for c in parent.children if _age(c) < 14)
    rid = start(client, child.id_number, parent.phone)
    r = client.post(f"{API}/register/qr", json={"registration_id": rid,
                                                "qr_text": format_card_qr(child)})
    assert r.status_code == 403 and r.get_json()["error"] == "under_14"


def _age(person):  # type: ignore[no-untyped-def]
    from eid.accounts.forms import age_on
    from tests.conftest import START

    return age_on(person.birth_date, START.date())


@pytest.mark.parametrize("qr", ["", "not a card", "123|x|y", "0123456789ab|||||||"])
def test_malformed_qr_gets_a_clear_error(client, qr):
    d = demo(38)
    rid = start(client, d.person.id_number, d.phone)
    r = client.post(f"{API}/register/qr", json={"registration_id": rid, "qr_text": qr})
    assert 400 <= r.status_code < 500
    assert r.get_json()["error"] in ("invalid_input", "qr_invalid")


def test_steps_out_of_order_are_refused(client):
    d = demo(39)
    rid = start(client, d.person.id_number, d.phone)
    r = client.post(f"{API}/register/confirm", json={"registration_id": rid})
    assert r.status_code == 409 and r.get_json()["error"] == "wrong_step"
    r = client.post(f"{API}/register/complete",
                    json={"registration_id": rid, "password": STRONG, "confirm": STRONG})
    assert r.status_code == 409


def test_unknown_registration_is_not_found(client):
    r = client.post(f"{API}/register/confirm", json={"registration_id": "nope"})
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"


# -- the review's findings: an identity and address oracle, SMS flooding ----------

def _with(qr: str, index: int, value: str) -> str:
    fields = qr.split("|")
    fields[index] = value
    return "|".join(fields)


def _blank(body: dict, *keys: str) -> dict:  # type: ignore[type-arg]
    return {k: ("-" if k in keys else v) for k, v in body.items()}


def _until_code(client, idn, phone, qr, ip="198.51.100.20"):  # type: ignore[no-untyped-def]
    """start -> qr -> confirm -> a wrong code: every answer, with the random ids blanked."""
    env = {"REMOTE_ADDR": ip}
    r = client.post(f"{API}/register/start", json={"id_number": idn, "phone": phone},
                    environ_overrides=env)
    rid = r.get_json()["registration_id"]
    answers = [(r.status_code, _blank(r.get_json(), "registration_id", "expires_at"))]
    for path, body in (("qr", {"qr_text": qr}), ("confirm", {}), ("verify", {"code": "123456"})):
        r = client.post(f"{API}/register/{path}", json={"registration_id": rid, **body},
                        environ_overrides=env)
        answers.append((r.status_code, _blank(r.get_json(), "registration_id", "challenge_id")))
    return answers


def test_a_wrong_birth_date_gets_the_same_answers_as_a_wrong_phone_or_an_unknown_id(client):
    d, other = demo(42), demo(43)
    unknown = "001099999999"
    cases = {
        "wrong birth date": (d.person.id_number, d.phone, _with(d.card_qr, 3, "01011950")),
        "someone else's phone": (d.person.id_number, other.phone, d.card_qr),
        "wrong name": (d.person.id_number, d.phone, _with(d.card_qr, 2, "Trần Văn Khác")),
        "wrong address": (d.person.id_number, d.phone, _with(d.card_qr, 5, "1 Phố Khác, Hà Nội")),
        "unknown ID": (unknown, d.phone, _with(d.card_qr, 0, unknown)),
        "nothing wrong": (d.person.id_number, d.phone, d.card_qr),
    }
    seen = {}
    for n, (case, (idn, phone, qr)) in enumerate(cases.items()):
        answers = _until_code(client, idn, phone, qr, ip=f"198.51.100.{30 + n}")
        seen[case] = [(status, {k: v for k, v in body.items() if k not in ("masked_phone",
                                                                            "phone_masked")})
                      for status, body in answers]
        assert answers[1][1]["phone_masked"] == answers[2][1]["masked_phone"] == mask_phone(phone)
    assert len({repr(v) for v in seen.values()}) == 1, seen
    assert seen["wrong birth date"][1:] == [
        (200, {"registration_id": "-", "next": "confirm"}),
        (200, seen["wrong birth date"][2][1]),
        (400, seen["wrong birth date"][3][1])]
    assert seen["wrong birth date"][3][1]["error"] == "otp_invalid"
    assert len(sms_to(client, d.phone)) == 1 and sms_to(client, other.phone) == []


def test_no_register_data_is_answered_before_the_code(client):
    d = demo(30)
    p = d.person
    answers = _until_code(client, p.id_number, d.phone, d.card_qr)
    text = repr(answers)
    for value in (p.full_name, p.permanent_address, p.birth_date.isoformat(), p.postal_code or "-",
                  "permanent_address"):
        assert value not in text


def test_the_reviews_121_birth_dates_get_one_answer_and_meet_a_limit(client):
    """After one register/start the review sent 121 register/qr with different birth dates
    (qr_registry_mismatch until the real one, then phone_not_owned). Now every check gets
    the same answer, a registration allows three, and a limit ends the attack long before
    121, with Retry-After."""
    d = demo(44)
    true = d.person.birth_date
    answers, stopped, rid = set(), None, None
    for n in range(121):
        if rid is None:
            r = client.post(f"{API}/register/start",
                            json={"id_number": d.person.id_number, "phone": d.phone})
            if r.status_code == 429:
                stopped = (n, r)
                break
            rid = r.get_json()["registration_id"]
        guess = (true + timedelta(days=n - 60)).strftime("%d%m%Y")
        r = client.post(f"{API}/register/qr",
                        json={"registration_id": rid, "qr_text": _with(d.card_qr, 3, guess)})
        if r.status_code == 429 and r.get_json()["error"] == "too_many_attempts":
            rid = None
            continue
        if r.status_code == 429:
            stopped = (n, r)
            break
        assert r.status_code == 200, r.get_json()
        answers.add(repr(_blank(r.get_json(), "registration_id")))
    assert len(answers) == 1
    assert stopped is not None and stopped[0] < 20, "no limit met"
    assert stopped[1].get_json()["error"] == "rate_limited" and int(stopped[1].headers["Retry-After"]) > 0
    assert sms_to(client, d.phone) == []


def test_confirming_ten_times_sends_one_sms(client):
    d = demo(45)
    rid = start(client, d.person.id_number, d.phone)
    client.post(f"{API}/register/qr", json={"registration_id": rid, "qr_text": d.card_qr})
    challenges = set()
    for n in range(10):  # from ten addresses, so no per-IP limit hides the answer
        r = client.post(f"{API}/register/confirm", json={"registration_id": rid},
                        environ_overrides={"REMOTE_ADDR": f"198.51.100.{100 + n}"})
        assert r.status_code == 200, r.get_json()
        challenges.add(r.get_json()["challenge_id"])
    assert len(challenges) == 1 and len(sms_to(client, d.phone)) == 1


def test_a_phone_gets_ten_codes_an_hour_then_a_clear_refusal_decoys_alike(client, clock):
    d = demo(46)
    refusals = []
    for n, qr in enumerate([d.card_qr, d.card_qr, d.card_qr, _with(d.card_qr, 3, "01011950")]):
        env = {"REMOTE_ADDR": f"198.51.100.{60 + n}"}
        rid = client.post(f"{API}/register/start", json={"id_number": d.person.id_number,
                                                         "phone": d.phone},
                          environ_overrides=env).get_json()["registration_id"]
        client.post(f"{API}/register/qr", json={"registration_id": rid, "qr_text": qr},
                    environ_overrides=env)
        r = client.post(f"{API}/register/confirm", json={"registration_id": rid},
                        environ_overrides=env)
        for wait in (60, 120, 180, 240):
            if r.status_code != 200:
                break
            clock.advance(seconds=wait)
            r = client.post(f"{API}/register/resend", json={"registration_id": rid},
                            environ_overrides=env)
        if r.status_code == 429:
            refusals.append((r.get_json(), r.headers.get("Retry-After")))
    assert len(sms_to(client, d.phone)) == 10
    assert [body["error"] for body, _ in refusals] == ["sms_cap_reached"] * 2  # the 3rd and 4th
    assert all(int(after) > 3000 for _, after in refusals)
    assert refusals[-1][0] == refusals[-2][0]  # the decoy's refusal is the real one's


def test_new_codes_buy_no_new_guesses_and_a_spent_budget_says_what_to_do(client, clock):
    d = demo(47)
    rid = start(client, d.person.id_number, d.phone)
    client.post(f"{API}/register/qr", json={"registration_id": rid, "qr_text": d.card_qr})
    client.post(f"{API}/register/confirm", json={"registration_id": rid})
    errors = []
    for code in range(2):
        if code:
            clock.advance(seconds=60)
            r = client.post(f"{API}/register/resend", json={"registration_id": rid})
            assert r.status_code == 200, r.get_json()
        for _ in range(5):
            r = client.post(f"{API}/register/verify", json={"registration_id": rid, "code": "000000"})
            errors.append(r.get_json()["error"])
    assert errors == ["otp_invalid"] * 4 + ["otp_locked"] + ["otp_invalid"] * 4 + ["otp_guesses_exhausted"]
    r = client.post(f"{API}/register/verify", json={"registration_id": rid,
                                                    "code": last_otp(client, d.phone)})
    assert r.status_code == 429 and r.get_json()["error"] == "otp_guesses_exhausted"
    assert int(r.headers["Retry-After"]) > 3000 and "QR code" in r.get_json()["message"]
