"""A relying party driven through the Flask test client: register it with the CLI, send
the person through authorization (signed in by password + OTP on the portal), exchange
the code. Plain functions, so each test reads as the steps a portal takes."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.flows import STRONG, last_otp

REDIRECT = "https://rp.example/cb"
ISSUER = "http://localhost"


def add_client(app: Any, *args: str, name: str = "Cổng DVC Quảng Ngãi") -> dict[str, Any]:
    r = app.test_cli_runner().invoke(
        args=["oidc", "client", "add", "--name", name, "--redirect-uri", REDIRECT, *args]
    )
    assert r.exit_code == 0, r.output
    return dict(json.loads(r.output))


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def csrf_of(page: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert m, page[:300]
    return m.group(1)


def web_signin(c: Any, d: Any, *, next_url: str | None = None, login_url: str = "/login?tab=password") -> Any:
    """The portal's password tab, then the OTP page; returns the last response (a redirect)."""
    page = c.get(login_url.replace("tab=qr", "tab=password")).get_data(as_text=True)
    token = csrf_of(page)
    cid = re.search(r'name="captcha_id" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    answer = c.get(f"/dev/captcha/{cid}").get_json()["answer"]
    data = {
        "csrf_token": token,
        "id_number": d.person.id_number,
        "password": STRONG,
        "captcha_id": cid,
        "captcha": answer,
    }
    shown = re.search(r'name="next" value="([^"]*)"', page)
    data["next"] = (
        next_url if next_url is not None else (shown.group(1).replace("&amp;", "&") if shown else "")
    )
    r = c.post("/login", data=data)
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    return c.post("/login/otp", data={"csrf_token": token, "code": last_otp(c, d.phone)})


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def auth_params(rp: dict[str, Any], **over: Any) -> dict[str, str]:
    p = {
        "response_type": "code",
        "client_id": rp["client_id"],
        "redirect_uri": REDIRECT,
        "scope": "openid profile",
        "state": "st-" + secrets.token_hex(4),
        "nonce": "n-" + secrets.token_hex(4),
    }
    p.update({k: v for k, v in over.items() if v is not None})
    return {k: v for k, v in p.items() if v != ""}


def follow(c: Any, r: Any, *, consent: bool = True, limit: int = 8) -> Any:
    """Follow the provider's redirects (and allow on the consent page) until the relying party's."""
    for _ in range(limit):
        if r.status_code == 200 and consent and 'data-testid="oidc-consent"' in r.get_data(as_text=True):
            page = r.get_data(as_text=True)
            p = re.search(r'name="p" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
            r = c.post("/oidc/consent", data={"csrf_token": csrf_of(page), "p": p, "decision": "allow"})
            continue
        if r.status_code not in (301, 302, 303) or r.headers["Location"].startswith(REDIRECT):
            return r
        loc = r.headers["Location"]
        r = c.get(loc[len(ISSUER) :] if loc.startswith(ISSUER) else loc)
    raise AssertionError("too many redirects")


def code_flow(c: Any, rp: dict[str, Any], **over: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Authorize (signed in already) and return the callback's query and the params sent."""
    params = auth_params(rp, **over)
    r = follow(c, c.get("/oidc/authorize", query_string=params))
    assert r.status_code == 302 and r.headers["Location"].startswith(REDIRECT), (
        r.status_code,
        r.headers.get("Location"),
        r.get_data(as_text=True)[:400],
    )
    return query(r.headers["Location"]), params


def basic(rp: dict[str, Any]) -> dict[str, str]:
    raw = f"{rp['client_id']}:{rp['client_secret']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def exchange(
    c: Any, rp: dict[str, Any], code: str, *, headers: dict[str, str] | None = None, **form: str
) -> Any:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, **form}
    h = dict(headers if headers is not None else (basic(rp) if rp.get("client_secret") else {}))
    if not rp.get("client_secret") and "client_id" not in data:
        data["client_id"] = rp["client_id"]
    return c.post("/oidc/token", data=data, headers=h)


def jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    def dec(s: str) -> Any:
        return json.loads(base64.urlsafe_b64decode(s + "=" * (-len(s) % 4)))

    h, b, _ = token.split(".")
    return dec(h), dec(b)
