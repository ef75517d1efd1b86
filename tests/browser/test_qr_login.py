"""Desktop QR login in Debian's chromium, with ``eid-phone`` as the phone: the page
shows a QR, the test screenshots and decodes it, the phone scans and approves."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.flows import STRONG
from tests.live import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
DEMO = 43


def phone(server_url: str, profile: Path, *args: str, ok: bool = True) -> Any:
    r = subprocess.run([sys.executable, "-m", "eid.phone.cli", "--server", server_url, "--profile",
                        str(profile), "--json", *args], capture_output=True, text=True, timeout=60,
                       check=False)
    if ok:
        assert r.returncode == 0, r.stdout + r.stderr
    return json.loads(r.stdout) if r.stdout.strip().startswith("{") else {"stderr": r.stderr}


def start_server(template_db: Path, tmp: Path, **env: str) -> LiveServer:
    db = tmp / f"{uuid.uuid4().hex}.sqlite3"
    shutil.copyfile(template_db, db)
    return LiveServer(f"sqlite:///{db}", tmp, **env)


@pytest.fixture(scope="module")
def qr_live(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("qr-live")
    server = start_server(template_db, tmp)
    profile = tmp / "phone"
    phone(server.url, profile, "register", "--demo-citizen", str(DEMO), "--dev-otp", "--password", STRONG)
    phone(server.url, profile, "login", "--dev-otp", "--password", STRONG)
    yield server, profile
    server.stop()


def shown_uri(page: Any) -> str:
    from eid.accounts.qr_image import decode_first

    img = page.get_by_test_id("qr-code")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=qr-code]').src.startsWith('data:image/svg')")
    text = decode_first(img.screenshot())
    assert text and text.startswith("eid://qr-login/v1?"), text
    return text


def wait_state(page: Any, name: str, timeout: int = 5000) -> None:
    page.wait_for_function("(s) => document.querySelector('[data-testid=login-state]').dataset.state === s",
                           arg=name, timeout=timeout)


def wait_number(page: Any) -> str:
    page.wait_for_function(
        "() => document.querySelector('[data-testid=match-number]').textContent.trim() !== ''")
    return str(page.get_by_test_id("match-number").inner_text())


def state(page: Any) -> str:
    return str(page.get_by_test_id("login-state").get_attribute("data-state"))


def test_scan_and_approve_signs_the_browser_in_within_a_second(page, qr_live):
    server, profile = qr_live
    page.goto(f"{server.url}/login")
    uri = shown_uri(page)
    scanned = phone(server.url, profile, "scan", uri)
    assert len(scanned["numbers"]) == 3 and scanned["browser"].startswith(("Chrome", "Chromium"))
    number = int(wait_number(page))
    assert number in scanned["numbers"]
    phone(server.url, profile, "approve", "--number", str(number))
    t0 = time.monotonic()
    page.wait_for_url("**/account", timeout=5000)
    assert time.monotonic() - t0 < 1.0
    assert page.get_by_test_id("account-name").inner_text().strip()
    sessions = phone(server.url, profile, "web-sessions")["sessions"]
    assert any(s["kind"] == "qr" for s in sessions)


def test_deny_shows_denied(page, qr_live):
    server, profile = qr_live
    page.goto(f"{server.url}/login")
    phone(server.url, profile, "scan", shown_uri(page))
    wait_state(page, "scanned")
    phone(server.url, profile, "deny")
    wait_state(page, "denied")
    assert state(page) == "denied"


def test_revoking_from_the_phone_drops_the_browser_at_once(page, qr_live):
    server, profile = qr_live
    page.goto(f"{server.url}/login")
    phone(server.url, profile, "scan", shown_uri(page))
    phone(server.url, profile, "approve", "--number", wait_number(page))
    page.wait_for_url("**/account")
    page.wait_for_timeout(500)  # the account page's socket connects
    sid = max(s["id"] for s in phone(server.url, profile, "web-sessions")["sessions"] if s["kind"] == "qr")
    phone(server.url, profile, "web-sessions", "revoke", str(sid))
    page.wait_for_url("**/login*", timeout=3000)


@pytest.fixture(scope="module")
def fast_live(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("qr-fast")
    server = start_server(template_db, tmp, EID_QR_LIFETIME_SECONDS="9", EID_QR_TTL_SECONDS="4",
                          EID_QR_MAX_ROTATIONS="5")
    profile = tmp / "phone"
    phone(server.url, profile, "register", "--demo-citizen", str(DEMO - 1), "--dev-otp",
          "--password", STRONG)
    phone(server.url, profile, "login", "--dev-otp", "--password", STRONG)
    yield server, profile
    server.stop()


def test_rotation_changes_the_code_and_the_old_one_is_dead(page, fast_live):
    server, profile = fast_live
    page.goto(f"{server.url}/login")
    first = shown_uri(page)
    page.wait_for_function("(u) => document.querySelector('[data-testid=qr-code]').dataset.uri !== u",
                           arg=first, timeout=8000)
    second = shown_uri(page)
    assert second != first
    out = phone(server.url, profile, "scan", first, ok=False)
    assert "no longer valid" in out.get("stderr", "") or out.get("error") == "invalid_qr"


def test_expiry_shows_expired_and_try_again(page, fast_live):
    server, _ = fast_live
    page.goto(f"{server.url}/login")
    shown_uri(page)
    wait_state(page, "expired", timeout=15000)
    assert page.get_by_test_id("qr-retry").is_visible()
    page.get_by_test_id("qr-retry").click()
    wait_state(page, "waiting")


@pytest.mark.redis
def test_two_server_processes_sharing_redis(page, template_db, tmp_path, redis_url):
    prefix = f"eid-e2e-{uuid.uuid4().hex[:8]}"
    db = tmp_path / "shared.sqlite3"
    shutil.copyfile(template_db, db)
    env = {"REDIS_URL": redis_url, "EID_REDIS_PREFIX": prefix}
    a = LiveServer(f"sqlite:///{db}", tmp_path, **env)
    b = LiveServer(f"sqlite:///{db}", tmp_path, **env)
    try:
        profile = tmp_path / "phone"
        phone(b.url, profile, "register", "--demo-citizen", str(DEMO - 2), "--dev-otp", "--password", STRONG)
        phone(b.url, profile, "login", "--dev-otp", "--password", STRONG)
        page.goto(f"{a.url}/login")  # the desktop waits on A
        phone(b.url, profile, "scan", shown_uri(page))  # the phone talks to B
        phone(b.url, profile, "approve", "--number", wait_number(page))
        page.wait_for_url("**/account", timeout=5000)
        assert page.url.startswith(a.url)
    finally:
        a.stop()
        b.stop()
