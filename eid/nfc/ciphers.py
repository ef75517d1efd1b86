"""Block-cipher primitives of ICAO Doc 9303-11 §9.8 and ISO/IEC 9797-1.

Two-key 3DES (CBC with zero IV, retail MAC = ISO 9797-1 MAC algorithm 3) and AES
(CBC, CMAC per NIST SP 800-38B). Padding is ISO/IEC 9797-1 method 2 (``80 00 ..``).
3DES keys are expanded to ``K1||K2||K1`` because cryptography only accepts 24-byte keys.
"""
from __future__ import annotations

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import cmac as _cmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from eid.nfc.errors import SecureMessagingError


def pad(data: bytes, block: int) -> bytes:
    """ISO/IEC 9797-1 padding method 2: always append ``80``, then zeros to a block."""
    out = data + b"\x80"
    return out + b"\x00" * (-len(out) % block)


def unpad(data: bytes) -> bytes:
    """Strip padding method 2.

    Raises:
        SecureMessagingError: when the padding is not ``80 00..``.
    """
    stripped = data.rstrip(b"\x00")
    if not stripped.endswith(b"\x80"):
        raise SecureMessagingError("bad padding")
    return stripped[:-1]


def adjust_parity(key: bytes) -> bytes:
    """Set the lowest bit of every byte for odd parity (DES keys)."""
    out = bytearray()
    for byte in key:
        high = byte & 0xFE
        out.append(high | (bin(high).count("1") + 1) % 2)
    return bytes(out)


def _tdes_key(key: bytes) -> bytes:
    if len(key) == 8:
        return key * 3
    if len(key) == 16:
        return key + key[:8]
    return key


def tdes_encrypt(key: bytes, data: bytes, iv: bytes = bytes(8)) -> bytes:
    enc = Cipher(TripleDES(_tdes_key(key)), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def tdes_decrypt(key: bytes, data: bytes, iv: bytes = bytes(8)) -> bytes:
    dec = Cipher(TripleDES(_tdes_key(key)), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def retail_mac(key: bytes, data: bytes) -> bytes:
    """ISO/IEC 9797-1 MAC algorithm 3 with DES, padding method 2 (8 bytes)."""
    padded = pad(data, 8)
    k1, k2 = key[:8], key[8:16]
    chained = tdes_encrypt(k1, padded)[-8:]  # single DES CBC under K1
    step = tdes_decrypt(k2, chained)
    return tdes_encrypt(k1, step)


def aes_encrypt(key: bytes, data: bytes, iv: bytes = bytes(16)) -> bytes:
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


def aes_decrypt(key: bytes, data: bytes, iv: bytes = bytes(16)) -> bytes:
    dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return dec.update(data) + dec.finalize()


def aes_cmac(key: bytes, data: bytes) -> bytes:
    """AES-CMAC (16 bytes) over ``data`` as given (no extra padding)."""
    mac = _cmac.CMAC(algorithms.AES(key))
    mac.update(data)
    return mac.finalize()
