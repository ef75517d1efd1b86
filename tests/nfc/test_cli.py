"""eid-reader: simulated reads, JSON output, and a one-line error without a reader."""
from __future__ import annotations

import errno
import json

import nfc
import pytest

from eid.nfc import cli


def test_simulated_read_prints_verified_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["read", "--simulated", "--id-number", "079200001234", "--json"]) == 0
    details = json.loads(capsys.readouterr().out)
    assert details["id_number"] == "079200001234"
    assert details["verified"] is True and details["active_authentication"] is True
    assert details["access"] == "PACE"


def test_simulated_read_prints_readable_lines(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["read", "--simulated", "--id-number", "001099000001"]) == 0
    out = capsys.readouterr().out
    assert "full_name: Nguyễn Văn Thử" in out


def test_no_reader_gives_one_line_and_exit_code_2(monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    def no_reader(path: str) -> None:
        raise OSError(errno.ENODEV, "No such device")

    monkeypatch.setattr(nfc, "ContactlessFrontend", no_reader)
    assert cli.main(["read", "--usb", "--can", "123456"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no NFC reader" in err and "Traceback" not in err


def test_usb_read_needs_an_access_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["read", "--usb"]) == 2
    assert "--can or --mrz" in capsys.readouterr().err
