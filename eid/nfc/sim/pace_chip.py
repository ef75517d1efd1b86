"""The chip side of PACE-GM (ICAO Doc 9303-11 §4.4), for the simulated chip.

The chip draws, in order: the nonce s, its mapping key, its ephemeral key; with the
values of Appendix G.1 injected through ``rng`` it answers byte for byte as published.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from eid.nfc import pace, tlv
from eid.nfc.ecc import Curve, Point
from eid.nfc.errors import PaceFailed, TlvError
from eid.nfc.pace import PacePassword
from eid.nfc.rng import Rng
from eid.nfc.secure_messaging import SessionKeys
from eid.nfc.security_infos import PaceInfo


@dataclass
class PaceChipSession:
    """One PACE run on the chip, advanced by each GENERAL AUTHENTICATE."""

    info: PaceInfo
    password: PacePassword
    rng: Rng
    step: int = 1
    nonce: bytes = b""
    generator: Point = None
    chip_key: bytes = b""
    terminal_key: bytes = b""
    keys: SessionKeys | None = field(default=None)

    @property
    def curve(self) -> Curve:
        return pace.curve_of(self.info)

    def answer(self, dynamic_data: bytes) -> tuple[bytes, SessionKeys | None]:
        """Process the DO7C of one GENERAL AUTHENTICATE; return the response DO7C and,
        after the last step, the session keys.

        Raises:
            PaceFailed: on a malformed step, an invalid point or a wrong terminal token
                (the chip answers 6300 for the token, 6A80 otherwise).
        """
        try:
            objects = {t.tag: t.value for t in tlv.parse_single(dynamic_data, 0x7C).children()}
        except TlvError as exc:
            raise PaceFailed("malformed dynamic authentication data") from exc
        handler = {1: self._nonce, 2: self._map, 3: self._agree, 4: self._tokens}[self.step]
        body, keys = handler(objects)
        self.step += 1
        return tlv.encode(0x7C, body), keys

    def _nonce(self, _: dict[int, bytes]) -> tuple[bytes, None]:
        self.nonce = self.rng.token_bytes(8 if self.info.cipher == "3DES" else 16)
        kpi = pace.password_key(self.password, self.info)
        return tlv.encode(0x80, pace.encrypt_nonce(kpi, self.nonce, self.info)), None

    def _map(self, objects: dict[int, bytes]) -> tuple[bytes, None]:
        curve = self.curve
        terminal = curve.decode(_need(objects, 0x81))
        sk_map = pace.random_scalar(curve, self.rng)
        self.generator = pace.map_generator(curve, self.nonce, sk_map, terminal)
        return tlv.encode(0x82, curve.encode(curve.multiply(sk_map, curve.generator))), None

    def _agree(self, objects: dict[int, bytes]) -> tuple[bytes, None]:
        curve = self.curve
        self.terminal_key = _need(objects, 0x83)
        terminal = curve.decode(self.terminal_key)
        sk = pace.random_scalar(curve, self.rng)
        self.chip_key = curve.encode(curve.multiply(sk, self.generator))
        if self.chip_key == self.terminal_key:
            raise PaceFailed("terminal echoed the chip's key")
        shared = curve.multiply(sk, terminal)
        if shared is None:
            raise PaceFailed("key agreement produced the point at infinity")
        self.keys = pace.session_keys(shared[0].to_bytes(curve.size, "big"), self.info)
        return tlv.encode(0x84, self.chip_key), None

    def _tokens(self, objects: dict[int, bytes]) -> tuple[bytes, SessionKeys]:
        assert self.keys is not None
        expected = pace.token(self.keys, self.info, self.chip_key)
        if not hmac.compare_digest(_need(objects, 0x85), expected):
            raise PaceFailed("terminal token does not verify", sw=0x6300)
        return tlv.encode(0x86, pace.token(self.keys, self.info, self.terminal_key)), self.keys


def _need(objects: dict[int, bytes], tag: int) -> bytes:
    if tag not in objects:
        raise PaceFailed(f"data object {tag:02X} missing")
    return objects[tag]
