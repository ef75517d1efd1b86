"""The phone speaks only HTTP: ``eid.phone`` loads nothing of the server (architecture
rule 5), not at start-up and not in the modules its commands import lazily."""
from __future__ import annotations

import ast
import importlib.util
import subprocess
import sys
from pathlib import Path

import eid.phone

SERVER = ("eid.app", "eid.mobile_api", "eid.models")
GENERATOR = "eid.accounts.registries.generator"  # synthetic demo people, for --demo-citizen
PHONE = Path(eid.phone.__file__).parent


def imported_modules() -> set[str]:
    """Every module named by an import statement in eid/phone, at any depth."""
    names = set()
    for path in PHONE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names
                             if _is_module(f"{node.module}.{alias.name}"))
    return names


def _is_module(name: str) -> bool:
    """``from eid.phone import chip`` names a module; ``from eid.phone.client import ApiError``
    does not."""
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def is_server(name: str) -> bool:
    return any(name == s or name.startswith(s + ".") for s in SERVER)


def test_no_phone_module_names_a_server_module():
    assert not [n for n in imported_modules() if is_server(n)]


def loaded_after_importing(modules: list[str]) -> list[str]:
    """The server modules a fresh interpreter holds after importing the CLI and ``modules``."""
    code = ("import importlib, sys\n"
            "import eid.phone.cli\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            f"print('\\n'.join(m for m in sys.modules if m.startswith({SERVER!r})))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       check=False, cwd=PHONE.parent.parent)
    assert r.returncode == 0, r.stderr
    return r.stdout.split()


def lazy_imports() -> list[str]:
    """What the commands import inside functions (bar nfcpy's reader, which needs the
    optional hardware stack)."""
    lazy = sorted(n for n in imported_modules() if n.startswith("eid.") and n != "eid.nfc.nfcpy_reader")
    assert {"eid.nfc.reader", "eid.phone.chip", GENERATOR} <= set(lazy)
    return lazy


def test_importing_the_phone_loads_no_app_nor_phone_api():
    assert [m for m in loaded_after_importing(lazy_imports())
            if m.startswith(("eid.app", "eid.mobile_api"))] == []


def test_importing_the_phone_loads_no_tables_but_through_the_demo_register():
    assert loaded_after_importing([m for m in lazy_imports() if m != GENERATOR]) == []


def test_the_demo_register_loads_no_tables():
    assert loaded_after_importing([GENERATOR]) == []


def test_the_cli_runs_its_help_without_the_server(tmp_path):
    code = ("import sys\n"
            "from eid.phone.cli import main\n"
            "try:\n"
            "    main(['--profile', sys.argv[1], 'read-chip', '--help'])\n"
            "except SystemExit:\n"
            "    pass\n"
            f"print('LOADED', *(m for m in sys.modules if m.startswith({SERVER!r})))\n")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path / "p")], capture_output=True,
                       text=True, timeout=60, check=False, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "--card-file" in r.stdout and r.stdout.split("LOADED")[1].split() == []
