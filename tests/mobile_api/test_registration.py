"""App registration with the card's QR (VNeID style)."""
from __future__ import annotations

import base64
import io

import pytest

from tests.flows import API, STRONG, demo, last_otp


def start(client, idn, phone):  # type: ignore[no-untyped-def]
    r = client.post(f"{API}/register/start", json={"id_number": idn, "phone": phone})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["registration_id"]


def test_full_registration_with_the_scanned_qr_text(client):
    d = demo(30)
    rid = start(client, d.person.id_number, d.phone)
    r = client.post(f"{API}/register/qr", json={"registration_id": rid, "qr_text": d.card_qr})
    assert r.status_code == 200, r.get_json()
    shown = r.get_json()
    assert shown["full_name"] == d.person.full_name and shown["id_number"] == d.person.id_number
    assert client.post(f"{API}/register/confirm", json={"registration_id": rid}).status_code == 200
    r = client.post(f"{API}/register/verify", json={"registration_id": rid,
                                                    "code": last_otp(client, d.phone)})
    assert r.status_code == 200, r.get_json()
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
    assert r.get_json()["id_number"] == d.person.id_number
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


def test_qr_that_disagrees_with_the_register_is_refused(client):
    d = demo(35)
    fields = d.card_qr.split("|")
    fields[2] = fields[2] + " Thị"
    rid = start(client, d.person.id_number, d.phone)
    r = client.post(f"{API}/register/qr", json={"registration_id": rid, "qr_text": "|".join(fields)})
    assert r.status_code == 422 and r.get_json()["error"] == "qr_registry_mismatch"


def test_a_phone_line_owned_by_someone_else_is_refused(client):
    d, other = demo(36), demo(37)
    rid = start(client, d.person.id_number, other.phone)
    r = client.post(f"{API}/register/qr", json={"registration_id": rid, "qr_text": d.card_qr})
    assert r.status_code == 422 and r.get_json()["error"] == "phone_not_owned"


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
