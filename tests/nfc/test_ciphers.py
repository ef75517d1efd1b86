"""Block-cipher primitives against the intermediate values of 9303-11 Appendix D."""
from __future__ import annotations

import pytest

from eid.nfc import ciphers
from eid.nfc.errors import SecureMessagingError
from tests.nfc import icao_vectors as v


def test_parity_adjustment_of_appendix_d() -> None:
    adjusted = ciphers.adjust_parity(bytes.fromhex("AB94FCEDF2664EDFB9B291F85D7F77F2"))
    assert adjusted.hex().upper() == v.D_KENC
    assert all(bin(b).count("1") % 2 == 1 for b in adjusted)


def test_3des_encryption_of_the_terminal_cryptogram() -> None:
    cryptogram = ciphers.tdes_encrypt(bytes.fromhex(v.D_KENC), bytes.fromhex(v.D_S))
    assert cryptogram.hex().upper() == v.D_E_IFD
    assert ciphers.tdes_decrypt(bytes.fromhex(v.D_KENC), cryptogram).hex().upper() == v.D_S


@pytest.mark.parametrize(("data", "mac"), [(v.D_E_IFD, v.D_M_IFD), (v.D_E_IC, v.D_M_IC)])
def test_retail_mac_of_appendix_d(data: str, mac: str) -> None:
    assert ciphers.retail_mac(bytes.fromhex(v.D_KMAC), bytes.fromhex(data)).hex().upper() == mac


def test_padding_always_adds_a_block_marker() -> None:
    assert ciphers.pad(bytes(8), 8) == bytes(8) + b"\x80" + bytes(7)
    assert ciphers.pad(b"\x01", 8) == bytes.fromhex("0180000000000000")
    assert ciphers.unpad(ciphers.pad(b"abc", 16)) == b"abc"


@pytest.mark.parametrize("padded", [bytes(8), bytes.fromhex("0102030400000000")])
def test_bad_padding_is_rejected(padded: bytes) -> None:
    with pytest.raises(SecureMessagingError):
        ciphers.unpad(padded)


def test_aes_cmac_matches_nist_sp800_38b_example() -> None:
    key = bytes.fromhex("2b7e151628aed2a6abf7158809cf4f3c")  # SP 800-38B D.1, example 2
    message = bytes.fromhex("6bc1bee22e409f96e93d7e117393172a")
    assert ciphers.aes_cmac(key, message).hex() == "070a16b46b4d4144f79bdd9dd04a287c"


@pytest.mark.parametrize(("cipher", "key_size"), [("3DES", 16), ("AES", 16)])
def test_session_cipher_matches_the_one_shot_functions_message_after_message(
        cipher: str, key_size: int) -> None:
    ks_enc, ks_mac = bytes(range(key_size)), bytes(range(100, 100 + key_size))
    session = ciphers.SessionCipher("3DES" if cipher == "3DES" else "AES", ks_enc, ks_mac)
    encrypt, decrypt = ((ciphers.tdes_encrypt, ciphers.tdes_decrypt) if cipher == "3DES"
                        else (ciphers.aes_encrypt, ciphers.aes_decrypt))
    block = session.block
    for n, size in enumerate([1, 5, 3, 14]):  # the running CBC context must not leak
        iv, data = bytes([n]) * block, bytes([0x40 + n]) * (size * block)
        cryptogram = session.encrypt(iv, data)
        assert cryptogram == encrypt(ks_enc, data, iv)
        assert session.decrypt(iv, cryptogram) == decrypt(ks_enc, cryptogram, iv)
        message = data[: size * 3]
        expected = (ciphers.retail_mac(ks_mac, message) if cipher == "3DES"
                    else ciphers.aes_cmac(ks_mac, ciphers.pad(message, 16))[:8])
        assert session.mac(message) == expected
    assert session.encrypt_block(bytes(block)) == encrypt(ks_enc, bytes(block))
