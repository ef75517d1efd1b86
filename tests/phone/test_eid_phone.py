"""``eid-phone`` against a live server, as the issue's demo script runs it."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.flows import STRONG, demo
from tests.live import LiveServer

pytestmark = pytest.mark.xdist_group("live")


@pytest.fixture(scope="module")
def server(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("phone-live")
    db = tmp / "live.sqlite3"
    shutil.copyfile(template_db, db)
    # every test of this module signs up and in from 127.0.0.1 within a minute or so:
    # the per-IP budgets of a crowd behind one address, not of one person
    crowd = {f"EID_RATE_LIMIT_{name}": "1000/minute" for name in ("IP_CAPTCHA", "IP_REGISTER",
                                                                   "IP_SIGNIN", "IP_OTP")}
    s = LiveServer(f"sqlite:///{db}", tmp, **crowd)
    yield s
    s.stop()


def phone(server: Any, profile: Path, *args: str, ok: bool = True) -> Any:
    cmd = [sys.executable, "-m", "eid.phone.cli", "--server", server.url, "--profile", str(profile),
           "--json", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False,
                       cwd=profile.parent)  # never the server's folder
    if ok:
        assert r.returncode == 0, r.stdout + r.stderr
    out = json.loads(r.stdout) if r.stdout.strip().startswith("{") else None
    return out if ok else (r.returncode, out, r.stderr)


def test_register_login_devices_dependents_and_act_as(server, tmp_path):
    from eid.accounts.forms import age_on
    from tests.conftest import START

    n = next(i for i in range(1, 51) if demo(i).companies and
             any(age_on(c.birth_date, START.date()) < 14 for c in demo(i).children))
    p = tmp_path / "p1"
    reg = phone(server, p, "register", "--demo-citizen", str(n), "--dev-otp", "--password", STRONG)
    assert reg["registered"] and reg["account"]["level"] == 1
    assert reg["details"]["permanent_address"] == demo(n).person.permanent_address  # after the code
    login = phone(server, p, "login", "--dev-otp", "--password", STRONG)
    assert login["token_type"] == "DPoP" and login["device"]["active"]
    devices = phone(server, p, "devices")["devices"]
    assert len(devices) == 1 and devices[0]["bound_by"] == "first"
    added = phone(server, p, "dependents", "add", "--demo-citizen", str(n), "--demo-child")
    assert added["id_number"] == demo(n).children[0].id_number
    assert phone(server, p, "dependents")["dependents"][0]["id"] == added["id"]
    company = demo(n).companies[0].company_id
    acted = phone(server, p, "act-as", company)
    assert acted["acting_for"]["id"] == company
    assert phone(server, p, "me")["act"]["id"] == company
    assert phone(server, p, "act-as", "--self")["acting_for"] is None
    assert phone(server, p, "me")["act"] is None


def test_a_second_phone_takes_over_with_the_old_phones_code(server, tmp_path):
    n = 49
    old, new = tmp_path / "old", tmp_path / "new"
    phone(server, old, "register", "--demo-citizen", str(n), "--dev-otp", "--password", STRONG)
    phone(server, old, "login", "--dev-otp", "--password", STRONG)
    code, out, _err = phone(server, new, "login", "--demo-citizen", str(n), "--dev-otp",
                           "--password", STRONG, ok=False)
    assert code == 1 and out["error"] == "old_device_or_chip_required"
    transfer = phone(server, old, "devices", "transfer-code")["code"]
    moved = phone(server, new, "login", "--demo-citizen", str(n), "--dev-otp", "--password", STRONG,
                  "--transfer-code", transfer)
    assert moved["device"]["bound_by"] == "old_device_code"
    code, out, _ = phone(server, old, "me", ok=False)
    assert code == 1 and out["error"] in ("session_expired", "invalid_proof")


def test_registering_with_a_line_in_someone_elses_name_gets_no_code_and_says_what_to_check(
        server, tmp_path):
    d, other = demo(41), demo(40)
    code, out, _err = phone(server, tmp_path / "r", "register", "--id-number", d.person.id_number,
                            "--phone", other.phone, "--qr-text", d.card_qr, "--dev-otp",
                            "--otp-wait", "0.5", "--password", STRONG, ok=False)
    assert code == 1 and out["error"] == "no_otp"
    assert "registered in your own name" in out["message"] and other.phone[-3:] in out["message"]


def test_errors_are_one_clear_line(server, tmp_path):
    code, out, _err = phone(server, tmp_path / "x", "me", ok=False)
    assert code == 1 and out["error"] == "not_signed_in"
    r = subprocess.run([sys.executable, "-m", "eid.phone.cli", "--server", "http://127.0.0.1:9",
                        "--profile", str(tmp_path / "y"), "login", "--demo-citizen", "1",
                        "--password", "x"], capture_output=True, text=True, timeout=30, check=False)
    assert r.returncode == 1 and "Cannot reach" in r.stderr and "Traceback" not in r.stderr


def test_signin_by_mobile_number(server, tmp_path):
    out = phone(server, tmp_path / "m", "signin-mobile", "--demo-citizen", "48", "--dev-otp")
    assert out["signed_in"] and out["postal_code_on_record"] == demo(48).person.postal_code


def test_read_chip_level_1_online_and_rebind_a_lost_phone_by_chip(server, tmp_path):
    """The phone runs in a folder of its own: the card comes over HTTP from the server,
    whose instance folder (and development PKI) the phone never sees."""
    n = 47
    old, new = tmp_path / "old", tmp_path / "new"
    assert not (tmp_path / "chip-pki").exists() and server.log.parent != tmp_path
    phone(server, old, "register", "--demo-citizen", str(n), "--dev-otp", "--password", STRONG)
    phone(server, old, "login", "--dev-otp", "--password", STRONG)
    out = phone(server, old, "read-chip", "--simulated")
    assert out["verified"] and out["level1_online"] and out["access"] == "PACE"
    moved = phone(server, new, "login", "--demo-citizen", str(n), "--dev-otp", "--password", STRONG,
                  "--chip", "--simulated")
    assert moved["device"]["bound_by"] == "chip"
    code, out, _err = phone(server, old, "me", ok=False)
    assert code == 1
    assert not (tmp_path / "chip-pki").exists() and not (tmp_path / "instance").exists()


def test_read_chip_with_a_card_the_server_does_not_trust(server, tmp_path):
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives.asymmetric import ec

    from eid.accounts.card_holder import card_holder
    from eid.app.views.dev import simulated_card_body
    from eid.nfc.sim.issuer import issue_card
    from eid.nfc.sim.pki import generate_pki

    now = datetime.now(UTC)
    foreign = issue_card(card_holder(demo(46).person, today=now.date()),
                         generate_pki(now=now).document_signer, now=now,
                         aa_key=ec.generate_private_key(ec.SECP256R1()))
    card = tmp_path / "foreign-card.json"
    card.write_text(json.dumps(simulated_card_body(foreign)))
    p = tmp_path / "x"
    phone(server, p, "register", "--demo-citizen", "46", "--dev-otp", "--password", STRONG)
    phone(server, p, "login", "--dev-otp", "--password", STRONG)
    code, out, _err = phone(server, p, "read-chip", "--simulated", "--card-file", str(card), ok=False)
    assert code == 1 and out["error"] == "chip_untrusted_signer"


def test_read_chip_with_a_broken_card_file_is_one_clear_error(server, tmp_path):
    p = tmp_path / "x"
    phone(server, p, "register", "--demo-citizen", "45", "--dev-otp", "--password", STRONG)
    phone(server, p, "login", "--dev-otp", "--password", STRONG)
    card = tmp_path / "card.json"
    card.write_text('{"can": "123456", "files": {"DG1": "not base64!"}}')
    code, out, err = phone(server, p, "read-chip", "--simulated", "--card-file", str(card), ok=False)
    assert code == 1 and out["error"] == "bad_simulated_card" and "Traceback" not in err
    code, _out, err = phone(server, p, "read-chip", "--simulated", "--card-file", str(tmp_path / "no"),
                            ok=False)
    assert code == 2 and "cannot read the simulated card" in err and "Traceback" not in err


def test_read_chip_simulated_for_someone_the_server_does_not_know(server, tmp_path):
    p = tmp_path / "x"
    phone(server, p, "register", "--demo-citizen", "44", "--dev-otp", "--password", STRONG)
    phone(server, p, "login", "--dev-otp", "--password", STRONG)
    me = json.loads((p / "me.json").read_text())
    (p / "me.json").write_text(json.dumps({**me, "id_number": "001099999999"}))
    code, out, err = phone(server, p, "read-chip", "--simulated", ok=False)
    assert code == 1 and out["error"] == "not_found" and out["status"] == 404
    assert "Traceback" not in err
