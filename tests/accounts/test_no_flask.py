"""The identity domain and these tests' fixtures run without Flask.

Checked in a fresh interpreter: in this one, ``tests/conftest.py`` has imported Flask
for the web tests already.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
USE_CASES = ("signup", "signin", "otp", "recovery", "sessions", "tokens", "devices", "chip_binding",
             "app_registration", "mobile_signin", "dependents", "acting", "levels", "throttle")


def test_importing_every_use_case_and_the_fixtures_does_not_import_flask():
    imports = "; ".join(f"import eid.accounts.{name}" for name in USE_CASES)
    script = (f"import sys; {imports}; import eid.qr_login.service; "
              "import tests.accounts.conftest; import tests.accounts.support; "
              "loaded = sorted(m for m in sys.modules if m == 'flask' or m.startswith('flask.') "
              "or m.startswith('flask_')); print(loaded); assert not loaded, loaded")
    r = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                       timeout=120, check=False)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip() == "[]"
