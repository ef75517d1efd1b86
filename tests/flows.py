"""Plain helpers that drive the portal through the test client, as a person would."""
from __future__ import annotations

import re
from typing import Any

STRONG = "Rv#9-Tq!Wz4k"
API = "/api/mobile/v1"


def captcha(client: Any) -> dict[str, str]:
    r = client.post(f"{API}/captcha")
    assert r.status_code == 200, r.get_json()
    cid = r.get_json()["captcha_id"]
    answer = client.get(f"/dev/captcha/{cid}").get_json()["answer"]
    return {"captcha_id": cid, "captcha": answer}


def sms_to(client: Any, phone: str) -> list[dict[str, Any]]:
    return list(client.get("/dev/sms", query_string={"to": phone}).get_json()["messages"])


def last_otp(client: Any, phone: str) -> str:
    msgs = sms_to(client, phone)
    assert msgs, f"no SMS to {phone}"
    m = re.search(r"\b(\d{6})\b", msgs[0]["text"])
    assert m, msgs[0]["text"]
    return m.group(1)


def demo(n: int) -> Any:
    from eid.accounts.registries.generator import demo_citizen

    return demo_citizen(n)


def signup_body(person: Any, phone: str, **over: str) -> dict[str, str]:
    body = {"id_number": person.id_number, "full_name": person.full_name,
            "birth_date": person.birth_date.strftime("%d/%m/%Y"), "phone": phone, "email": ""}
    body.update(over)
    return body


def register(client: Any, n: int = 1, password: str = STRONG) -> Any:
    """Sign demo citizen ``n`` up through the API; returns the demo record."""
    d = demo(n)
    r = client.post(f"{API}/signup/start", json={**signup_body(d.person, d.phone), **captcha(client)})
    assert r.status_code == 202, r.get_json()
    cid = r.get_json()["challenge_id"]
    r = client.post(f"{API}/signup/verify", json={"challenge_id": cid, "code": last_otp(client, d.phone)})
    assert r.status_code == 200, r.get_json()
    r = client.post(f"{API}/signup/complete",
                    json={"challenge_id": cid, "password": password, "confirm": password})
    assert r.status_code == 201, r.get_json()
    return d


def signin(client: Any, d: Any, password: str = STRONG) -> str:
    r = client.post(f"{API}/signin/start", json={"id_number": d.person.id_number,
                                                  "password": password, **captcha(client)})
    assert r.status_code == 200, r.get_json()
    cid = r.get_json()["challenge_id"]
    r = client.post(f"{API}/signin/verify", json={"challenge_id": cid, "code": last_otp(client, d.phone)})
    assert r.status_code == 200, r.get_json()
    return str(r.get_json()["access_token"])


class Phone:
    """A phone app in tests: a device key, tokens, and DPoP-signed calls."""

    def __init__(self, client: Any, app: Any) -> None:
        from joserfc.jwk import ECKey

        self.c, self.app = client, app
        self.key = ECKey.generate_key("P-256")
        self.tokens: dict[str, Any] = {}
        self._n = 0

    def proof(self, method: str, path: str, *, key: Any = None, access: str | None = None,
              jti: str | None = None, now: Any = None) -> str:
        from eid.accounts import proof

        self._n += 1
        clock = self.app.extensions["eid.parts"].clock
        return proof.make(key or self.key, method=method, url=f"http://localhost{path}",
                          now=now or clock.now(), jti=jti or f"jti-{id(self)}-{self._n:06d}",
                          access_token=access)

    def headers(self, method: str, path: str, *, sign: bool | None = None, key: Any = None,
                **kw: Any) -> dict[str, str]:
        h: dict[str, str] = {}
        access = self.tokens.get("access_token")
        if access:
            h["Authorization"] = f"{self.tokens['token_type']} {access}"
        if sign or (sign is None and self.tokens.get("token_type") == "DPoP") or key is not None:
            h["DPoP"] = self.proof(method, path, key=key, access=access, **kw)
        return h

    def call(self, method: str, path: str, json: Any = None, **kw: Any) -> Any:
        full = f"{API}/{path}"
        return self.c.open(full, method=method, json=json, headers=self.headers(method, full, **kw))

    def login(self, d: Any, password: str = STRONG, activate: bool = True) -> Any:
        r = self.c.post(f"{API}/signin/start", json={"id_number": d.person.id_number,
                                                      "password": password, **captcha(self.c)})
        assert r.status_code == 200, r.get_json()
        cid = r.get_json()["challenge_id"]
        path = f"{API}/signin/verify"
        h = {"DPoP": self.proof("POST", path)} if self.tokens.get("token_type") == "DPoP" else {}
        r = self.c.post(path, json={"challenge_id": cid, "code": last_otp(self.c, d.phone)}, headers=h)
        assert r.status_code == 200, r.get_json()
        self.tokens = r.get_json()
        if activate and self.tokens["token_type"] != "DPoP":
            r = self.activate(d)
            assert r.status_code == 201, r.get_json()
        return self

    def activate(self, d: Any, **extra: Any) -> Any:
        r = self.call("POST", "devices/activate/start")
        assert r.status_code == 200, r.get_json()
        body = {"challenge_id": r.get_json()["challenge_id"], "code": last_otp(self.c, d.phone),
                "name": "Test phone", "platform": "android", **extra}
        r = self.call("POST", "devices/activate/complete", body, sign=True)
        if r.status_code == 201:
            self.tokens = r.get_json()
        return r


class BufferedFlows:
    @staticmethod
    def client(app: Any) -> Any:
        from tests.conftest import BufferedClient

        app.test_client_class = BufferedClient
        return app.test_client()
