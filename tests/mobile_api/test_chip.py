"""Reading the card's chip from the phone: verification on the server and every refusal."""
from __future__ import annotations

import base64
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from eid.accounts.card_holder import card_holder
from eid.nfc.reader import read_card
from eid.nfc.sim.chip import SimulatedChip
from eid.nfc.sim.issuer import issue_card
from eid.nfc.sim.pki import generate_pki
from eid.web.chip_pki import development_pki
from tests.conftest import START
from tests.flows import Phone, register


def card_for(app: Any, person: Any, *, pki: Any = None, now: Any = None, holder: Any = None) -> Any:
    pki = pki or development_pki(app.instance_path)
    holder = holder or card_holder(person, today=START.date())
    return issue_card(holder, pki.document_signer, now=now or START,
                      aa_key=ec.generate_private_key(ec.SECP256R1()))


def read(phone: Phone, card: Any, purpose: str = "level1_online", *, aa: bool = True,
         tamper: str | None = None, session: dict[str, Any] | None = None) -> Any:
    if session is None:
        r = phone.call("POST", "chip/sessions", {"purpose": purpose})
        assert r.status_code == 201, r.get_json()
        session = r.get_json()
    got = read_card(SimulatedChip(card), can=card.can, challenge=bytes.fromhex(session["challenge"]))
    files = dict(got.files)
    if tamper:
        data = bytearray(files[tamper])
        data[-1] ^= 0x01
        files[tamper] = bytes(data)
    body = {"files": {k: base64.b64encode(v).decode() for k, v in files.items()},
            "aa_signature": base64.b64encode(got.aa_signature).decode() if aa and got.aa_signature
            else None}
    return phone.call("POST", f"chip/sessions/{session['chip_session_id']}/read", body), session


@pytest.fixture
def phone_and_person(client, app):  # type: ignore[no-untyped-def]
    d = register(client, 5)
    return Phone(client, app).login(d), d


def test_level_1_online_with_a_genuine_chip(phone_and_person, app):
    phone, d = phone_and_person
    r, _ = read(phone, card_for(app, d.person))
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["verified"] and body["level1_online"] and body["active_auth"]
    assert "VN" in body["csca"] or body["csca"]


@pytest.mark.parametrize("tamper", ["DG13", "DG2", "DG1"])
def test_a_tampered_file_is_refused(phone_and_person, app, tamper):
    phone, d = phone_and_person
    r, _ = read(phone, card_for(app, d.person), tamper=tamper)
    assert r.status_code == 422
    assert r.get_json()["error"] in ("chip_sod_hash_mismatch", "chip_lds_invalid", "chip_tlv_invalid")


def test_a_card_signed_by_an_untrusted_pki_is_refused(phone_and_person, app):
    phone, d = phone_and_person
    r, _ = read(phone, card_for(app, d.person, pki=generate_pki(now=START)))
    assert r.status_code == 422 and r.get_json()["error"] == "chip_untrusted_signer"


def test_a_revoked_document_signer_is_refused(phone_and_person, app):
    phone, d = phone_and_person
    pki = development_pki(app.instance_path)
    revoked = pki.with_revoked(pki.document_signer.certificate.serial_number, now=START)
    app.extensions["eid.trust_store"] = revoked.trust_store()
    r, _ = read(phone, card_for(app, d.person))
    assert r.status_code == 422 and r.get_json()["error"] == "chip_revoked_signer"


def test_an_expired_card_is_refused(phone_and_person, app):
    phone, d = phone_and_person
    holder = replace(card_holder(d.person, today=START.date()),
                     expiry_date=START.date() - timedelta(days=1))
    r, _ = read(phone, card_for(app, d.person, holder=holder))
    assert r.status_code == 422 and r.get_json()["error"] == "chip_document_expired"


def test_someone_elses_card_is_a_data_mismatch(phone_and_person, app):
    from tests.flows import demo

    phone, _ = phone_and_person
    r, _ = read(phone, card_for(app, demo(6).person))
    assert r.status_code == 422 and r.get_json()["error"] == "chip_data_mismatch"


def test_missing_active_authentication_is_refused(phone_and_person, app):
    phone, d = phone_and_person
    r, _ = read(phone, card_for(app, d.person), aa=False)
    assert r.status_code == 422 and r.get_json()["error"] == "chip_aa_missing"


def test_a_replayed_reading_is_refused(phone_and_person, app):
    phone, d = phone_and_person
    card = card_for(app, d.person)
    r, session = read(phone, card)
    assert r.status_code == 200
    r, _ = read(phone, card, session=session)
    assert r.status_code == 422 and r.get_json()["error"] == "chip_aa_replayed"


def test_an_expired_session_is_refused(phone_and_person, app, clock):
    phone, d = phone_and_person
    session = phone.call("POST", "chip/sessions", {"purpose": "level1_online"}).get_json()
    clock.advance(minutes=6)
    r, _ = read(phone, card_for(app, d.person), session=session)
    assert r.status_code == 422 and r.get_json()["error"] == "chip_session_expired"


@pytest.mark.parametrize("files", [{"SOD": "not base64!"}, {}])
def test_bad_uploads_get_clear_errors(phone_and_person, files):
    phone, _ = phone_and_person
    session = phone.call("POST", "chip/sessions", {"purpose": "level1_online"}).get_json()
    r = phone.call("POST", f"chip/sessions/{session['chip_session_id']}/read", {"files": files})
    assert 400 <= r.status_code < 500 and r.get_json()["error"]


def test_a_lost_phone_is_replaced_by_reading_the_chip(client, app):
    d = register(client, 7)
    old = Phone(client, app).login(d)
    new = Phone(client, app).login(d, activate=False)
    r, session = read(new, card_for(app, d.person), purpose="rebind")
    assert r.status_code == 200, r.get_json()
    r = new.activate(d, chip_session_id=session["chip_session_id"])
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["device"]["bound_by"] == "chip"
    assert old.call("GET", "me").status_code == 401
    other = Phone(client, app).login(d, activate=False)
    r = other.activate(d, chip_session_id=session["chip_session_id"])  # the reading is spent
    assert r.status_code == 400 and r.get_json()["fields"]["chip_session_id"] == "chip_not_verified"
