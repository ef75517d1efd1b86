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


class Desktop:
    """A desktop browser on the QR tab, driving the HTTP fallback (same state machine
    as the socket), with its own cookies and a P-256 key like WebCrypto's."""

    def __init__(self, app: Any) -> None:
        import re as _re

        from cryptography.hazmat.primitives.asymmetric import ec

        self.app = app
        self.c = BufferedFlows.client(app)
        self.key = ec.generate_private_key(ec.SECP256R1())
        page = self.c.get("/login").get_data(as_text=True)
        self.nonce = _re.search(r'data-nonce="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        self.csrf = _re.search(r'data-csrf="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        self.tx: str | None = None
        self.uri: str | None = None

    @property
    def jwk(self) -> dict[str, str]:
        from eid.qr_login.tokens import public_jwk

        return public_jwk(self.key.public_key())

    def sign(self, text: str, key: Any = None) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        from eid.qr_login.tokens import b64url

        r, s = decode_dss_signature((key or self.key).sign(text.encode(), ec.ECDSA(hashes.SHA256())))
        return b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))

    def post(self, path: str, body: dict[str, Any]) -> Any:
        return self.c.post(path, json=body, headers={"X-CSRF-Token": self.csrf})

    def start(self) -> Any:
        r = self.post("/login/qr/start", {"jwk": self.jwk, "signature": self.sign(self.nonce)})
        if r.status_code == 200:
            self.tx, self.uri = r.get_json()["qr"]["tx"], r.get_json()["qr"]["qr_uri"]
        return r

    def status(self) -> Any:
        return self.c.get("/login/qr/status", query_string={"tx": self.tx},
                          headers={"Content-Type": "application/json"})

    def rotate(self) -> Any:
        r = self.post("/login/qr/rotate", {"tx": self.tx})
        if r.status_code == 200:
            self.uri = r.get_json()["qr"]["qr_uri"]
        return r

    def redeem(self, code: str, key: Any = None) -> Any:
        return self.post("/login/qr/redeem", {"tx": self.tx, "code": code,
                                              "signature": self.sign(f"{self.tx}.{code}", key)})


def approval(phone: Phone, scanned: dict[str, Any], number: int, decision: str = "approve",
             **over: Any) -> dict[str, str]:
    """The phone's signed decision, as the app builds it."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    from eid.qr_login.tokens import b64url, canonical_json, context_hash

    clock = phone.app.extensions["eid.parts"].clock
    key = over.pop("_key", None) or phone.key.private_key
    phone._n += 1
    payload = {"tx": scanned["tx"], "thumbprint": scanned["thumbprint"], "number": number,
               "aud": scanned["audience"], "iat": int(clock.now().timestamp()),
               "jti": f"approval-{id(phone)}-{phone._n}", "decision": decision,
               "context_hash": context_hash(scanned["context"])}
    payload.update(over)
    raw = canonical_json(payload)
    r, s = decode_dss_signature(key.sign(raw, ec.ECDSA(hashes.SHA256())))
    return {"approval": raw.decode(), "signature": b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))}


def qr_socket_client(app: Any, client: Any) -> Any:
    """A Socket.IO test client on the desktop's QR namespace, sharing ``client``'s cookies.

    Flask-SocketIO keeps the Redis manager of an earlier app of this process (its options
    accumulate) and its test client refuses a message queue: drop it and wire this app."""
    from eid.app import realtime
    from eid.web.socket_emit import socketio

    socketio.server_options.pop("client_manager", None)
    realtime.init_app(app)
    return socketio.test_client(app, namespace="/qr-login", flask_test_client=client)
