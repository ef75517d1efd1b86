"""Reading a CCCD over any transport: access control, files, active authentication.

:func:`read_card` tries PACE with the CAN first (EF.CardAccess read by short file id,
never via SELECT MF) and falls back to BAC with the MRZ; it then reads EF.COM,
EF.SOD, DG1, DG2, DG13, DG14, DG15 under secure messaging and runs INTERNAL
AUTHENTICATE over the server's challenge. It verifies nothing: the raw bytes go to
the server, which runs :func:`eid.nfc.verify.verify_card_read`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from eid.nfc import bac, commands, pace, tlv
from eid.nfc.errors import (
    AccessKeyMissing,
    BacFailed,
    FileNotFoundOnCard,
    LdsFormatError,
    NfcError,
    PaceFailed,
    StatusWordError,
    TlvError,
)
from eid.nfc.lds import FILES
from eid.nfc.lds.dg14 import parse_card_access
from eid.nfc.mrz import MrzKey
from eid.nfc.rng import SYSTEM_RNG, Rng
from eid.nfc.transport import Channel, Transport

CHUNK = 0xDF  # leaves room for SM overhead in a short APDU (ICAO 9303-10 §3.6)
READ_ORDER = ("COM", "SOD", "DG1", "DG2", "DG13", "DG14", "DG15")
OPTIONAL = frozenset({"DG14", "DG15"})


@dataclass(frozen=True)
class CardRead:
    """What the phone sends to the server: raw files by short name and the AA answer."""

    files: dict[str, bytes]
    access: Literal["PACE", "BAC"]
    aa_signature: bytes | None = None
    card_access: bytes | None = field(default=None, repr=False)


def read_file(channel: Channel, name: str, *, chunk: int = CHUNK) -> bytes:
    """SELECT an EF by file id and READ BINARY it whole (B1 beyond offset 7FFF).

    Raises:
        FileNotFoundOnCard: when the chip has no such file.
        StatusWordError: on any other refusal.
        LdsFormatError: when the file header is not a TLV.
    """
    info = FILES[name]
    channel.call(commands.select_ef(info.fid), f"SELECT {name}")
    head = channel.call(commands.read_binary(0, 4), f"READ BINARY {name}")
    try:
        total = tlv.total_length(head)
    except TlvError:  # a length of three or four bytes needs a longer header
        head += channel.call(commands.read_binary(len(head), 4), f"READ BINARY {name}")
        try:
            total = tlv.total_length(head)
        except TlvError as exc:
            raise LdsFormatError(f"{name} does not start with a TLV header") from exc
    data = bytearray(head[:total])
    while len(data) < total:
        size = min(chunk, total - len(data))
        if len(data) <= 0x7FFF:
            part = channel.call(commands.read_binary(len(data), size), f"READ BINARY {name}")
        else:
            odd = channel.call(commands.read_binary_odd(len(data), size + 4), f"READ {name}")
            part = tlv.parse_single(odd, 0x53).value
        if not part:
            raise LdsFormatError(f"{name} ended early at {len(data)} of {total} bytes")
        data += part
    return bytes(data)


def read_card_access(channel: Channel) -> bytes:
    """EF.CardAccess by short file id 1C, in plain.

    Raises:
        StatusWordError: when the chip has no EF.CardAccess (then use BAC).
    """
    data = bytearray()
    while True:
        part = channel.call(commands.read_binary_sfi(0x1C, len(data), CHUNK), "READ CardAccess")
        data += part
        if len(part) < CHUNK or len(data) >= tlv.total_length(bytes(data)):
            return bytes(data[: tlv.total_length(bytes(data))])


def open_session(channel: Channel, *, can: str | None, mrz: MrzKey | None,
                 rng: Rng) -> tuple[Literal["PACE", "BAC"], bytes | None]:
    """PACE with the CAN when the chip offers it, else (or on failure) BAC with the MRZ.

    Raises:
        AccessKeyMissing: when neither a CAN nor the MRZ data was given.
        PaceFailed: when PACE failed and no MRZ data allows a BAC fallback.
        BacFailed: when BAC failed.
    """
    if not can and mrz is None:
        raise AccessKeyMissing()
    card_access: bytes | None = None
    failure: NfcError | None = None
    if can:
        try:
            card_access = read_card_access(channel)
            infos = parse_card_access(card_access).pace
            if not infos:
                raise PaceFailed("EF.CardAccess offers no PACE protocol")
            pace.perform(channel, pace.PacePassword.from_can(can), infos[0], rng=rng)
            channel.call(commands.select_aid(), "SELECT eMRTD")
            return "PACE", card_access
        except (PaceFailed, StatusWordError, LdsFormatError, TlvError) as exc:
            failure = exc
            channel.sm = None
    if mrz is None:
        raise PaceFailed(f"PACE with the CAN failed ({failure})") from failure
    try:
        channel.call(commands.select_aid(), "SELECT eMRTD")
    except StatusWordError as exc:
        raise BacFailed("the chip has no eMRTD application", sw=exc.sw) from exc
    bac.perform(channel, mrz, rng=rng)
    return "BAC", card_access


def read_card(transport: Transport, *, can: str | None = None, mrz: MrzKey | None = None,
              challenge: bytes | None = None, rng: Rng = SYSTEM_RNG) -> CardRead:
    """Open the chip, read every file the server needs and run active authentication.

    ``challenge`` is the server's 8-byte nonce for this session; without it AA is skipped.

    Raises:
        AccessKeyMissing, PaceFailed, BacFailed: when the chip cannot be opened.
        SecureMessagingError: when the session breaks (the chip answered 6987/6988, or
            any status word without SM data objects, or a response failed SM checks).
        FileNotFoundOnCard: when a mandatory file (EF.COM, EF.SOD, DG1, DG2, DG13) is absent.
        StatusWordError, TransportError: on other card or link failures.
    """
    channel = Channel(transport)
    access, card_access = open_session(channel, can=can, mrz=mrz, rng=rng)
    files: dict[str, bytes] = {}
    for name in READ_ORDER:
        try:
            files[name] = read_file(channel, name)
        except FileNotFoundOnCard:
            if name not in OPTIONAL:
                raise
    signature = None
    if challenge is not None and "DG15" in files:
        signature = channel.call(commands.internal_authenticate(challenge),
                                 "INTERNAL AUTHENTICATE")
    return CardRead(files, access, signature, card_access)
