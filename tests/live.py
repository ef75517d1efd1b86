"""A real server process for browser and end-to-end tests."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    def __init__(self, db_url: str, tmp: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tmp / f"server-{self.port}.log"
        self.env = {"EID_ENV": "test", "DATABASE_URL": db_url, "EID_INSTANCE_PATH": str(tmp),
                    "EID_SECRET_KEY": "l" * 40, **env}
        full = {**os.environ, "PORT": str(self.port), **self.env}
        self._log_file = self.log.open("w")
        self.proc = subprocess.Popen([sys.executable, "-m", "eid.app.serve"], cwd=ROOT, env=full,
                                     stdout=self._log_file, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                self._log_file.close()
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self._log_file.close()
