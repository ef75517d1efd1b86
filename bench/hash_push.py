"""Pushes to waiting desktops while people sign in (issue 11: argon2 off the event loop).

``python -m bench.hash_push [DESKTOPS]``: one gunicorn gevent worker (as production) with
production argon2 parameters on PostgreSQL holds DESKTOPS waiting QR-login desktops (GET /login,
WebSocket, key proof, QR). In rounds, this process (gevent) times pushes to them
(phone approves -> "approved" on the desktop's socket, as ``bench.qr_socket``) and
``GET /healthz``, first with the server idle, then while 8 clients sign in over and
over (captcha + ``signin/start``: one argon2id verify each), idle and loaded rounds
alternating. The baseline is the idle latency in the same run; the same schedule runs
against ``bench.onloop_app`` (argon2 in the request's greenlet, as before) for
comparison, and against the app on SQLite (where a sign-in hashes on the loop: it holds
SQLite's write lock, see ``eid.web.hashing``). Target: push latency during the
sign-ins within 1.5x of idle.
"""
from gevent import monkey

monkey.patch_all()

import collections  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
from gevent.event import Event  # noqa: E402
from gevent.pool import Pool  # noqa: E402

from bench.qr_socket import Desktop, approve, pct  # noqa: E402
from bench.server import HOST, PASSWORD, Server, prepared_app  # noqa: E402
from bench.server import phone as bench_phone  # noqa: E402

SIGNERS = 8
ROUNDS = 4
API = "/api/mobile/v1"


def register(base: str, profile: Path, n: int) -> None:
    from eid.phone import cli

    assert cli.main(["--server", base, "--profile", str(profile), "register", "--demo-citizen",
                     str(n), "--dev-otp", "--password", PASSWORD]) == 0


def sign_in_forever(base: str, n: int, stop: Event, codes: collections.Counter[int]) -> None:
    """Demo citizen ``n`` signs in with the password until ``stop`` (captcha + signin/start)."""
    from eid.accounts.registries.generator import demo_citizen

    idn, http = demo_citizen(n).person.id_number, requests.Session()
    while not stop.is_set():
        cid = http.post(f"{base}{API}/captcha", timeout=60).json()["captcha_id"]
        answer = http.get(f"{base}/dev/captcha/{cid}", timeout=60).json()["answer"]
        r = http.post(f"{base}{API}/signin/start", timeout=60, json={
            "id_number": idn, "password": PASSWORD, "captcha_id": cid, "captcha": answer})
        codes[r.status_code] += 1


def sample(phone: Any, desks: list[Desktop], http: requests.Session, base: str,
           count: int, step_s: float) -> tuple[list[float], list[float]]:
    """``count`` pushes and ``count`` /healthz calls, one of each every ``step_s``."""
    pushes, health = [], []
    phone.http.close()  # fresh keep-alive connections for each block
    http.close()
    start = time.monotonic()
    for i in range(count):
        time.sleep(max(0.0, start + i * step_s - time.monotonic()))
        pushes.append(approve(phone, desks.pop())[0])
        t = time.perf_counter()
        assert http.get(f"{base}/healthz", timeout=60).status_code == 200
        health.append((time.perf_counter() - t) * 1000)
    return pushes, health


def loop_cpu_s(srv: Server) -> float:
    """CPU seconds the worker's main thread (the gevent loop, not the hashing pool) has used."""
    total = 0
    for pid in srv._worker_pids():
        fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def run(app: str, n: int, per_round: int, tmp: Path, db_url: str | None) -> dict[str, Any]:
    env = prepared_app(tmp, db_url, EID_QR_LIFETIME_SECONDS="3600", EID_QR_TTL_SECONDS="3600",
                       EID_PASSWORD_PROFILE="production")
    # keep-alive beyond gunicorn's 2 s: on the stalled loop (before) a reply can take longer
    env["GUNICORN_CMD_ARGS"] = "--keep-alive 300"
    srv = Server(app, env, 1, tmp)
    try:
        base = f"http://{HOST}:{srv.port}"
        phone = bench_phone(base, tmp / f"phone-{srv.port}")
        signers = list(range(2, 2 + SIGNERS))
        for i in signers:
            register(base, tmp / f"signer-{srv.port}-{i}", i)
        desks = list(Pool(32).imap_unordered(lambda _: Desktop(base, srv.port), range(n)))
        http = requests.Session()
        sample(phone, desks, http, base, 5, 0.05)  # warm-up: connections, caches
        got: dict[str, list[float]] = collections.defaultdict(list)
        codes: collections.Counter[int] = collections.Counter()
        busy_s, timed_signins = 0.0, 0
        idle_s = idle_loop_s = busy_loop_s = 0.0
        for _ in range(ROUNDS):
            t, cpu = time.monotonic(), loop_cpu_s(srv)
            pushes, health = sample(phone, desks, http, base, per_round, 0.1)
            idle_s += time.monotonic() - t
            idle_loop_s += loop_cpu_s(srv) - cpu
            got["idle_push"] += pushes
            got["idle_health"] += health
            stop = Event()
            crowd = [gevent.spawn(sign_in_forever, base, i, stop, codes) for i in signers]
            time.sleep(1.0)  # every signer is mid-flow
            t, done, cpu = time.monotonic(), codes[200], loop_cpu_s(srv)
            pushes, health = sample(phone, desks, http, base, per_round, 0.1)
            busy_s += time.monotonic() - t
            busy_loop_s += loop_cpu_s(srv) - cpu
            timed_signins += codes[200] - done
            stop.set()
            gevent.joinall(crowd, timeout=60)
            got["busy_push"] += pushes
            got["busy_health"] += health
        return {**got, "signins_per_s": timed_signins / busy_s if busy_s else 0.0,
                "codes": dict(codes), "waiting": n,
                "idle_loop_pct": idle_loop_s / idle_s * 100, "busy_loop_pct": busy_loop_s / busy_s * 100}
    finally:
        srv.stop()


def stats(values: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(values), "p90": pct(values, 0.9), "p99": pct(values, 0.99),
            "max": max(values)}


def report(n: int, runs: list[tuple[str, dict[str, Any]]]) -> str:
    rows = [f"### Pushes to {n} waiting desktops during {SIGNERS} parallel sign-ins "
            "(production argon2, 1 gevent worker)", "",
            "| configuration: measurement | idle (baseline) ms | during sign-ins ms | ratio | target |",
            "| --- | --- | --- | --- | --- |"]
    for label, res in runs:
        for kind, what in (("push", "push to a desktop"), ("health", "GET /healthz")):
            idle, busy = stats(res[f"idle_{kind}"]), stats(res[f"busy_{kind}"])
            for q in ("p50", "p90", "p99", "max"):
                ratio = busy[q] / idle[q]
                target = ""
                if kind == "push" and q in ("p50", "p90") and runs[0][0] == label:
                    target = f"≤ 1.5x ({'meets' if ratio <= 1.5 else 'MISSES'})"
                rows.append(f"| {label}: {what}, {q} | {idle[q]:.1f} | {busy[q]:.1f} | "
                            f"{ratio:.2f}x | {target} |")
    rows.append("")
    for label, res in runs:
        rows.append(f"{label}: {res['signins_per_s']:.1f} sign-ins/s during the loaded rounds "
                    f"(answers: {res['codes']}); the loop's thread busy {res['idle_loop_pct']:.0f} % "
                    f"of the time idle, {res['busy_loop_pct']:.0f} % during the sign-ins; "
                    f"{len(res['idle_push'])} idle and {len(res['busy_push'])} loaded samples.  ")
    return "\n".join(rows) + "\n"


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv and argv[0].isdigit() else 600
    per_round = int(os.environ.get("EID_BENCH_SAMPLES_PER_ROUND", "40"))
    if n < 2 * ROUNDS * per_round + 5:
        raise SystemExit(f"{n} desktops: at least {2 * ROUNDS * per_round + 5} are needed")
    from bench.pg import temp_database

    tmp = Path(tempfile.mkdtemp(prefix="eid-hashbench-"))
    runs = []
    for label, app, on_pg in (("PostgreSQL, argon2 in the thread pool (now)", "wsgi:app", True),
                              ("PostgreSQL, argon2 on the loop (before)", "bench.onloop_app:app", True),
                              ("SQLite (now: hashes inside the write lock stay on the loop)",
                               "wsgi:app", False)):
        with temp_database() if on_pg else contextlib.nullcontext() as pg:
            if on_pg and pg is None:
                raise SystemExit("PostgreSQL is not reachable")
            runs.append((label, run(app, n, per_round, tmp, pg if on_pg else None)))
    shutil.rmtree(tmp, ignore_errors=True)  # kept (with the server logs) when a run fails
    print(report(n, runs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
