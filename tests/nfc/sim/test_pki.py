"""The generated test PKI: dates from the injected clock, two CSCA generations, CRL."""
from __future__ import annotations

from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric import ec

from eid.nfc.sim import SimulatedPki
from eid.nfc.trust_store import issued_by
from tests.nfc.conftest import NOW


def test_certificates_are_dated_from_now(pki: SimulatedPki) -> None:
    ds = pki.document_signer.certificate
    assert ds.not_valid_before_utc == NOW - timedelta(days=30)
    assert pki.csca.certificate.not_valid_before_utc < ds.not_valid_before_utc
    assert pki.crl.last_update_utc == NOW


def test_document_signer_chains_to_generation_two_only(pki: SimulatedPki) -> None:
    ds = pki.document_signer.certificate
    assert issued_by(ds, pki.csca.certificate)
    assert not issued_by(ds, pki.csca_old.certificate)
    assert pki.csca.certificate.subject == pki.csca_old.certificate.subject
    assert isinstance(ds.public_key(), ec.EllipticCurvePublicKey)
    assert ds.public_key().curve.name == "brainpoolP256r1"


def test_revocation_produces_a_new_crl(pki: SimulatedPki) -> None:
    revoked = pki.with_revoked(101, 102, now=NOW)
    assert revoked.crl.get_revoked_certificate_by_serial_number(101) is not None
    assert pki.crl.get_revoked_certificate_by_serial_number(101) is None
