"""Active authentication, ICAO Doc 9303-11 §6.1.

INTERNAL AUTHENTICATE over an 8-byte challenge. RSA keys sign with ISO/IEC 9796-2
digital signature scheme 1 (partial message recovery): ``F = 6A || M1 || H(M1||M2) ||
trailer`` with trailer ``BC`` (SHA-1, implicit) or ``xx CC`` (xx = ISO/IEC 10118-3
hash id); ECDSA keys return ``r || s`` (some chips DER) over the hash named by the
ActiveAuthenticationInfo of DG14. The signing half serves the simulated chip.
"""
from __future__ import annotations

import hashlib
import hmac

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from eid.nfc.cms import hash_algorithm
from eid.nfc.errors import ActiveAuthFailed
from eid.nfc.rng import Rng
from eid.nfc.security_infos import ActiveAuthenticationInfo

_TRAILER_IDS = {0x33: "sha1", 0x34: "sha256", 0x35: "sha512", 0x36: "sha384", 0x38: "sha224"}
_IDS_BY_NAME = {v: k for k, v in _TRAILER_IDS.items()}
_ECDSA_OIDS = {
    "0.4.0.127.0.7.1.1.4.1.1": "sha1", "0.4.0.127.0.7.1.1.4.1.2": "sha224",
    "0.4.0.127.0.7.1.1.4.1.3": "sha256", "0.4.0.127.0.7.1.1.4.1.4": "sha384",
    "0.4.0.127.0.7.1.1.4.1.5": "sha512", "1.2.840.10045.4.1": "sha1",
    "1.2.840.10045.4.3.1": "sha224", "1.2.840.10045.4.3.2": "sha256",
    "1.2.840.10045.4.3.3": "sha384", "1.2.840.10045.4.3.4": "sha512",
}
ECDSA_PLAIN_SHA256 = "0.4.0.127.0.7.1.1.4.1.3"


def verify(key: PublicKeyTypes, challenge: bytes, signature: bytes,
           info: ActiveAuthenticationInfo | None = None) -> str:
    """Verify the chip's answer to INTERNAL AUTHENTICATE; return the hash used.

    Raises:
        ActiveAuthFailed: when the signature is not over ``challenge`` with ``key``.
    """
    if isinstance(key, rsa.RSAPublicKey):
        return _verify_rsa(key, challenge, signature)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return _verify_ecdsa(key, challenge, signature, info)
    raise ActiveAuthFailed("unsupported active-authentication key type")


def _recover(key: rsa.RSAPublicKey, signature: bytes) -> bytes:
    numbers = key.public_numbers()
    size = (key.key_size + 7) // 8
    value = int.from_bytes(signature, "big")
    if not 0 < value < numbers.n:
        raise ActiveAuthFailed("RSA signature out of range")
    recovered = pow(value, numbers.e, numbers.n)
    if recovered & 0xFF not in (0xBC, 0xCC):
        recovered = numbers.n - recovered  # ISO 9796-2: the signature may be min(s, n-s)
    return recovered.to_bytes(size, "big")


def _verify_rsa(key: rsa.RSAPublicKey, challenge: bytes, signature: bytes) -> str:
    f = _recover(key, signature)
    if f[-1] == 0xBC:
        name, trailer = "sha1", 1
    elif f[-1] == 0xCC and f[-2] in _TRAILER_IDS:
        name, trailer = _TRAILER_IDS[f[-2]], 2
    else:
        raise ActiveAuthFailed("ISO 9796-2 trailer not recognised")
    if f[0] != 0x6A:
        raise ActiveAuthFailed("ISO 9796-2 header is not partial recovery (6A)")
    size = hashlib.new(name).digest_size
    m1, digest = f[1 : -(size + trailer)], f[-(size + trailer) : -trailer]
    if not hmac.compare_digest(hashlib.new(name, m1 + challenge).digest(), digest):
        raise ActiveAuthFailed("the signature is not over this challenge")
    return name


def _ecdsa_hash(key: ec.EllipticCurvePublicKey, info: ActiveAuthenticationInfo | None) -> str:
    if info is not None and info.signature_algorithm in _ECDSA_OIDS:
        return _ECDSA_OIDS[info.signature_algorithm]
    return "sha384" if key.curve.key_size > 256 else "sha256"


def _verify_ecdsa(key: ec.EllipticCurvePublicKey, challenge: bytes, signature: bytes,
                  info: ActiveAuthenticationInfo | None) -> str:
    name = _ecdsa_hash(key, info)
    size = (key.curve.key_size + 7) // 8
    if len(signature) == 2 * size:
        der = encode_dss_signature(int.from_bytes(signature[:size], "big"),
                                   int.from_bytes(signature[size:], "big"))
    else:
        der = signature  # some chips answer with the DER SEQUENCE { r, s }
    try:
        key.verify(der, challenge, ec.ECDSA(hash_algorithm(name)))
    except (InvalidSignature, ValueError) as exc:
        raise ActiveAuthFailed("the signature is not over this challenge") from exc
    return name


# --- signing (simulated chip) ------------------------------------------------------------------


def sign_rsa(key: rsa.RSAPrivateKey, challenge: bytes, *, rng: Rng,
             hash_name: str = "sha1") -> bytes:
    """ISO 9796-2 scheme 1 signature with partial recovery (M1 random, M2 = challenge)."""
    size = (key.key_size + 7) // 8
    digest_size = hashlib.new(hash_name).digest_size
    trailer = b"\xBC" if hash_name == "sha1" else bytes([_IDS_BY_NAME[hash_name], 0xCC])
    m1 = rng.token_bytes(size - 1 - digest_size - len(trailer))
    f = b"\x6A" + m1 + hashlib.new(hash_name, m1 + challenge).digest() + trailer
    numbers = key.private_numbers()
    value = pow(int.from_bytes(f, "big"), numbers.d, numbers.public_numbers.n)
    return value.to_bytes(size, "big")


def sign_ecdsa(key: ec.EllipticCurvePrivateKey, challenge: bytes, *,
               hash_name: str = "sha256", plain: bool = True) -> bytes:
    """ECDSA over the challenge, as ``r || s`` (or DER when ``plain`` is false)."""
    der = key.sign(challenge, ec.ECDSA(hash_algorithm(hash_name)))
    if not plain:
        return der
    r, s = decode_dss_signature(der)
    size = (key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")
