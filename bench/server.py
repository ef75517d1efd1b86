"""A gunicorn server for the benchmarks: the project's gevent worker, as production."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

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

    def worker_rss_mb(self) -> float:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True,
                             check=False).stdout.split()
        total = 0
        for pid in out:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total / 1024

    def workers_cpu_s(self) -> float:
        """CPU seconds (user + system) the workers have used so far."""
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True,
                             check=False).stdout.split()
        ticks = 0
        for pid in out:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(30)
        self.log.close()
