"""``make lint`` as part of the suite: ruff, mypy strict on the cores and the domain, and
the import-linter layering contracts (setup.cfg)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.xdist_group("lint")


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)


def test_ruff_is_clean():
    r = run(str(BIN / "ruff"), "check", ".")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_strict_on_nfc_qr_login_and_accounts():
    r = run(str(BIN / "mypy"), "eid/nfc", "eid/qr_login", "eid/accounts")
    assert r.returncode == 0, r.stdout + r.stderr


def test_import_layering_contracts_hold():
    r = run(str(BIN / "lint-imports"))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "0 broken" in r.stdout
    assert "6 kept" in r.stdout  # every contract of setup.cfg ran
