"""The simulated chip behind nfcpy: a contactless device whose ``send_cmd_recv_rsp``
answers RATS and ISO/IEC 14443-4 (ISO-DEP) blocks, so that ``clf.connect()`` /
``nfc.tag.activate()`` return nfcpy's real ``Type4ATag`` and the reader runs through
nfcpy's own ISO-DEP stack (chaining, block numbers, presence checks) unchanged.

This module and :mod:`eid.nfc.nfcpy_reader` are the only ones importing nfcpy.
"""
from __future__ import annotations

from typing import Any

import nfc
import nfc.clf
import nfc.clf.device

from eid.nfc.transport import Transport

# ATS: TL=05, T0=78 (TA, TB, TC follow; FSCI 8 = 256 bytes), TA=80, TB=70 (FWI 7), TC=02
ATS = bytes.fromhex("0578807002")
UID = bytes.fromhex("08A1B2C3")  # random-UID style NFCID1, as eMRTD chips use
FSD = 256


class SimulatedDevice(nfc.clf.device.Device):  # type: ignore[misc]
    """An nfcpy device driver whose only card is ``chip`` (any Transport)."""

    def __init__(self, chip: Transport) -> None:  # no super(): the base refuses to init
        self.chip = chip
        self._path = "sim"
        self._vendor_name, self._device_name, self._chipset_name = "eid", "simulated", "sim"
        self._chained = b""
        self._pending: list[bytes] = []
        self._block = 0
        self.frames: list[tuple[bytes, bytes]] = []

    def close(self) -> None:
        self._pending = []

    def mute(self) -> None:
        self._chained, self._pending = b"", []

    def turn_on_led_and_buzzer(self) -> None:
        return None

    def turn_off_led_and_buzzer(self) -> None:
        return None

    def sense_tta(self, target: Any) -> Any:
        return nfc.clf.RemoteTarget(target.brty, sens_res=bytearray(b"\x04\x00"),
                                    sel_res=bytearray(b"\x20"), sdd_res=bytearray(UID))

    def sense_ttb(self, target: Any) -> None:
        return None

    def sense_ttf(self, target: Any) -> None:
        return None

    def get_max_send_data_size(self, target: Any) -> int:
        return FSD

    def get_max_recv_data_size(self, target: Any) -> int:
        return FSD

    def send_cmd_recv_rsp(self, target: Any, data: bytes, timeout: float) -> bytearray:
        frame = bytes(data)
        answer = self._frame(frame)
        self.frames.append((frame, answer))
        return bytearray(answer)

    # --- ISO/IEC 14443-4 --------------------------------------------------------------------

    def _frame(self, frame: bytes) -> bytes:
        pcb = frame[0]
        if pcb == 0xE0:  # RATS
            self._block = 0
            return ATS
        if pcb & 0xE2 == 0x02:  # I-block
            return self._i_block(pcb, frame[1:])
        if pcb & 0xE6 == 0xA2:  # R-block (ACK or NAK)
            if pcb & 0x10 == 0 and self._pending:  # ACK: next part of a chained response
                return self._next_part(pcb & 1)
            return bytes([0xA2 | (pcb & 1)])  # NAK (presence check) is acknowledged
        raise nfc.clf.ProtocolError("unexpected block")

    def _i_block(self, pcb: int, info: bytes) -> bytes:
        number = pcb & 1
        if pcb & 0x10:  # chaining: acknowledge and collect
            self._chained += info
            return bytes([0xA2 | number])
        apdu, self._chained = self._chained + info, b""
        response = self.chip.transceive(apdu)
        size = FSD - 3
        self._pending = [response[i : i + size] for i in range(0, len(response), size)] or [b""]
        return self._next_part(number)

    def _next_part(self, number: int) -> bytes:
        part = self._pending.pop(0)
        more = 0x10 if self._pending else 0x00
        return bytes([0x02 | more | number]) + part


def simulated_frontend(chip: Transport) -> nfc.ContactlessFrontend:
    """A real ``nfc.ContactlessFrontend`` driving :class:`SimulatedDevice`."""
    clf = nfc.ContactlessFrontend()
    clf.device = SimulatedDevice(chip)
    return clf
