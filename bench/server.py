"""A gunicorn server for the benchmarks: the project's gevent worker, as production."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
HOST = "127.0.0.1"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, app: str, env: dict[str, str], workers: int, tmp: Path) -> None:
        self.port = free_port()
        self.log = (tmp / f"gunicorn-{self.port}.log").open("w")
        cmd = [str(Path(PY).parent / "gunicorn"), "-k", "eid.app.gunicorn_worker.Worker",
               "-w", str(workers), "-b", f"{HOST}:{self.port}", "--worker-connections", "20000",
               "--timeout", "120", app]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        end = time.monotonic() + 60
        while time.monotonic() < end:
            try:
                requests.get(f"http://{HOST}:{self.port}/", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def _worker_pids(self) -> list[str]:
        return subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True,
                              check=False).stdout.split()

    def worker_rss_mb(self) -> float:
        total = 0
        for pid in self._worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024

    def workers_cpu_s(self) -> float:
        """CPU seconds (user + system) the workers have used so far."""
        ticks = 0
        for pid in self._worker_pids():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()


PASSWORD = "Rv#9-Tq!Wz4k"


def prepared_app(tmp: Path, db_url: str | None = None, **extra: str) -> dict[str, str]:
    """The environment for serving the app in test mode (no rate limits, fast argon2)
    on ``db_url`` (default: a new SQLite file in ``tmp``), migrated and seeded."""
    db_url = db_url or f"sqlite:///{tmp / f'eid-{uuid.uuid4().hex[:6]}.sqlite3'}"
    env = {"EID_ENV": "test", "DATABASE_URL": db_url,
           "EID_INSTANCE_PATH": str(tmp), "EID_SECRET_KEY": "q" * 40, "EID_RATE_LIMITS": "0",
           "EID_PASSWORD_PROFILE": "test", "SOCKETIO_ASYNC_MODE": "gevent",
           "EID_REDIS_PREFIX": f"bench-{uuid.uuid4().hex[:6]}", **extra}
    for args in (["db", "upgrade"], ["registry", "seed", "--count", "200"]):
        subprocess.run([str(Path(PY).parent / "flask"), "--app", "wsgi", *args], cwd=ROOT,
                       env={**os.environ, **env}, check=True, capture_output=True)
    return env


def phone(base: str, profile: Path, *, register: bool = True, activate: bool = True) -> Any:
    """The reference phone (``eid-phone``) for the first synthetic citizen, signed in,
    with its device key registered unless ``activate`` is false."""
    from eid.phone import cli
    from eid.phone.client import Client
    from eid.phone.profile import Profile

    steps = (["register"] if register else []) + ["login"]
    for step in steps:
        extra = ["--no-activate"] if step == "login" and not activate else []
        assert cli.main(["--server", base, "--profile", str(profile), step, "--demo-citizen", "1",
                         "--dev-otp", "--password", PASSWORD, *extra]) == 0
    return Client(base, Profile(profile))
