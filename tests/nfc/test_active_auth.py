"""Active authentication: ISO 9796-2 scheme 1 (BC and xxCC) and ECDSA (plain and DER)."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from eid.nfc import active_auth
from eid.nfc.errors import ActiveAuthFailed
from eid.nfc.rng import SYSTEM_RNG
from eid.nfc.security_infos import ActiveAuthenticationInfo

CHALLENGE = bytes.fromhex("0102030405060708")


@pytest.mark.parametrize("hash_name", ["sha1", "sha256", "sha384", "sha512", "sha224"])
def test_rsa_9796_2_signature_verifies(rsa_aa_key: rsa.RSAPrivateKey, hash_name: str) -> None:
    signature = active_auth.sign_rsa(rsa_aa_key, CHALLENGE, rng=SYSTEM_RNG, hash_name=hash_name)
    assert active_auth.verify(rsa_aa_key.public_key(), CHALLENGE, signature) == hash_name


def test_rsa_trailer_bc_means_sha1(rsa_aa_key: rsa.RSAPrivateKey) -> None:
    signature = active_auth.sign_rsa(rsa_aa_key, CHALLENGE, rng=SYSTEM_RNG)
    numbers = rsa_aa_key.public_key().public_numbers()
    recovered = pow(int.from_bytes(signature, "big"), numbers.e, numbers.n).to_bytes(256, "big")
    assert recovered[0] == 0x6A and recovered[-1] == 0xBC


@pytest.mark.parametrize("plain", [True, False], ids=["r||s", "DER"])
def test_ecdsa_signature_verifies(ec_aa_key: ec.EllipticCurvePrivateKey, plain: bool) -> None:
    signature = active_auth.sign_ecdsa(ec_aa_key, CHALLENGE, plain=plain)
    info = ActiveAuthenticationInfo(active_auth.ECDSA_PLAIN_SHA256)
    assert active_auth.verify(ec_aa_key.public_key(), CHALLENGE, signature, info) == "sha256"


def test_signature_over_another_challenge_fails(rsa_aa_key: rsa.RSAPrivateKey,
                                                ec_aa_key: ec.EllipticCurvePrivateKey) -> None:
    rsa_sig = active_auth.sign_rsa(rsa_aa_key, b"otherone", rng=SYSTEM_RNG)
    ec_sig = active_auth.sign_ecdsa(ec_aa_key, b"otherone")
    with pytest.raises(ActiveAuthFailed):
        active_auth.verify(rsa_aa_key.public_key(), CHALLENGE, rsa_sig)
    with pytest.raises(ActiveAuthFailed):
        active_auth.verify(ec_aa_key.public_key(), CHALLENGE, ec_sig)


@pytest.mark.parametrize("signature", [b"", b"\x00" * 256, b"\xFF" * 256, b"\x01" * 255])
def test_garbage_rsa_signature_fails(rsa_aa_key: rsa.RSAPrivateKey, signature: bytes) -> None:
    with pytest.raises(ActiveAuthFailed):
        active_auth.verify(rsa_aa_key.public_key(), CHALLENGE, signature)
