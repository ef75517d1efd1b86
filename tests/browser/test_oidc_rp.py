"""A sample relying party, written here with the independent ``oic`` library and served
on its own loopback port, signs a seeded citizen in at eid through Debian's chromium:
once by the QR approved with ``eid-phone`` (a level-2 account: ``LoA2``), once by ID +
password + OTP (``LoA1``, the OTP read from the dev SMS outbox). The RP verifies the ID
token, reads userinfo, and gets the back-channel logout token when the phone revokes
the web session."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.browser.test_qr_login import phone, shown_uri, wait_number
from tests.conftest import make_env
from tests.flows import STRONG
from tests.live import LiveServer, free_port

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
DEMO = 47


class RelyingParty(BaseHTTPRequestHandler):
    """The RP's own web server: the redirect_uri and the back-channel logout endpoint."""

    callbacks: ClassVar[list[dict[str, str]]] = []
    logout_tokens: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/cb":
            RelyingParty.callbacks.append({k: v[0] for k, v in parse_qs(url.query).items()})
        body = b'<!doctype html><title>RP</title><p data-testid="rp-done">signed in</p>'
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        RelyingParty.logout_tokens.append(parse_qs(self.rfile.read(length).decode())["logout_token"][0])
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_a: Any) -> None:
        return None


@pytest.fixture(scope="module")
def world(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """eid served on its own port (issuer = that origin), the RP registered and serving,
    and a seeded citizen with ``eid-phone`` registered, signed in and raised to level 2."""
    from sqlalchemy import create_engine, text

    from eid.accounts.registries.generator import demo_citizen

    tmp = tmp_path_factory.mktemp("oidc-browser")
    db = tmp / "live.sqlite3"
    shutil.copyfile(template_db, db)
    rp_server = HTTPServer(("127.0.0.1", 0), RelyingParty)
    rp_url = f"http://127.0.0.1:{rp_server.server_address[1]}"
    threading.Thread(target=rp_server.serve_forever, daemon=True).start()
    from eid.app import create_app

    admin = create_app(make_env(f"sqlite:///{db}", tmp, EID_SECRET_KEY="l" * 40))
    out = (
        admin.test_cli_runner()
        .invoke(
            args=[
                "oidc",
                "client",
                "add",
                "--name",
                "Cổng DVC Quảng Ngãi",
                "--redirect-uri",
                f"{rp_url}/cb",
                "--backchannel-logout-uri",
                f"{rp_url}/bcl",
            ]
        )
        .output
    )
    rp = json.loads(out)
    port = free_port()
    with patch("tests.live.free_port", return_value=port):
        server = LiveServer(f"sqlite:///{db}", tmp, EID_OIDC_ISSUER=f"http://127.0.0.1:{port}")
    profile = tmp / "phone"
    phone(server.url, profile, "register", "--demo-citizen", str(DEMO), "--dev-otp", "--password", STRONG)
    phone(server.url, profile, "login", "--dev-otp", "--password", STRONG)
    person = demo_citizen(DEMO)
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:  # an officer's in-person check, seeded: level 2
        conn.execute(
            text("UPDATE account SET level = 2 WHERE id_number = :n"), {"n": person.person.id_number}
        )
    engine.dispose()
    yield server, rp, rp_url, profile, person
    server.stop()
    rp_server.shutdown()
    rp_server.server_close()


def oic_client(server: Any, rp: dict[str, Any], redirect: str) -> Any:
    from oic.oic import Client, RegistrationResponse
    from oic.utils.authn.client import CLIENT_AUTHN_METHOD

    c = Client(client_authn_method=CLIENT_AUTHN_METHOD)
    c.provider_config(server.url)
    c.store_registration_info(
        RegistrationResponse(
            client_id=rp["client_id"], client_secret=rp["client_secret"], redirect_uris=[redirect]
        )
    )
    return c


def start(c: Any, rp: dict[str, Any], redirect: str, acr_values: str) -> tuple[str, str, str, str]:
    state, nonce = secrets.token_hex(8), secrets.token_hex(8)
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    req = c.construct_AuthorizationRequest(
        request_args={
            "client_id": rp["client_id"],
            "response_type": "code",
            "scope": ["openid", "profile", "dvcqg"],
            "nonce": nonce,
            "redirect_uri": redirect,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "acr_values": acr_values,
        }
    )
    return req.request(c.authorization_endpoint), state, nonce, verifier


def allow_consent_if_asked(page: Any) -> None:
    if "/oidc/" in page.url and page.get_by_test_id("oidc-consent").count():
        page.locator("button[name=decision][value=allow]").click()


def finish(c: Any, page: Any, redirect: str, state: str, nonce: str, verifier: str) -> tuple[Any, Any]:
    """The RP's side after the browser reached its redirect_uri: code, tokens, userinfo."""
    from oic.oic.message import AccessTokenResponse, AuthorizationResponse, OpenIDSchema

    page.wait_for_function("() => !!document.querySelector('[data-testid=rp-done]')", timeout=10_000)
    cb = RelyingParty.callbacks[-1]
    assert cb.get("state") == state and "code" in cb, cb
    aresp = c.parse_response(AuthorizationResponse, info=cb, sformat="dict", state=state)
    tokens = c.do_access_token_request(
        state=state,
        authn_method="client_secret_basic",
        request_args={"code": aresp["code"], "code_verifier": verifier, "redirect_uri": redirect},
    )
    assert isinstance(tokens, AccessTokenResponse), tokens
    idt = tokens["id_token"]  # verified by oic: signature from the JWKS, iss, aud, nonce, exp
    assert idt["nonce"] == nonce and idt["sid"] and idt["auth_time"] <= time.time() + 1
    info = c.do_user_info_request(state=state, method="GET")
    assert isinstance(info, OpenIDSchema) and info["sub"] == idt["sub"]
    return idt, info


def wait_for(received: list[Any], seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)


def test_qr_sign_in_approved_on_the_phone_gives_the_rp_loa2_and_phone_revocation_logs_it_out(page, world):
    from oic.oic.message import LogoutToken

    server, rp, rp_url, profile, person = world
    redirect = f"{rp_url}/cb"
    c = oic_client(server, rp, redirect)
    url, state, nonce, verifier = start(c, rp, redirect, "LoA2")
    page.goto(url)
    page.wait_for_url(re.compile(r".*/login\?.*"))
    phone(server.url, profile, "scan", shown_uri(page))
    phone(server.url, profile, "approve", "--number", wait_number(page))
    page.wait_for_url(re.compile(r".*/(oidc/authorize/resume|cb)\?.*"), timeout=10_000)
    allow_consent_if_asked(page)
    idt, info = finish(c, page, redirect, state, nonce, verifier)
    assert idt["acr"] == "LoA2" and "hwk" in idt["amr"]
    assert info["SoDinhDanh"] == person.person.id_number and info["HoVaTen"] == person.person.full_name

    sid = max(s["id"] for s in phone(server.url, profile, "web-sessions")["sessions"] if s["kind"] == "qr")
    RelyingParty.logout_tokens.clear()
    phone(server.url, profile, "web-sessions", "revoke", str(sid))
    wait_for(RelyingParty.logout_tokens)
    assert RelyingParty.logout_tokens, "no back-channel logout token reached the RP"
    lt = LogoutToken().from_jwt(RelyingParty.logout_tokens[0], keyjar=c.keyjar)
    assert lt.verify(keyjar=c.keyjar, iss=server.url, aud=rp["client_id"])
    assert lt["sid"] == idt["sid"] and lt["sub"] == idt["sub"] and "nonce" not in lt.to_dict()


def otp_after(server: Any, to: str, after: int) -> str:
    end = time.monotonic() + 10
    while time.monotonic() < end:
        msgs = requests.get(f"{server.url}/dev/sms", params={"to": to}, timeout=5).json()["messages"]
        for m in reversed(msgs):
            code = re.search(r"\b(\d{6})\b", m["text"])
            if int(m["id"]) > after and code:
                return code.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no new OTP for {to}")


def last_sms(server: Any, to: str) -> int:
    msgs = requests.get(f"{server.url}/dev/sms", params={"to": to}, timeout=5).json()["messages"]
    return int(msgs[0]["id"]) if msgs else 0


def test_password_and_otp_sign_in_reaches_the_rp_through_chromium_with_loa1(page, world):
    server, rp, rp_url, _profile, person = world
    redirect = f"{rp_url}/cb"
    c = oic_client(server, rp, redirect)
    url, state, nonce, verifier = start(c, rp, redirect, "LoA1")
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(url)
    page.wait_for_url(re.compile(r".*/login\?.*"))
    page.goto(page.url.replace("tab=qr", "tab=password"))
    page.get_by_test_id("id_number").fill(person.person.id_number)
    page.get_by_test_id("password").fill(STRONG)
    cid = page.locator("input[name=captcha_id]").input_value()
    page.get_by_test_id("captcha").fill(
        str(requests.get(f"{server.url}/dev/captcha/{cid}", timeout=5).json()["answer"])
    )
    before = last_sms(server, person.phone)
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r".*/login/otp.*"))
    page.get_by_test_id("code").fill(otp_after(server, person.phone, before))
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r".*/(oidc/authorize/resume|cb)\?.*"), timeout=10_000)
    allow_consent_if_asked(page)
    idt, info = finish(c, page, redirect, state, nonce, verifier)
    assert not blocked, blocked
    assert idt["acr"] == "LoA1" and "otp" in idt["amr"]
    assert info["SoDinhDanh"] == person.person.id_number
