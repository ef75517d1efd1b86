"""Key derivation function, ICAO Doc 9303-11 §9.7.1.

``KDF(K, c) = H(K || c)`` truncated: SHA-1 for 3DES and AES-128, SHA-256 for AES-192
and AES-256. ``c`` is 1 for the encryption key, 2 for the MAC key and 3 for the PACE
password key Kπ. 3DES keys get DES parity bits.
"""
from __future__ import annotations

import hashlib
from typing import Literal

from eid.nfc.ciphers import adjust_parity

ENC = 1
MAC = 2
PACE = 3

CipherName = Literal["3DES", "AES"]


def kdf(secret: bytes, counter: int, cipher: CipherName = "3DES", key_bits: int = 128) -> bytes:
    """Derive one key from a shared secret or key seed."""
    data = secret + counter.to_bytes(4, "big")
    if cipher == "3DES":
        return adjust_parity(hashlib.sha1(data).digest()[:16])  # noqa: S324 - mandated by 9303-11
    if key_bits == 128:
        return hashlib.sha1(data).digest()[:16]  # noqa: S324 - mandated by 9303-11
    return hashlib.sha256(data).digest()[: key_bits // 8]


def bac_key_seed(mrz_information: str) -> bytes:
    """``Kseed = SHA-1(MRZ information)[0:16]`` (9303-11 §9.7.2)."""
    return hashlib.sha1(mrz_information.encode("ascii")).digest()[:16]  # noqa: S324


def pace_password_key(password: bytes, cipher: CipherName, key_bits: int) -> bytes:
    """Kπ = KDF(f(π), 3), where f(π) = SHA-1(MRZ information) or the CAN's bytes."""
    return kdf(password, PACE, cipher, key_bits)


def mrz_password(mrz_information: str) -> bytes:
    """f(π) for the MRZ: the whole SHA-1 of the MRZ information (9303-11 §9.7.3)."""
    return hashlib.sha1(mrz_information.encode("ascii")).digest()  # noqa: S324
