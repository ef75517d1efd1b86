"""The nfcpy adapter: a missing reader is a clear ReaderNotFound."""
from __future__ import annotations

import errno

import nfc
import pytest

from eid.nfc.errors import ReaderNotFound, TransportError
from eid.nfc.nfcpy_reader import connect_tag, open_reader


class _NoReader:
    def __init__(self, path: str) -> None:
        raise OSError(errno.ENODEV, "No such device")


class _EmptyField:
    def connect(self, **options: object) -> None:
        return None


def test_missing_reader_raises_reader_not_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(nfc, "ContactlessFrontend", _NoReader)
    with pytest.raises(ReaderNotFound) as caught, open_reader("usb"):
        pass
    assert caught.value.error == "reader_not_found" and caught.value.status == 503


def test_no_card_in_the_field_raises_transport_error() -> None:
    with pytest.raises(TransportError):
        connect_tag(_EmptyField(), timeout=0.0)
