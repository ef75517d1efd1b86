"""Desktop QR login under load (issue 4), against a bare Flask-SocketIO emit.

``python -m bench.qr_socket [DESKTOPS] [--workers --redis [--postgres]]``: one gunicorn gevent
worker (or several sharing Redis) serves the app; this process (gevent) opens
DESKTOPS real desktop sessions (GET /login, WebSocket, key proof, QR) and keeps
them waiting; then a phone (the reference client) scans and approves sample
desktops, timing approval request -> "approved" event on the desktop's socket.
The baseline is a bare Flask-SocketIO app under the same worker: N idle sockets,
POST /emit/<room> -> event.
"""
from gevent import monkey

monkey.patch_all()

import gc  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import requests  # noqa: E402
from gevent.pool import Pool  # noqa: E402

from bench.server import HOST, Server, prepared_app  # noqa: E402
from bench.server import phone as bench_phone  # noqa: E402
from bench.wsclient import SioClient  # noqa: E402

PING_INTERVAL_S = 25.0  # Engine.IO's, in both apps
SETTLE_S = 30.0  # > the ping interval: every socket is being kept alive
IDLE_WINDOW_S = PING_INTERVAL_S  # a whole ping cycle: the load is not even within one
SPAN_S = 30.0  # the timed samples are spread over more than a ping cycle


def paced(fn: Any, samples: int) -> list[Any]:
    """``fn(i)`` for each sample, started at even intervals over ``SPAN_S``: the sockets'
    pings are not spread evenly over a cycle (the bare app opens its 10,000 in a few
    seconds), so back-to-back samples could all fall in a quiet or a busy stretch."""
    start, step, out = time.monotonic(), SPAN_S / samples, []
    for i in range(samples):
        time.sleep(max(0.0, start + i * step - time.monotonic()))
        out.append(fn(i))
    return out


def settle(srv: Server) -> float:
    """The same steady state for both before timing: the harness's own long-lived
    objects (10,000 sockets) moved out of its garbage collector's way, then a wait
    longer than the ping interval, so that every waiting socket is being pinged (as it
    is in service) however fast the sockets were opened. Returns the server's load
    while idle (keeping the sockets alive), as a share of one core."""
    gc.collect()
    gc.freeze()
    gc.disable()  # the harness's own collections are not the server's latency
    time.sleep(SETTLE_S)
    cpu0 = srv.workers_cpu_s()
    time.sleep(IDLE_WINDOW_S)
    return (srv.workers_cpu_s() - cpu0) / IDLE_WINDOW_S * 100


def dump(name: str, total: Any, delivery: Any) -> None:
    if os.environ.get("EID_BENCH_DUMP"):
        import json

        with open(os.environ["EID_BENCH_DUMP"], "a") as f:
            f.write(json.dumps({"name": name, "total": list(total), "delivery": list(delivery)}) + "\n")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# -- our app --------------------------------------------------------------------

class Desktop:
    def __init__(self, base: str, port: int) -> None:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

        from eid.qr_login.tokens import b64url, public_jwk

        http = requests.Session()
        page = http.get(f"{base}/login", timeout=60).text
        nonce = re.search(r'data-nonce="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        key = ec.generate_private_key(ec.SECP256R1())
        r, s = decode_dss_signature(key.sign(nonce.encode(), ec.ECDSA(hashes.SHA256())))
        cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
        self.sio = SioClient(HOST, port, "/qr-login", cookie=cookie)
        self.sio.connected.get(timeout=300)
        res = self.sio.call("start", {"jwk": public_jwk(key.public_key()),
                                      "signature": b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))})
        self.uri = res["qr"]["qr_uri"]


def emit_ms(response: Any) -> float:
    """The server's ``Server-Timing: emit;dur=`` (request start -> event emitted), ms."""
    m = re.search(r"emit;dur=([0-9.]+)", response.headers.get("Server-Timing", ""))
    assert m, "the server did not say when it emitted (EID_SERVER_TIMING)"
    return float(m.group(1))


def approve(phone: Any, desk: Desktop) -> tuple[float, float]:
    """Scan (untimed), then time approval request -> 'approved' on the desktop socket.
    Returns that time and the part of it after the server's own work before the emit."""
    from eid.phone.cli import signed_decision

    scanned_evt = desk.sio.expect("qr_event")
    pending = phone.call("POST", "qr-login/scan", json={"uri": desk.uri}, auth=True)
    scanned, _ = scanned_evt.get(timeout=30)
    body = signed_decision(phone.profile.device_key(), pending, "approve", int(scanned["number"]))
    url = phone.url("qr-login/decision")
    headers = phone.headers("POST", url)  # the phone signs before sending: not server time
    done = desk.sio.expect("qr_event")
    t0 = time.perf_counter()
    r = phone.http.post(url, json=body, headers=headers, timeout=30)
    event, t1 = done.get(timeout=30)
    assert r.status_code == 200, r.text
    assert event["state"] == "approved", event
    total = (t1 - t0) * 1000
    return total, total - emit_ms(r)


def run_ours(n: int, samples: int, workers: int, redis_url: str | None, tmp: Path,
             db_url: str | None = None) -> dict[str, float]:
    env = prepared_app(tmp, db_url, EID_QR_LIFETIME_SECONDS="3600", EID_QR_TTL_SECONDS="3600",
                       **({"REDIS_URL": redis_url} if redis_url else {}))
    srv = Server(os.environ.get("EID_BENCH_APP", "wsgi:app"), env, workers, tmp)
    try:
        base = f"http://{HOST}:{srv.port}"
        phone = bench_phone(base, tmp / "phone")
        rss0 = srv.worker_rss_mb()
        pool = Pool(64)
        t = time.monotonic()
        desks = [d for d in pool.imap_unordered(lambda _: Desktop(base, srv.port), range(n))]
        setup_s = time.monotonic() - t
        rss1 = srv.worker_rss_mb()
        idle_cpu = settle(srv)
        lat, delivery = zip(*paced(lambda i: approve(phone, desks[i]), samples), strict=True)
        gc.enable()
        dump("ours", lat, delivery)
        rest = desks[samples:samples + samples]
        t = time.monotonic()
        Pool(8).map(lambda d: approve(phone, d), rest)
        rate = len(rest) / (time.monotonic() - t)
        return {"desktops": len(desks), "setup_s": setup_s, "rss_before_mb": rss0,
                "rss_waiting_mb": rss1, "kb_per_desktop": (rss1 - rss0) * 1024 / max(1, len(desks)),
                **latencies(list(lat), list(delivery)), "approvals_per_s": rate,
                "idle_cpu_pct": idle_cpu}
    finally:
        srv.stop()


def latencies(total: list[float], delivery: list[float]) -> dict[str, float]:
    return {"p50_ms": statistics.median(total), "p99_ms": pct(total, 0.99),
            "emit_p50_ms": statistics.median(delivery), "emit_p99_ms": pct(delivery, 0.99)}


def run_bare(n: int, samples: int, workers: int, redis_url: str | None, tmp: Path) -> dict[str, float]:
    env = {"EID_REDIS_PREFIX": f"bare-{uuid.uuid4().hex[:6]}"}
    if redis_url:
        env["REDIS_URL"] = redis_url
    srv = Server("bench.bare_app:app", env, workers, tmp)
    try:
        base = f"http://{HOST}:{srv.port}"
        rss0 = srv.worker_rss_mb()

        def connect(i: int) -> SioClient:
            c = SioClient(HOST, srv.port, "/bare", query=f"&room=r{i}")
            c.connected.get(timeout=300)
            return c

        clients = list(Pool(64).imap(connect, range(n)))
        print(f"bare: {len(clients)} sockets connected", file=sys.stderr)
        rss1 = srv.worker_rss_mb()
        http = requests.Session()

        def one(i: int) -> tuple[float, float]:
            waiter = clients[i].expect("evt")
            t0 = time.perf_counter()
            r = http.post(f"{base}/emit/r{i}", timeout=30)
            _, t1 = waiter.get(timeout=30)
            total = (t1 - t0) * 1000
            return total, total - emit_ms(r)

        idle_cpu = settle(srv)
        lat, delivery = zip(*paced(one, samples), strict=True)
        gc.enable()
        dump("bare", lat, delivery)
        t = time.monotonic()
        Pool(8).map(one, range(samples, 2 * samples))
        rate = samples / (time.monotonic() - t)
        return {"desktops": len(clients), "rss_before_mb": rss0, "rss_waiting_mb": rss1,
                "kb_per_desktop": (rss1 - rss0) * 1024 / max(1, len(clients)),
                **latencies(list(lat), list(delivery)), "approvals_per_s": rate,
                "idle_cpu_pct": idle_cpu}
    finally:
        srv.stop()


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv and argv[0].isdigit() else 10_000
    workers = 2 if "--workers" in argv else 1
    redis_url = os.environ.get("EID_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0") if "--redis" in argv \
        else None
    samples = min(int(os.environ.get("EID_BENCH_SAMPLES", "1000")), n // 2)
    tmp = Path(tempfile.mkdtemp(prefix="eid-qrbench-"))
    bare = run_bare(n, samples, workers, redis_url, tmp)
    if "--postgres" in argv:  # the scale-out configuration: PostgreSQL + Redis
        from bench.pg import temp_database

        with temp_database() as pg:
            if pg is None:
                raise SystemExit("--postgres: PostgreSQL is not reachable")
            ours = run_ours(n, samples, workers, redis_url, tmp, pg)
    else:
        ours = run_ours(n, samples, workers, redis_url, tmp)
    shutil.rmtree(tmp, ignore_errors=True)  # kept (with the server logs) when a run fails
    label = f"{workers} worker{'s' if workers > 1 else ''}" + (" + Redis" if redis_url else "") + \
        (" + PostgreSQL" if "--postgres" in argv else "")
    rows = [f"### QR login under load: {n} waiting desktops, {label}", "",
            "| measurement | ours | bare Flask-SocketIO emit | ratio | target |",
            "| --- | --- | --- | --- | --- |"]
    for key, target in (("p50_ms", None), ("p99_ms", None), ("emit_p50_ms", None),
                        ("emit_p99_ms", 1.5), ("approvals_per_s", None), ("idle_cpu_pct", None),
                        ("rss_waiting_mb", None), ("kb_per_desktop", None)):
        ratio = ours[key] / bare[key] if bare[key] else float("nan")
        verdict = "" if target is None else (f"≤ {target}x ({'meets' if ratio <= target else 'MISSES'})")
        rows.append(f"| {key} | {ours[key]:.1f} | {bare[key]:.1f} | {ratio:.2f}x | {verdict} |")
    mem_ok = ours["rss_waiting_mb"] <= 1024 and ours["desktops"] >= n
    rows.append(f"| desktops held at once | {int(ours['desktops'])} | {int(bare['desktops'])} | | "
                f"{n} within 1 GiB ({'meets' if mem_ok else 'MISSES'}) |")
    rows.append(f"\nSetup of {n} desktops (GET /login, WebSocket, key proof, QR): {ours['setup_s']:.0f} s.")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
