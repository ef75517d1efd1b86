"""``GET /dev/chip/simulated-card/<ID>``: a development server issues simulated chip
cards its own trust store accepts; the phone rebuilds and reads them (eid.phone.chip)."""
from __future__ import annotations

import base64
from typing import Any

import pytest

from eid.accounts.registries.generator import generate
from eid.nfc.reader import read_card
from eid.nfc.verify import verify_card_read
from eid.phone.chip import BadSimulatedCard, read_body, simulated_chip
from tests.conftest import REGISTRY_COUNT, START
from tests.flows import demo

URL = "/dev/chip/simulated-card/{}"
CHALLENGE = bytes(range(8))


def card_of(client: Any, id_number: str) -> Any:
    return client.get(URL.format(id_number))


def test_a_simulated_card_reads_and_verifies_against_the_servers_trust_store(app, client):
    from eid.web.chip_pki import development_pki, trust_store_of

    person = demo(3).person
    r = card_of(client, person.id_number)
    assert r.status_code == 200, r.get_json()
    assert r.headers["Cache-Control"] == "no-store"
    body = r.get_json()
    assert body["id_number"] == person.id_number and body["can"] == person.id_number[-6:]
    assert {"COM", "SOD", "DG1", "DG2", "DG13", "DG14", "DG15", "CardAccess"} <= set(body["files"])
    chip = simulated_chip(body)
    got = read_card(chip, can=body["can"], challenge=CHALLENGE)
    assert got.access == "PACE" and got.aa_signature
    files = {k: base64.b64decode(v) for k, v in read_body(got)["files"].items()}
    assert files == got.files
    v = verify_card_read(got.files, got.aa_signature, CHALLENGE, trust_store_of(app), START)
    signer = development_pki(app.instance_path).document_signer.certificate
    assert v.active_authenticated and v.document_signer_serial == signer.serial_number


def test_every_card_has_a_fresh_aa_key(client):
    idn = demo(3).person.id_number
    assert card_of(client, idn).get_json()["aa_private_key"] != \
        card_of(client, idn).get_json()["aa_private_key"]


def test_an_old_cmnd_number_gets_the_persons_cccd(client):
    person = next(p for p in generate(REGISTRY_COUNT).people if p.old_id_number)
    r = card_of(client, person.old_id_number)
    assert r.status_code == 200 and r.get_json()["id_number"] == person.id_number


def _iranian() -> str:
    return next(p.id_number for p in generate(REGISTRY_COUNT).people if len(p.id_number) == 10)


@pytest.mark.parametrize(("id_number", "status", "error", "field"), [
    ("001099999999", 404, "not_found", None),          # well formed, nobody has it
    ("12345678901", 400, "invalid_input", "id_number"),  # eleven digits
    ("abc", 400, "invalid_input", "id_number"),
    ("999012345678", 400, "invalid_input", "id_number"),  # no such province
    ("iranian", 400, "invalid_input", "id_number"),  # a national code, no chip card
])
def test_bad_ids_get_a_clear_json_error(client, id_number, status, error, field):
    r = card_of(client, _iranian() if id_number == "iranian" else id_number)
    body = r.get_json()
    assert r.status_code == status, body
    assert body["error"] == error and body["message"]
    if field:
        assert field in body["fields"]


def test_other_methods_are_refused_without_a_500(client):
    r = client.post(URL.format(demo(3).person.id_number), data="{not json", content_type="application/json")
    assert r.status_code in (400, 405) and r.get_json()["error"]


@pytest.mark.parametrize("body", [
    {},
    {"can": "123456", "files": {"DG1": "not base64!"}},
    {"can": "123456", "files": {"DG1": base64.b64encode(b"\x61\x00").decode()}},
    {"can": "123456", "files": "DG1"},
])
def test_the_phone_refuses_a_malformed_card(body):
    with pytest.raises(BadSimulatedCard):
        simulated_chip(body)


def test_the_phone_refuses_a_card_with_a_bad_aa_key(client):
    body = card_of(client, demo(3).person.id_number).get_json()
    with pytest.raises(BadSimulatedCard):
        simulated_chip({**body, "aa_private_key": base64.b64encode(b"junk").decode()})


def test_production_has_no_simulated_cards(tmp_path):
    from eid.app import create_app

    env = {"EID_ENV": "production", "EID_SECRET_KEY": "s" * 40,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
           "SMS_GATEWAY_URL": "http://127.0.0.1:9/sms", "EID_PUBLIC_URL": "https://eid.example"}
    app = create_app(env)
    r = app.test_client().get(URL.format(demo(3).person.id_number))
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"
    assert not (tmp_path / "chip-pki").exists()
