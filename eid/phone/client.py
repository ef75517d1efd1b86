"""HTTP client for the mobile API that signs requests with the device key (DPoP),
refreshes tokens, and turns error bodies into :class:`ApiError`."""
from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import requests

from eid.accounts import proof
from eid.phone.profile import Profile

API = "/api/mobile/v1"
USER_AGENT = "eid-phone/0.1 (reference client)"


class ApiError(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status, self.body = status, body
        self.code = str(body.get("error", "error"))
        super().__init__(f"{body.get('message', 'request failed')} [{self.code}]")


class Client:
    def __init__(self, server: str, profile: Profile, timeout: float = 15) -> None:
        self.server, self.profile, self.timeout = server.rstrip("/"), profile, timeout
        self.http = requests.Session()
        self.http.headers["User-Agent"] = USER_AGENT

    # -- plumbing -------------------------------------------------------------
    def url(self, path: str) -> str:
        return self.server + (path if path.startswith("/") else f"{API}/{path}")

    def call(self, method: str, path: str, *, json: Any = None, auth: bool = False,
             sign_with: Any = None, files: Any = None, data: Any = None,
             retry: bool = True) -> dict[str, Any]:
        url = self.url(path)
        headers = self.headers(method, url, auth=auth, sign_with=sign_with)
        try:
            r = self.http.request(method, url, json=json, headers=headers, files=files, data=data,
                                  timeout=self.timeout)
        except requests.RequestException as exc:
            raise ApiError(0, {"error": "server_unreachable",
                               "message": f"Cannot reach {self.server}: {exc.__class__.__name__}"}) from exc
        body = _json(r)
        if r.status_code == 401 and auth and retry and body.get("error") == "session_expired" \
                and self.profile.load("tokens").get("refresh_token"):
            self.refresh()
            return self.call(method, path, json=json, auth=auth, sign_with=sign_with, files=files,
                             data=data, retry=False)
        if r.status_code >= 400:
            raise ApiError(r.status_code, body)
        return body

    def headers(self, method: str, url: str, *, auth: bool = True, sign_with: Any = None) -> dict[str, str]:
        """Authorization and, once the phone holds a device key, the DPoP proof for one
        request to ``url`` (absolute)."""
        headers: dict[str, str] = {}
        tokens = self.profile.load("tokens")
        key = sign_with or (self.profile.device_key() if tokens.get("token_type") == "DPoP" else None)
        access = tokens.get("access_token") if auth else None
        if auth:
            if not access:
                raise ApiError(401, {"error": "not_signed_in",
                                     "message": "Sign in first: eid-phone login"})
            headers["Authorization"] = f"{tokens.get('token_type', 'Bearer')} {access}"
        if key is not None:
            headers["DPoP"] = proof.make(key, method=method, url=url, now=datetime.now(UTC),
                                         jti=secrets.token_urlsafe(18), access_token=access)
        return headers

    def refresh(self) -> dict[str, Any]:
        tokens = self.profile.load("tokens")
        body = self.call("POST", "token/refresh", json={"refresh_token": tokens["refresh_token"]},
                         retry=False)
        self.save_tokens(body)
        return body

    def save_tokens(self, body: dict[str, Any]) -> None:
        keep = {k: body.get(k) for k in ("access_token", "refresh_token", "token_type", "expires_in",
                                         "level", "act")}
        keep["account"] = body.get("account")
        self.profile.save("tokens", keep)

    # -- development helpers (only on servers in development or test mode) ----
    def dev_captcha(self) -> dict[str, str]:
        c = self.call("POST", "captcha")
        answer = self.call("GET", f"/dev/captcha/{c['captcha_id']}")["answer"]
        return {"captcha_id": c["captcha_id"], "captcha": answer}

    def dev_otp(self, phone: str, before: str | None, wait: float = 10) -> str:
        """The code in the first message to ``phone`` newer than message ``before``
        (read from /dev/sms, newest first)."""
        end = time.monotonic() + wait
        while True:
            msgs = self.call("GET", f"/dev/sms?to={quote(phone)}&limit=1")["messages"]
            if msgs and str(msgs[0]["id"]) != str(before):
                code = re.search(r"\b(\d{6})\b", msgs[0]["text"])
                if code:
                    return code.group(1)
            if time.monotonic() > end:
                raise ApiError(0, {"error": "no_otp", "message": f"No OTP arrived for {phone}"})
            time.sleep(0.1)

    def last_sms_id(self, phone: str) -> str | None:
        msgs = self.call("GET", f"/dev/sms?to={quote(phone)}&limit=1")["messages"]
        return str(msgs[0]["id"]) if msgs else None


def _json(r: requests.Response) -> dict[str, Any]:
    try:
        body = r.json()
    except ValueError:
        body = {"error": "bad_response", "message": f"HTTP {r.status_code} without JSON"}
    return body if isinstance(body, dict) else {"data": body}
