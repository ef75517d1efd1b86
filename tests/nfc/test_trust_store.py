"""TrustStore: PEM, DER and ICAO master lists; CRLs; CSCA generations."""
from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from eid.nfc.errors import TrustStoreError
from eid.nfc.sim import SimulatedPki
from eid.nfc.sim.pki import issue_document_signer
from eid.nfc.sim.signing import sign_cms
from eid.nfc.trust_store import CSCA_MASTER_LIST, TrustStore, master_list_content
from tests.nfc.conftest import NOW


def test_pem_bundle_loads_certificates_and_crls(pki: SimulatedPki) -> None:
    pem = (pki.csca_old.certificate.public_bytes(Encoding.PEM)
           + pki.csca.certificate.public_bytes(Encoding.PEM) + pki.crl.public_bytes(Encoding.PEM))
    store = TrustStore.from_pem(pem)
    assert store.cscas == pki.trust_store().cscas
    assert store.crl_for(pki.csca.certificate) == pki.crl


def test_der_certificate_and_crl_load(pki: SimulatedPki) -> None:
    cert = TrustStore.from_der(pki.csca.certificate.public_bytes(Encoding.DER))
    crl = TrustStore.from_der(pki.crl.public_bytes(Encoding.DER))
    assert cert.merged(crl) == TrustStore((pki.csca.certificate,), (pki.crl,))


def test_master_list_round_trips_both_generations(pki: SimulatedPki) -> None:
    store = TrustStore.from_master_list(pki.master_list(now=NOW))
    assert set(store.cscas) == {pki.csca_old.certificate, pki.csca.certificate}
    assert store.issuers_of(pki.document_signer.certificate) == (pki.csca.certificate,)


def test_tampered_master_list_is_rejected(pki: SimulatedPki) -> None:
    data = bytearray(pki.master_list(now=NOW))
    data[len(data) // 3] ^= 0x01
    with pytest.raises(TrustStoreError):
        TrustStore.from_master_list(bytes(data))


def test_master_list_signed_outside_its_cscas_needs_an_anchor(pki: SimulatedPki) -> None:
    signer = issue_document_signer(pki.csca, not_before=NOW, days=30, serial=901, name="MLS")
    content = master_list_content((pki.csca_old.certificate,))
    data = sign_cms(CSCA_MASTER_LIST, content, signer, now=NOW)
    with pytest.raises(TrustStoreError, match="not issued by a listed CSCA"):
        TrustStore.from_master_list(data)
    trusted = TrustStore.from_master_list(data, anchors=(pki.csca.certificate,))
    assert trusted.cscas == (pki.csca_old.certificate,)


@pytest.mark.parametrize("data", [b"", b"not a certificate", b"\x30\x03\x02\x01\x00"])
def test_garbage_is_rejected(data: bytes) -> None:
    with pytest.raises(TrustStoreError):
        TrustStore.from_der(data)
    with pytest.raises(TrustStoreError):
        TrustStore.from_master_list(data)


def test_crl_of_another_issuer_is_ignored(pki: SimulatedPki) -> None:
    store = TrustStore((pki.csca_old.certificate,), (pki.crl,))
    assert store.crl_for(pki.csca_old.certificate) is None
