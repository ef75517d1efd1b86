"""Key derivation (9303-11 §9.7) against Appendix D and G."""
from __future__ import annotations

from eid.nfc import kdf
from eid.nfc.mrz import MrzKey
from tests.nfc import icao_vectors as v


def test_bac_seed_and_keys_match_appendix_d() -> None:
    seed = kdf.bac_key_seed("L898902C<369080619406236")
    assert seed.hex().upper() == v.D_KSEED
    assert kdf.kdf(seed, kdf.ENC).hex().upper() == v.D_KENC
    assert kdf.kdf(seed, kdf.MAC).hex().upper() == v.D_KMAC


def test_session_keys_match_appendix_d() -> None:
    seed = bytes.fromhex(v.D_SESSION_SEED)
    assert kdf.kdf(seed, kdf.ENC).hex().upper() == v.D_KSENC
    assert kdf.kdf(seed, kdf.MAC).hex().upper() == v.D_KSMAC


def test_pace_password_key_matches_appendix_g() -> None:
    information = MrzKey("T22000129", "640812", "101031").information()
    assert information == "T22000129364081251010318"
    password = kdf.mrz_password(information)
    assert password.hex().upper() == v.G_MRZ_SEED
    assert kdf.pace_password_key(password, "AES", 128).hex().upper() == v.G_KPI


def test_aes_session_keys_match_appendix_g() -> None:
    shared = bytes.fromhex(v.G_SHARED)
    assert kdf.kdf(shared, kdf.ENC, "AES", 128).hex().upper() == v.G_KSENC
    assert kdf.kdf(shared, kdf.MAC, "AES", 128).hex().upper() == v.G_KSMAC


def test_longer_aes_keys_use_sha256() -> None:
    assert len(kdf.kdf(b"k", kdf.ENC, "AES", 256)) == 32
    assert len(kdf.kdf(b"k", kdf.ENC, "AES", 192)) == 24
