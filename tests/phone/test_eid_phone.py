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
    s = LiveServer(f"sqlite:///{db}", tmp)
    yield s
    s.stop()


def phone(server: Any, profile: Path, *args: str, ok: bool = True) -> Any:
    cmd = [sys.executable, "-m", "eid.phone.cli", "--server", server.url, "--profile", str(profile),
           "--json", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)
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
    n = 47
    pki = str(server.log.parent)  # the live server's instance folder holds its development PKI
    old, new = tmp_path / "old", tmp_path / "new"
    phone(server, old, "register", "--demo-citizen", str(n), "--dev-otp", "--password", STRONG)
    phone(server, old, "login", "--dev-otp", "--password", STRONG)
    out = phone(server, old, "read-chip", "--simulated", "--pki-dir", pki)
    assert out["verified"] and out["level1_online"] and out["access"] == "PACE"
    moved = phone(server, new, "login", "--demo-citizen", str(n), "--dev-otp", "--password", STRONG,
                  "--chip", "--simulated", "--pki-dir", pki)
    assert moved["device"]["bound_by"] == "chip"
    code, out, _err = phone(server, old, "me", ok=False)
    assert code == 1


def test_read_chip_with_a_card_the_server_does_not_trust(server, tmp_path):
    p = tmp_path / "x"
    phone(server, p, "register", "--demo-citizen", "46", "--dev-otp", "--password", STRONG)
    phone(server, p, "login", "--dev-otp", "--password", STRONG)
    code, out, _err = phone(server, p, "read-chip", "--simulated", "--pki-dir", str(tmp_path / "other"),
                            ok=False)
    assert code == 1 and out["error"] == "chip_untrusted_signer"
