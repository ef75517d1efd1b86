"""Block-cipher primitives of ICAO Doc 9303-11 §9.8 and ISO/IEC 9797-1.

Two-key 3DES (CBC with zero IV, retail MAC = ISO 9797-1 MAC algorithm 3) and AES
(CBC, CMAC per NIST SP 800-38B). Padding is ISO/IEC 9797-1 method 2 (``80 00 ..``).
3DES keys are expanded to ``K1||K2||K1`` because cryptography only accepts 24-byte keys.

The functions set a key up for one message; :class:`SessionCipher` sets a session's
keys up once and serves every APDU of the session (secure messaging).
"""
from __future__ import annotations

from typing import Literal

from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
from cryptography.hazmat.primitives import cmac as _cmac
from cryptography.hazmat.primitives.ciphers import BlockCipherAlgorithm, Cipher, algorithms, modes

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


def _xor(a: bytes, b: bytes) -> bytes:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).to_bytes(len(a), "big")


class _Cbc:
    """CBC under one key with a different IV per message, on contexts made once.

    A CBC encryptor that keeps running chains from its last ciphertext block ``C``;
    XOR-ing ``IV ^ C`` into a message's first block makes it start from ``IV`` instead.
    Decryption is ECB decryption XOR the previous ciphertext block (``IV`` first).
    """

    def __init__(self, algorithm: BlockCipherAlgorithm) -> None:
        self.block = algorithm.block_size // 8
        self._last = bytes(self.block)
        self._cbc = Cipher(algorithm, modes.CBC(self._last)).encryptor()
        # Block by block: the IV E(KSenc, SSC), CBC decryption, the retail MAC's last steps.
        self._ecb = Cipher(algorithm, modes.ECB()).encryptor()  # noqa: S305
        self._ecb_inverse = Cipher(algorithm, modes.ECB()).decryptor()  # noqa: S305

    def encrypt_block(self, block: bytes) -> bytes:
        return self._ecb.update(block)

    def decrypt_blocks(self, data: bytes) -> bytes:
        return self._ecb_inverse.update(data)

    def encrypt(self, iv: bytes, data: bytes) -> bytes:
        """CBC encryption of whole blocks (the caller pads)."""
        n = self.block
        out = self._cbc.update(_xor(data[:n], _xor(iv, self._last)) + data[n:])
        self._last = out[-n:]
        return out

    def decrypt(self, iv: bytes, data: bytes) -> bytes:
        """CBC decryption of whole blocks."""
        return _xor(self._ecb_inverse.update(data), iv + data[: -self.block])


class SessionCipher:
    """Encryption and the 8-byte MAC of one secure-messaging session.

    3DES: CBC under KSenc, retail MAC under KSmac; AES: CBC under KSenc, CMAC under
    KSmac truncated to 8 bytes (ICAO 9303-11 §9.8.3, §9.8.6).
    """

    def __init__(self, cipher: Literal["3DES", "AES"], ks_enc: bytes, ks_mac: bytes) -> None:
        self.cipher = cipher
        if cipher == "3DES":
            self._enc = _Cbc(TripleDES(_tdes_key(ks_enc)))
            self._k1 = _Cbc(TripleDES(_tdes_key(ks_mac[:8])))
            self._k2 = _Cbc(TripleDES(_tdes_key(ks_mac[8:16])))
        else:
            self._enc = _Cbc(algorithms.AES(ks_enc))
            self._cmac = _cmac.CMAC(algorithms.AES(ks_mac))
        self.block = self._enc.block

    def encrypt_block(self, block: bytes) -> bytes:
        """One block under KSenc (AES secure messaging's ``IV = E(KSenc, SSC)``)."""
        return self._enc.encrypt_block(block)

    def encrypt(self, iv: bytes, data: bytes) -> bytes:
        return self._enc.encrypt(iv, data)

    def decrypt(self, iv: bytes, data: bytes) -> bytes:
        return self._enc.decrypt(iv, data)

    def mac(self, message: bytes) -> bytes:
        """The 8-byte MAC over ``message`` after padding method 2."""
        padded = pad(message, self.block)
        if self.cipher == "3DES":
            chained = self._k1.encrypt(bytes(8), padded)[-8:]  # single DES CBC under K1
            return self._k1.encrypt_block(self._k2.decrypt_blocks(chained))
        mac = self._cmac.copy()
        mac.update(padded)
        return mac.finalize()[:8]
