"""A relying party written with an independent OpenID Connect library (``oic``, not the
provider's own Authlib) against the served app over HTTP: discovery, code + PKCE, PAR,
the ID token verified by the library, userinfo, refresh, RP-initiated logout, and the
back-channel logout token delivered to the relying party's own little server."""

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
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from tests.conftest import make_env
from tests.flows import STRONG, register
from tests.live import LiveServer, free_port

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("oidc-live")]
CALLBACK = "http://127.0.0.1:9/cb"  # never contacted: the test reads the redirect


class HttpClient:
    """Just enough of the Flask test client's interface for tests.flows, over HTTP."""

    def __init__(self, base: str) -> None:
        self.base, self.s = base, requests.Session()

    def _wrap(self, r: requests.Response) -> Any:
        r.get_json = r.json  # type: ignore[attr-defined]
        return r

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self._wrap(self.s.post(self.base + path, json=json, timeout=10, **kw))

    def get(self, path: str, query_string: Any = None) -> Any:
        return self._wrap(self.s.get(self.base + path, params=query_string, timeout=10))


class Backchannel(BaseHTTPRequestHandler):
    received: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = parse_qs(self.rfile.read(length).decode())
        Backchannel.received.append(body["logout_token"][0])
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_a: Any) -> None:
        return None


@pytest.fixture(scope="module")
def live(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("oidc-live")
    db = tmp / "live.sqlite3"
    shutil.copyfile(template_db, db)
    port, bcl_port = free_port(), free_port()
    bcl = HTTPServer(("127.0.0.1", bcl_port), Backchannel)
    threading.Thread(target=bcl.serve_forever, daemon=True).start()
    from eid.app import create_app

    admin = create_app(make_env(f"sqlite:///{db}", tmp, EID_SECRET_KEY="l" * 40))
    run = admin.test_cli_runner().invoke
    rp = json.loads(
        run(
            args=[
                "oidc",
                "client",
                "add",
                "--name",
                "Cổng DVC Tây Ninh",
                "--redirect-uri",
                CALLBACK,
                "--post-logout-uri",
                "http://127.0.0.1:9/bye",
                "--backchannel-logout-uri",
                f"http://127.0.0.1:{bcl_port}/bcl",
            ]
        ).output
    )
    with patch("tests.live.free_port", return_value=port):
        server = LiveServer(f"sqlite:///{db}", tmp, EID_OIDC_ISSUER=f"http://127.0.0.1:{port}")
    http = HttpClient(server.url)
    citizen = register(http, 7)
    http.s.close()
    yield server, rp, citizen
    server.stop()
    bcl.shutdown()
    bcl.server_close()


def oic_client(server: Any, rp: dict[str, Any]) -> Any:
    from oic.oic import Client, RegistrationResponse
    from oic.utils.authn.client import CLIENT_AUTHN_METHOD

    c = Client(client_authn_method=CLIENT_AUTHN_METHOD)
    c.provider_config(server.url)
    c.store_registration_info(
        RegistrationResponse(
            client_id=rp["client_id"], client_secret=rp["client_secret"], redirect_uris=[CALLBACK]
        )
    )
    return c


def browser_signin(server: Any, browser: requests.Session, url: str, citizen: Any) -> dict[str, str]:
    """The person in a browser: the authorization URL, the portal's password + OTP, consent."""
    r = browser.get(url, allow_redirects=False, timeout=10)
    for _ in range(12):
        loc = r.headers.get("Location")
        if loc and loc.startswith(CALLBACK):
            return {k: v[0] for k, v in parse_qs(urlsplit(loc).query).items()}
        if loc:
            target = urljoin(server.url, loc)
            if urlsplit(target).path == "/login":
                target = target.replace("tab=qr", "tab=password")
            r = browser.get(target, allow_redirects=False, timeout=10)
            continue
        page = r.text
        if 'data-testid="oidc-consent"' in page:
            p = re.search(r'name="p" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            r = browser.post(
                server.url + "/oidc/consent",
                allow_redirects=False,
                timeout=10,
                data={"csrf_token": _csrf(page), "p": p, "decision": "allow"},
            )
            continue
        r = _password_and_otp(server, browser, page, citizen)
    raise AssertionError("the flow did not reach the relying party")


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def _password_and_otp(server: Any, browser: requests.Session, page: str, citizen: Any) -> requests.Response:
    cid = re.search(r'name="captcha_id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    nxt = re.search(r'name="next" value="([^"]*)"', page).group(1).replace("&amp;", "&")  # type: ignore[union-attr]
    answer = browser.get(f"{server.url}/dev/captcha/{cid}", timeout=10).json()["answer"]
    r = browser.post(
        server.url + "/login",
        allow_redirects=False,
        timeout=10,
        data={
            "csrf_token": _csrf(page),
            "id_number": citizen.person.id_number,
            "password": STRONG,
            "captcha_id": cid,
            "captcha": answer,
            "next": nxt,
        },
    )
    assert r.status_code == 302, r.text[:300]
    sms = browser.get(f"{server.url}/dev/sms", params={"to": citizen.phone}, timeout=10).json()["messages"]
    code = re.search(r"\b(\d{6})\b", sms[0]["text"]).group(1)  # type: ignore[union-attr]
    return browser.post(
        server.url + "/login/otp",
        data={"csrf_token": _csrf(page), "code": code},
        allow_redirects=False,
        timeout=10,
    )


def pkce() -> tuple[str, str]:
    v = secrets.token_urlsafe(48)
    return v, base64.urlsafe_b64encode(hashlib.sha256(v.encode()).digest()).rstrip(b"=").decode()


def test_an_independent_rp_signs_in_refreshes_reads_userinfo_and_is_logged_out(live):
    from oic.oic.message import AccessTokenResponse, AuthorizationResponse, LogoutToken, OpenIDSchema

    server, rp, citizen = live
    c = oic_client(server, rp)
    assert c.provider_info["issuer"] == server.url
    state, nonce = secrets.token_hex(8), secrets.token_hex(8)
    verifier, challenge = pkce()
    req = c.construct_AuthorizationRequest(
        request_args={
            "client_id": rp["client_id"],
            "response_type": "code",
            "scope": ["openid", "profile", "dvcqg"],
            "nonce": nonce,
            "redirect_uri": CALLBACK,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "acr_values": "LoA1",
        }
    )
    browser = requests.Session()
    request_cleanup = browser.close
    cb = browser_signin(server, browser, req.request(c.authorization_endpoint), citizen)
    assert cb["iss"] == server.url
    aresp = c.parse_response(AuthorizationResponse, info=cb, sformat="dict", state=state)
    tokens = c.do_access_token_request(
        state=state,
        request_args={"code": aresp["code"], "code_verifier": verifier, "redirect_uri": CALLBACK},
        authn_method="client_secret_basic",
    )
    assert isinstance(tokens, AccessTokenResponse), tokens
    idt = tokens["id_token"]  # verified by oic: signature (JWKS), iss, aud, nonce, exp
    assert idt["acr"] == "LoA1" and idt["nonce"] == nonce and idt["sid"]
    info = c.do_user_info_request(state=state, method="GET")
    assert isinstance(info, OpenIDSchema) and info["HoVaTen"] == citizen.person.full_name
    assert info["SoDinhDanh"] == citizen.person.id_number and info["sub"] == idt["sub"]
    end = c.construct_EndSessionRequest(
        state=state, request_args={"post_logout_redirect_uri": "http://127.0.0.1:9/bye", "state": "bye"}
    )
    refreshed = c.do_access_token_refresh(state=state, authn_method="client_secret_basic")
    assert (
        isinstance(refreshed, AccessTokenResponse) and refreshed["refresh_token"] != tokens["refresh_token"]
    )
    Backchannel.received.clear()
    r = browser.get(end.request(c.end_session_endpoint), allow_redirects=False, timeout=10)
    assert r.headers["Location"] == "http://127.0.0.1:9/bye?state=bye"
    deadline = time.monotonic() + 5
    while not Backchannel.received and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Backchannel.received, "no back-channel logout token arrived"
    request_cleanup()
    lt = LogoutToken().from_jwt(Backchannel.received[0], keyjar=c.keyjar)
    assert lt.verify(keyjar=c.keyjar, iss=server.url, aud=rp["client_id"]) and lt["sid"] == idt["sid"]


def test_par_with_the_independent_rp(live):
    from oic.oic.message import AccessTokenResponse, AuthorizationResponse

    server, rp, citizen = live
    c = oic_client(server, rp)
    state, verifier_challenge = secrets.token_hex(8), pkce()
    pushed = requests.post(
        c.provider_info["pushed_authorization_request_endpoint"],
        timeout=10,
        auth=(rp["client_id"], rp["client_secret"]),
        data={
            "client_id": rp["client_id"],
            "response_type": "code",
            "scope": "openid",
            "redirect_uri": CALLBACK,
            "state": state,
            "nonce": "par-nonce",
            "code_challenge": verifier_challenge[1],
            "code_challenge_method": "S256",
        },
    )
    assert pushed.status_code == 201, pushed.text
    url = f"{c.authorization_endpoint}?client_id={rp['client_id']}&request_uri={pushed.json()['request_uri']}"
    with requests.Session() as browser:
        cb = browser_signin(server, browser, url, citizen)
    c.parse_response(AuthorizationResponse, info=cb, sformat="dict", state=state)
    tokens = c.do_access_token_request(
        state=state,
        request_args={"code": cb["code"], "code_verifier": verifier_challenge[0], "redirect_uri": CALLBACK},
        authn_method="client_secret_post",
    )
    assert isinstance(tokens, AccessTokenResponse) and tokens["id_token"]["nonce"] == "par-nonce"
