"""TrustStore: PEM, DER and ICAO master lists; CRLs; CSCA generations."""
from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from eid.nfc.errors import TrustStoreError
from eid.nfc.sim import SimulatedPki
from eid.nfc.sim.pki import issue_crl, issue_document_signer
from eid.nfc.sim.signing import sign_cms
from eid.nfc.trust_store import CSCA_MASTER_LIST, CrlStatus, TrustStore, master_list_content
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


# --- CRL currency and the CRL policy (ICAO 9303-12 §7.1.4, RFC 5280 §6.3.3) ----------------


def test_crl_within_next_update_is_current(pki: SimulatedPki) -> None:
    assert pki.trust_store().crl_status(pki.csca.certificate, NOW) is CrlStatus.CURRENT


def test_csca_without_crl_has_no_crl(pki: SimulatedPki) -> None:
    store = TrustStore((pki.csca.certificate,))
    assert store.crl_status(pki.csca.certificate, NOW) is CrlStatus.MISSING


def test_crl_past_its_next_update_is_expired(pki: SimulatedPki) -> None:
    stale = issue_crl(pki.csca, (), now=NOW - timedelta(days=100), days=90)
    store = TrustStore((pki.csca.certificate,), (stale,))
    assert store.crl_for(pki.csca.certificate) == stale
    assert store.crl_status(pki.csca.certificate, NOW) is CrlStatus.EXPIRED
    assert store.crl_status(pki.csca.certificate, NOW - timedelta(days=20)) is CrlStatus.CURRENT


def test_older_generation_is_covered_by_the_crl_of_the_newer_one(pki: SimulatedPki) -> None:
    # Both generations carry one name: the CRL of that issuer, signed by a trusted key of
    # it, lists the document signers of either generation.
    store = pki.trust_store()
    assert store.crl_for(pki.csca_old.certificate) == pki.crl
    assert store.crl_status(pki.csca_old.certificate, NOW) is CrlStatus.CURRENT


def test_crl_policy_defaults_to_lenient_and_every_loader_takes_it(pki: SimulatedPki) -> None:
    pem = pki.csca.certificate.public_bytes(Encoding.PEM)
    assert TrustStore().crl_policy == "lenient"
    assert TrustStore.from_pem(pem).crl_policy == "lenient"
    assert TrustStore.from_pem(pem, crl_policy="strict").crl_policy == "strict"
    der = pki.csca.certificate.public_bytes(Encoding.DER)
    assert TrustStore.from_der(der, crl_policy="strict").crl_policy == "strict"
    listed = TrustStore.from_master_list(pki.master_list(now=NOW), crl_policy="strict")
    assert listed.crl_policy == "strict"
    assert pki.trust_store(crl_policy="strict").crl_policy == "strict"


def test_merging_keeps_the_stricter_policy(pki: SimulatedPki) -> None:
    strict = TrustStore((pki.csca.certificate,), crl_policy="strict")
    assert strict.merged(TrustStore(crls=(pki.crl,))).crl_policy == "strict"
    assert TrustStore(crls=(pki.crl,)).merged(strict).crl_policy == "strict"


def test_unknown_crl_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="crl_policy"):
        TrustStore(crl_policy="off")  # type: ignore[arg-type]
