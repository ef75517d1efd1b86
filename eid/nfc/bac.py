"""Basic access control, ICAO Doc 9303-11 §4.3 and §9.7.2, worked example Appendix D.

``Kseed = SHA-1(MRZ information)[0:16]``, ``Kenc/Kmac = KDF(Kseed, 1/2)`` (2-key 3DES).
GET CHALLENGE returns RND.IC; the terminal sends ``E_IFD || M_IFD`` with
``E_IFD = 3DES(Kenc, RND.IFD || RND.IC || K.IFD)`` and ``M_IFD`` its retail MAC; the
chip answers ``E_IC || M_IC`` over ``RND.IC || RND.IFD || K.IC``. Session keys come
from ``K.IFD xor K.IC`` and ``SSC = RND.IC[4:8] || RND.IFD[4:8]``.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from eid.nfc import ciphers, commands
from eid.nfc.errors import BacFailed, StatusWordError
from eid.nfc.kdf import ENC, MAC, bac_key_seed, kdf
from eid.nfc.mrz import MrzKey
from eid.nfc.rng import Rng
from eid.nfc.secure_messaging import SecureMessaging, SessionKeys
from eid.nfc.transport import Channel


@dataclass(frozen=True)
class BacKeys:
    """The document basic access keys derived from the MRZ."""

    seed: bytes
    k_enc: bytes
    k_mac: bytes

    @classmethod
    def from_mrz(cls, key: MrzKey) -> BacKeys:
        return cls.from_seed(bac_key_seed(key.information()))

    @classmethod
    def from_seed(cls, seed: bytes) -> BacKeys:
        return cls(seed, kdf(seed, ENC), kdf(seed, MAC))


@dataclass(frozen=True)
class BacResult:
    """The outcome of BAC: session keys and the initial send sequence counter."""

    keys: SessionKeys
    ssc: int

    def secure_messaging(self) -> SecureMessaging:
        return SecureMessaging(self.keys, self.ssc)


def session_from(k_ifd: bytes, k_ic: bytes, rnd_ic: bytes, rnd_ifd: bytes) -> BacResult:
    seed = bytes(a ^ b for a, b in zip(k_ifd, k_ic, strict=True))
    keys = SessionKeys("3DES", kdf(seed, ENC), kdf(seed, MAC))
    return BacResult(keys, int.from_bytes(rnd_ic[4:8] + rnd_ifd[4:8], "big"))


def _seal(keys: BacKeys, plain: bytes) -> bytes:
    cryptogram = ciphers.tdes_encrypt(keys.k_enc, plain)
    return cryptogram + ciphers.retail_mac(keys.k_mac, cryptogram)


def _open(keys: BacKeys, data: bytes) -> bytes:
    if len(data) != 40:
        raise BacFailed("mutual authentication data must be 40 bytes")
    cryptogram, mac = data[:32], data[32:]
    if not hmac.compare_digest(ciphers.retail_mac(keys.k_mac, cryptogram), mac):
        raise BacFailed("MAC of the mutual authentication does not verify")
    return ciphers.tdes_decrypt(keys.k_enc, cryptogram)


def terminal_cryptogram(keys: BacKeys, rnd_ic: bytes, rnd_ifd: bytes, k_ifd: bytes) -> bytes:
    """``E_IFD || M_IFD``, the data of EXTERNAL AUTHENTICATE."""
    return _seal(keys, rnd_ifd + rnd_ic + k_ifd)


def complete(keys: BacKeys, response: bytes, rnd_ic: bytes, rnd_ifd: bytes,
             k_ifd: bytes) -> BacResult:
    """Check the chip's answer and derive the session.

    Raises:
        BacFailed: when the MAC fails or the chip did not echo RND.IFD / RND.IC.
    """
    plain = _open(keys, response)
    if plain[:8] != rnd_ic or plain[8:16] != rnd_ifd:
        raise BacFailed("the chip did not echo the challenges")
    return session_from(k_ifd, plain[16:32], rnd_ic, rnd_ifd)


def chip_answer(keys: BacKeys, command_data: bytes, rnd_ic: bytes,
                k_ic: bytes) -> tuple[bytes, BacResult]:
    """The chip side of EXTERNAL AUTHENTICATE: the response data and the session.

    Raises:
        BacFailed: when the terminal's cryptogram is wrong (the chip answers 6300).
    """
    plain = _open(keys, command_data)
    rnd_ifd, echoed_ic, k_ifd = plain[:8], plain[8:16], plain[16:32]
    if echoed_ic != rnd_ic:
        raise BacFailed("terminal did not echo RND.IC")
    return _seal(keys, rnd_ic + rnd_ifd + k_ic), session_from(k_ifd, k_ic, rnd_ic, rnd_ifd)


def perform(channel: Channel, key: MrzKey, *, rng: Rng) -> BacResult:
    """Run BAC over ``channel`` and switch it to secure messaging.

    The terminal draws RND.IFD (8 bytes) and then K.IFD (16 bytes) from ``rng``.

    Raises:
        BacFailed: when the chip rejects the key (usually 6300) or answers wrongly.
    """
    keys = BacKeys.from_mrz(key)
    channel.sm = None
    try:
        rnd_ic = channel.call(commands.get_challenge(), "GET CHALLENGE")
        rnd_ifd, k_ifd = rng.token_bytes(8), rng.token_bytes(16)
        data = terminal_cryptogram(keys, rnd_ic, rnd_ifd, k_ifd)
        response = channel.call(commands.external_authenticate(data), "EXTERNAL AUTHENTICATE")
    except StatusWordError as exc:
        raise BacFailed(f"chip rejected BAC (SW {exc.sw:04X})", sw=exc.sw) from exc
    result = complete(keys, response, rnd_ic, rnd_ifd, k_ifd)
    channel.sm = result.secure_messaging()
    return result
