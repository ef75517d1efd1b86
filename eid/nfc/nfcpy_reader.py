"""Desk readers through nfcpy (Sony RC-S380, PN533/SCL3711, ACR122U).

``open_reader('usb')`` connects to the first ISO-DEP card in the field and yields a
:class:`~eid.nfc.transport.Transport`; raw APDUs go through ``tag.transceive`` so
extended APDUs work (nfcpy's ``send_apdu`` builds short ones only). No reader
attached raises :class:`~eid.nfc.errors.ReaderNotFound`.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import nfc
import nfc.clf
import nfc.tag
import nfc.tag.tt4

from eid.nfc.errors import ReaderNotFound, TransportError


class NfcpyTransport:
    """A Transport over an activated nfcpy Type 4 tag."""

    def __init__(self, tag: Any) -> None:
        if not isinstance(tag, nfc.tag.tt4.Type4Tag):
            raise TransportError(f"the card is not ISO-DEP (found {tag})")
        self.tag = tag

    def transceive(self, apdu: bytes) -> bytes:
        try:
            return bytes(self.tag.transceive(bytearray(apdu)))
        except (nfc.tag.TagCommandError, nfc.clf.CommunicationError) as exc:
            raise TransportError(f"ISO-DEP exchange failed: {exc}") from exc


def connect_tag(clf: Any, *, timeout: float = 10.0) -> NfcpyTransport:
    """Wait up to ``timeout`` seconds for a card on ``clf`` and activate it.

    Raises:
        TransportError: when no ISO-DEP card was presented in time.
    """
    deadline = time.monotonic() + timeout
    tag = clf.connect(rdwr={"targets": ["106A", "106B"], "on-connect": lambda tag: False,
                            "beep-on-connect": False, "iterations": 1, "interval": 0.1},
                      terminate=lambda: time.monotonic() > deadline)
    if not tag:
        raise TransportError("no card was presented to the reader")
    return NfcpyTransport(tag)


@contextmanager
def open_reader(path: str = "usb", *, timeout: float = 10.0) -> Iterator[NfcpyTransport]:
    """Open the reader at ``path`` and yield a transport to the card on it.

    Raises:
        ReaderNotFound: when no reader is attached (or it cannot be opened).
        TransportError: when no card is presented within ``timeout`` seconds.
    """
    try:
        clf = nfc.ContactlessFrontend(path)
    except OSError as exc:
        raise ReaderNotFound(f"no NFC reader found at {path!r} ({exc.strerror or exc})") from exc
    try:
        yield connect_tag(clf, timeout=timeout)
    finally:
        clf.close()
