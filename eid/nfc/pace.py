"""PACE with generic mapping over ECDH, ICAO Doc 9303-11 §4.4 and worked example
Appendix G.1 (brainpoolP256r1, AES-128, CMAC).

MSE:Set AT, then four GENERAL AUTHENTICATE steps: (1) the chip's nonce encrypted
with Kπ, (2) mapping keys, ``G~ = s*G + H``, (3) ephemeral keys on ``G~`` and the
shared secret ``K = x(sk * PK)``, (4) authentication tokens
``T = MAC(KSmac, 7F49{06 OID, 86 PK_other})``. Secure messaging then starts with SSC 0.
The primitives here serve both the terminal (:func:`perform`) and the simulated chip.
"""
from __future__ import annotations

import hmac
from dataclasses import dataclass

from eid.nfc import ciphers, commands, der, tlv
from eid.nfc.ecc import PACE_CURVES, Curve, Point
from eid.nfc.errors import PaceFailed, SecureMessagingError, StatusWordError, TlvError
from eid.nfc.kdf import ENC, MAC, mrz_password, pace_password_key
from eid.nfc.kdf import kdf as derive
from eid.nfc.mrz import MrzKey
from eid.nfc.rng import Rng
from eid.nfc.secure_messaging import SecureMessaging, SessionKeys
from eid.nfc.security_infos import PaceInfo
from eid.nfc.transport import Channel

MRZ_REF = 1
CAN_REF = 2


@dataclass(frozen=True)
class PacePassword:
    """The password reference (1 MRZ, 2 CAN) and ``f(π)`` (9303-11 §9.7.3)."""

    ref: int
    secret: bytes

    @classmethod
    def from_can(cls, can: str) -> PacePassword:
        return cls(CAN_REF, can.encode("ascii"))

    @classmethod
    def from_mrz(cls, key: MrzKey) -> PacePassword:
        return cls(MRZ_REF, mrz_password(key.information()))


@dataclass(frozen=True)
class PaceResult:
    keys: SessionKeys
    chip_token: bytes
    chip_public_key: bytes

    def secure_messaging(self) -> SecureMessaging:
        return SecureMessaging(self.keys, 0)


def curve_of(info: PaceInfo) -> Curve:
    """The standardized curve of ``info``.

    Raises:
        PaceFailed: for DH, integrated mapping or an unknown parameter id.
    """
    if info.agreement != "ECDH" or info.mapping != "GM":
        raise PaceFailed(f"unsupported PACE protocol {info.protocol}")
    curve = PACE_CURVES.get(info.parameter_id if info.parameter_id is not None else 13)
    if curve is None:
        raise PaceFailed(f"unsupported PACE domain parameters {info.parameter_id}")
    return curve


def password_key(password: PacePassword, info: PaceInfo) -> bytes:
    return pace_password_key(password.secret, info.cipher, info.key_bits)


def encrypt_nonce(kpi: bytes, nonce: bytes, info: PaceInfo) -> bytes:
    if info.cipher == "3DES":
        return ciphers.tdes_encrypt(kpi, nonce)
    return ciphers.aes_encrypt(kpi, nonce)


def decrypt_nonce(kpi: bytes, encrypted: bytes, info: PaceInfo) -> bytes:
    if info.cipher == "3DES":
        return ciphers.tdes_decrypt(kpi, encrypted)
    return ciphers.aes_decrypt(kpi, encrypted)


def random_scalar(curve: Curve, rng: Rng) -> int:
    """A private key in ``[1, n)`` from ``curve.size`` random bytes (retry otherwise)."""
    while True:
        k = int.from_bytes(rng.token_bytes(curve.size), "big")
        if 0 < k < curve.n:
            return k


def map_generator(curve: Curve, nonce: bytes, sk_map: int, peer_map: Point) -> Point:
    """Generic mapping: ``G~ = s*G + sk_map * PK_map,peer`` (9303-11 §4.4.3.3.1)."""
    shared = curve.multiply(sk_map, peer_map)
    if shared is None:
        raise PaceFailed("mapping produced the point at infinity")
    return curve.add(curve.multiply(int.from_bytes(nonce, "big"), curve.generator), shared)


def session_keys(shared_x: bytes, info: PaceInfo) -> SessionKeys:
    return SessionKeys(info.cipher, derive(shared_x, ENC, info.cipher, info.key_bits),
                       derive(shared_x, MAC, info.cipher, info.key_bits))


def token_input(info: PaceInfo, public_key: bytes) -> bytes:
    """The public key data object ``7F49 { 06 OID, 86 point }`` (9303-11 §4.4.3.4)."""
    return tlv.encode(0x7F49, der.oid(info.protocol) + tlv.encode(0x86, public_key))


def token(keys: SessionKeys, info: PaceInfo, public_key: bytes) -> bytes:
    data = token_input(info, public_key)
    if keys.cipher == "3DES":
        return ciphers.retail_mac(keys.ks_mac, data)
    return ciphers.aes_cmac(keys.ks_mac, data)[:8]


def _step(channel: Channel, tag: int, value: bytes | None, answer: int, last: bool) -> bytes:
    data = tlv.encode(tag, value) if value is not None else b""
    try:
        body = channel.call(commands.general_authenticate(data, last), "GENERAL AUTHENTICATE")
        return tlv.parse_single(body, 0x7C).child(answer).value
    except StatusWordError as exc:
        raise PaceFailed(f"chip rejected PACE (SW {exc.sw:04X})", sw=exc.sw) from exc
    except TlvError as exc:
        raise PaceFailed("malformed GENERAL AUTHENTICATE response") from exc


def perform(channel: Channel, password: PacePassword, info: PaceInfo, *, rng: Rng,
            send_parameter_id: bool = True) -> PaceResult:
    """Run PACE-GM over ``channel`` and switch it to secure messaging (SSC 0).

    The terminal draws its mapping key, then its ephemeral key from ``rng``.
    ``send_parameter_id=False`` leaves DO84 out of MSE:Set AT, as Appendix G does.

    Raises:
        PaceFailed: on a refused step (a wrong CAN gives 6300), an invalid point or a
            chip token that does not verify.
    """
    curve = curve_of(info)
    channel.sm = None
    param = info.parameter_id if send_parameter_id else None
    try:
        channel.call(commands.mse_set_at_pace(der.oid_bytes(info.protocol), password.ref, param),
                     "MSE:Set AT")
    except (StatusWordError, SecureMessagingError) as exc:
        raise PaceFailed("chip refused MSE:Set AT") from exc
    nonce = decrypt_nonce(password_key(password, info), _step(channel, 0, None, 0x80, False), info)
    sk_map = random_scalar(curve, rng)
    pk_map = curve.encode(curve.multiply(sk_map, curve.generator))
    chip_map = curve.decode(_step(channel, 0x81, pk_map, 0x82, False))
    if curve.encode(chip_map) == pk_map:
        raise PaceFailed("chip echoed the terminal's mapping key")
    generator = map_generator(curve, nonce, sk_map, chip_map)
    sk_eph = random_scalar(curve, rng)
    pk_eph = curve.encode(curve.multiply(sk_eph, generator))
    chip_eph_bytes = _step(channel, 0x83, pk_eph, 0x84, False)
    chip_eph = curve.decode(chip_eph_bytes)
    if chip_eph_bytes == pk_eph:
        raise PaceFailed("chip echoed the terminal's ephemeral key (PK_DH)")
    shared = curve.multiply(sk_eph, chip_eph)
    if shared is None:
        raise PaceFailed("key agreement produced the point at infinity")
    keys = session_keys(shared[0].to_bytes(curve.size, "big"), info)
    chip_token = _step(channel, 0x85, token(keys, info, chip_eph_bytes), 0x86, True)
    if not hmac.compare_digest(chip_token, token(keys, info, pk_eph)):
        raise PaceFailed("the chip's authentication token does not verify")
    result = PaceResult(keys, chip_token, chip_eph_bytes)
    channel.sm = result.secure_messaging()
    return result
