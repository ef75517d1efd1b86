"""The one transport interface under BAC, PACE and secure messaging.

A :class:`Transport` exchanges raw APDU bytes (``transceive``). Adapters exist for
nfcpy (:mod:`eid.nfc.nfcpy_reader`) and the simulated chip (:mod:`eid.nfc.sim`);
:class:`ScriptedTransport` replays recorded responses and records the commands, for
card-less tests (JMRTD's ``ScriptedCardService``). A :class:`Channel` sits on a
transport and applies secure messaging once a session is established.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from eid.nfc.apdu import (
    SW_FILE_NOT_FOUND,
    SW_OK,
    SW_SECURITY_STATUS,
    CommandApdu,
    ResponseApdu,
)
from eid.nfc.errors import (
    AccessDenied,
    FileNotFoundOnCard,
    SecureMessagingError,
    StatusWordError,
    TransportError,
)
from eid.nfc.secure_messaging import SecureMessaging


class Transport(Protocol):
    def transceive(self, apdu: bytes) -> bytes: ...


class ScriptedTransport:
    """Replays ``(command, response)`` pairs (hex or bytes) and records what was sent.

    Raises:
        TransportError: when a command differs from the script or the script ran out.
    """

    def __init__(self, script: Iterable[tuple[bytes | str, bytes | str]]) -> None:
        self._script = [(_b(c), _b(r)) for c, r in script]
        self.sent: list[bytes] = []

    def transceive(self, apdu: bytes) -> bytes:
        self.sent.append(bytes(apdu))
        if not self._script:
            raise TransportError(f"unexpected command {apdu.hex().upper()}")
        expected, response = self._script.pop(0)
        if bytes(apdu) != expected:
            raise TransportError(
                f"expected {expected.hex().upper()}, got {bytes(apdu).hex().upper()}")
        return response

    @property
    def finished(self) -> bool:
        return not self._script


def _b(value: bytes | str) -> bytes:
    return bytes.fromhex(value) if isinstance(value, str) else value


def raise_for_status(response: ResponseApdu, what: str) -> None:
    """Raise the matching :class:`StatusWordError` unless the status is 9000.

    Raises:
        FileNotFoundOnCard: on 6A82.
        AccessDenied: on 6982.
        StatusWordError: on any other status.
    """
    if response.sw == SW_OK:
        return
    if response.sw == SW_FILE_NOT_FOUND:
        raise FileNotFoundOnCard(f"{what}: file not found", sw=response.sw)
    if response.sw == SW_SECURITY_STATUS:
        raise AccessDenied(f"{what}: security status not satisfied", sw=response.sw)
    raise StatusWordError(f"{what}: status {response.sw:04X}", sw=response.sw)


class Channel:
    """A transport plus the current secure-messaging session (if any)."""

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self.sm: SecureMessaging | None = None

    def send(self, command: CommandApdu) -> ResponseApdu:
        """Send one command, protected when a session is open.

        Raises:
            SecureMessagingError: when the response fails SM checks (the session is closed).
            TransportError: when the link fails.
        """
        wire = self.sm.protect(command) if self.sm else command
        try:
            raw = self.transport.transceive(wire.encode())
        except TransportError:
            raise
        except OSError as exc:
            raise TransportError(str(exc)) from exc
        response = ResponseApdu.parse(raw)
        if self.sm is None:
            return response
        try:
            return self.sm.unprotect(response)
        except SecureMessagingError:
            self.sm = None
            raise

    def call(self, command: CommandApdu, what: str) -> bytes:
        """Send and return the data of a 9000 response.

        Raises:
            StatusWordError: (or a subclass) on any other status.
        """
        response = self.send(command)
        raise_for_status(response, what)
        return response.data
