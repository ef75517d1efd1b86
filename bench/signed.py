"""Issue 3: the cost of the device-key proof (DPoP) on a signed request against the
same endpoint called with an unbound token, and app-registration throughput."""
from __future__ import annotations

import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.accounts import _prepare
from bench.common import Result
from bench.server import PASSWORD

API = "/api/mobile/v1"


def _phone(app: Any) -> Any:
    from tests.flows import BufferedFlows, Phone, register

    client = BufferedFlows.client(app)
    d = register(client, 1, password=PASSWORD)
    signed = Phone(client, app).login(d, password=PASSWORD)
    bare = Phone(client, app).login(d, password=PASSWORD, activate=False)
    return signed, bare


def run_signed(db_url: str | None = None, n: int = 400) -> list[Result]:
    tmp = Path(tempfile.mkdtemp(prefix="eid-bench-"))
    url = db_url or f"sqlite:///{tmp / 'b.sqlite3'}"
    app = _prepare(url, tmp, 200)
    app.config["DEFER_INLINE"] = True
    signed, bare = _phone(app)
    path = f"{API}/me"
    s_samples, b_samples = [], []
    for _ in range(n):  # interleaved, so machine load affects both alike
        headers = signed.headers("GET", path)  # the phone signs before sending: not server time
        t = time.perf_counter()
        assert signed.c.get(path, headers=headers).status_code == 200
        s_samples.append((time.perf_counter() - t) * 1000)
        headers = bare.headers("GET", path)
        t = time.perf_counter()
        assert bare.c.get(path, headers=headers).status_code == 200
        b_samples.append((time.perf_counter() - t) * 1000)
    label = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    return [Result(f"GET /me with DPoP proof ({label})", statistics.median(s_samples),
                   "same call, unbound token", statistics.median(b_samples), 1.15)]


def run_registration(db_url: str | None = None, n: int = 12) -> tuple[str, float, float]:
    """App registrations per second (ID+phone, card QR, confirm, OTP, password) at
    production argon2 parameters; baseline: argon2id hashes per second."""
    from bench.accounts import Driver
    from eid.accounts.passwords import Hasher
    from eid.accounts.registries.generator import demo_citizen

    tmp = Path(tempfile.mkdtemp(prefix="eid-bench-"))
    url = db_url or f"sqlite:///{tmp / 'b.sqlite3'}"
    app = _prepare(url, tmp, 200)
    drv = Driver(app)
    hasher = Hasher.production().argon2

    def register(d: Any) -> None:
        c = drv.c
        rid = c.post(f"{API}/register/start", json={"id_number": d.person.id_number,
                                                    "phone": d.phone}).get_json()["registration_id"]
        assert c.post(f"{API}/register/qr", json={"registration_id": rid,
                                                  "qr_text": d.card_qr}).status_code == 200
        c.post(f"{API}/register/confirm", json={"registration_id": rid})
        msgs = c.get("/dev/sms", query_string={"to": d.phone, "limit": 1}).get_json()["messages"]
        code = re.search(r"\b(\d{6})\b", msgs[0]["text"]).group(1)  # type: ignore[union-attr]
        c.post(f"{API}/register/verify", json={"registration_id": rid, "code": code})
        r = c.post(f"{API}/register/complete",
                   json={"registration_id": rid, "password": PASSWORD, "confirm": PASSWORD})
        assert r.status_code == 201, r.get_json()

    people = [demo_citizen(i) for i in range(2, 2 + n)]
    t = time.perf_counter()
    for d in people:
        register(d)
    per_s = n / (time.perf_counter() - t)
    t = time.perf_counter()
    for _ in range(n):
        hasher.hash(PASSWORD)
    hashes_s = n / (time.perf_counter() - t)
    return ("PostgreSQL" if url.startswith("postgresql") else "SQLite"), per_s, hashes_s


def run_signed_http(db_url: str | None = None, n: int = 600) -> list[Result]:
    """The same comparison as the phone makes it: over HTTP/1.1 keep-alive to gunicorn
    with the production gevent worker (one worker). Each request is timed from its
    first byte sent to its last byte read with ``http.client``; the phone's signing is
    done before the clock starts."""
    import http.client

    from bench.server import HOST, Server, phone, prepared_app

    tmp = Path(tempfile.mkdtemp(prefix="eid-bench-"))
    env = prepared_app(tmp, db_url)
    srv = Server("wsgi:app", env, 1, tmp)
    try:
        base = f"http://{HOST}:{srv.port}"
        signed = phone(base, tmp / "signed")
        bare = phone(base, tmp / "bare", register=False, activate=False)
        assert signed.profile.load("tokens")["token_type"] == "DPoP"
        assert bare.profile.load("tokens")["token_type"] == "Bearer"
        path = f"{API}/me"
        conn = http.client.HTTPConnection(HOST, srv.port)

        def timed(client: Any) -> float:
            headers = client.headers("GET", base + path)  # signed before the clock starts
            t = time.perf_counter()
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            r.read()
            elapsed = (time.perf_counter() - t) * 1000
            assert r.status == 200, r.status
            return elapsed

        for _ in range(50):  # warm up both paths
            timed(signed), timed(bare)
        s_samples, b_samples = [], []
        for _ in range(n):
            s_samples.append(timed(signed))
            b_samples.append(timed(bare))
        conn.close()
    finally:
        srv.stop()
    label = "PostgreSQL" if env["DATABASE_URL"].startswith("postgresql") else "SQLite"
    return [Result(f"GET /me with DPoP proof over HTTP, gunicorn gevent ({label})",
                   statistics.median(s_samples), "same call, unbound token",
                   statistics.median(b_samples), 1.15)]
