"""Fixtures for eid.nfc: a frozen clock, one generated test PKI per session, AA keys
and factories for synthetic holders and personalised chips. Synthetic data only."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from eid.nfc.holder import CardHolder
from eid.nfc.sim import CardImage, SimulatedPki, generate_pki, issue_card
from eid.nfc.sim.issuer import AaKey

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CHALLENGE = bytes.fromhex("0011223344556677")


def make_holder(**changes: object) -> CardHolder:
    holder = CardHolder(
        id_number="001099012345", full_name="Nguyễn Văn An", birth_date=date(1990, 5, 17),
        sex="Nam", issue_date=date(2021, 4, 1), expiry_date=date(2030, 5, 17),
        hometown="Xã Mẫu, Hà Nội", permanent_address="Số 1 Phố Thử, Hoàn Kiếm, Hà Nội",
        father="Nguyễn Văn Bình", mother="Trần Thị Cúc", spouse="Lê Thị Dung")
    return replace(holder, **changes)  # type: ignore[arg-type]


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def pki() -> SimulatedPki:
    return generate_pki(now=NOW)


@pytest.fixture(scope="session")
def rsa_pki() -> SimulatedPki:
    return generate_pki(now=NOW, ds_kind="rsa")


@pytest.fixture(scope="session")
def rsa_aa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def ec_aa_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.BrainpoolP256R1())


@pytest.fixture
def holder() -> CardHolder:
    return make_holder()


@pytest.fixture(scope="session")
def card(pki: SimulatedPki, rsa_aa_key: rsa.RSAPrivateKey) -> CardImage:
    """A CCCD signed by the test DS (brainpool ECDSA) with an RSA AA key."""
    return issue_card(make_holder(), pki.document_signer, now=NOW, aa_key=rsa_aa_key)


def make_card(pki: SimulatedPki, aa_key: AaKey | None = None, **changes: object) -> CardImage:
    return issue_card(make_holder(**changes), pki.document_signer, now=NOW, aa_key=aa_key)
