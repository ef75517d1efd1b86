"""Sign-up and sign-in throughput at production argon2 parameters, against the bare
argon2id hash (and verify) measured in the same run. Target: the flows add no
more than 25% over the hash they cannot avoid."""
from __future__ import annotations

import os
import re
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import Result

API = "/api/mobile/v1"
PASSWORD = "Rv#9-Tq!Wz4k"


def _app(db_url: str, tmp: Path) -> Any:
    from eid.app import create_app

    env = {"EID_ENV": "test", "DATABASE_URL": db_url, "EID_INSTANCE_PATH": str(tmp),
           "EID_SECRET_KEY": "b" * 40, "EID_RATE_LIMITS": "0",
           "EID_PASSWORD_PROFILE": os.environ.get("EID_BENCH_PW_PROFILE", "production")}
    return create_app(env, overrides={"DEFER_INLINE": True})


def _prepare(db_url: str, tmp: Path, count: int) -> Any:
    from eid.app.cli import upgrade

    upgrade(db_url)
    app = _app(db_url, tmp)
    res = app.test_cli_runner().invoke(args=["registry", "seed", "--count", str(count)])
    assert res.exit_code == 0, res.output
    return app


class Driver:
    """Drives the flows through the API. Only the product's own requests are timed
    (``spent``); reading the captcha answer and the OTP from the development
    helpers is the test harness standing in for the user's eyes and phone."""

    def __init__(self, app: Any) -> None:
        self.app, self.c = app, app.test_client()
        self.spent = 0.0

    def timed(self, method: str, path: str, **kw: Any) -> Any:
        t = time.perf_counter()
        r = self.c.open(path, method=method, **kw)
        self.spent += time.perf_counter() - t
        return r

    def captcha(self) -> dict[str, str]:
        cid = self.timed("POST", f"{API}/captcha").get_json()["captcha_id"]
        return {"captcha_id": cid, "captcha": self.c.get(f"/dev/captcha/{cid}").get_json()["answer"]}

    def otp(self, phone: str) -> str:
        msgs = self.c.get("/dev/sms", query_string={"to": phone, "limit": 1}).get_json()["messages"]
        text = msgs[0]["text"]
        return re.search(r"\b(\d{6})\b", text).group(1)  # type: ignore[union-attr]

    def signup(self, d: Any) -> None:
        p = d.person
        body = {"id_number": p.id_number, "full_name": p.full_name, "phone": d.phone,
                "birth_date": p.birth_date.strftime("%d/%m/%Y"), **self.captcha()}
        cid = self.timed("POST", f"{API}/signup/start", json=body).get_json()["challenge_id"]
        code = self.otp(d.phone)
        assert self.timed("POST", f"{API}/signup/verify",
                          json={"challenge_id": cid, "code": code}).status_code == 200
        r = self.timed("POST", f"{API}/signup/complete",
                       json={"challenge_id": cid, "password": PASSWORD, "confirm": PASSWORD})
        assert r.status_code == 201, r.get_json()

    def signin(self, d: Any) -> None:
        r = self.timed("POST", f"{API}/signin/start", json={"id_number": d.person.id_number,
                                                            "password": PASSWORD, **self.captcha()})
        assert r.status_code == 200, r.get_json()
        cid = r.get_json()["challenge_id"]
        code = self.otp(d.phone)
        r = self.timed("POST", f"{API}/signin/verify", json={"challenge_id": cid, "code": code})
        assert r.status_code == 200


def run(db_url: str | None = None, n: int = 24) -> list[Result]:
    from argon2 import PasswordHasher

    from eid.accounts.passwords import Hasher
    from eid.accounts.registries.generator import demo_citizen

    tmp = Path(tempfile.mkdtemp(prefix="eid-bench-"))
    url = db_url or f"sqlite:///{tmp / 'bench.sqlite3'}"
    label = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    app = _prepare(url, tmp, 200)
    drv = Driver(app)
    people = iter(demo_citizen(i) for i in range(1, 51))
    ph = Hasher.production()
    bare: PasswordHasher = ph.argon2
    stored = bare.hash(PASSWORD)
    done: list[Any] = []

    def one_signup() -> None:
        d = next(people)
        drv.signup(d)
        done.append(d)

    def interleaved(step: Any, baseline: Any) -> tuple[float, float]:
        """Alternate a flow sample and a baseline sample, so load on the machine
        affects both alike; medians of each."""
        flows, bases = [], []
        for _ in range(n):
            drv.spent = 0.0
            step()
            flows.append(drv.spent * 1000)
            t = time.perf_counter()
            baseline()
            bases.append((time.perf_counter() - t) * 1000)
        return statistics.median(flows), statistics.median(bases)

    one_signup()  # warm-up
    signup_ms, hash_ms = interleaved(one_signup, lambda: bare.hash(PASSWORD))
    it = iter(done * 3)
    drv.signin(next(it))
    signin_ms, verify_ms = interleaved(lambda: drv.signin(next(it)),
                                       lambda: bare.verify(stored, PASSWORD))
    return [
        Result(f"sign-up: captcha + 3 requests ({label})", signup_ms, "argon2id hash", hash_ms, 1.25),
        Result(f"sign-in: captcha + 2 requests ({label})", signin_ms, "argon2id verify", verify_ms, 1.25),
    ]
