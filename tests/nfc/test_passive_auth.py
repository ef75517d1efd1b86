"""Passive authentication: signature algorithms from the SignerInfo, chain and checks."""
from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509

from eid.nfc import errors, passive_auth
from eid.nfc.lds import sod
from eid.nfc.sim import SimulatedPki, generate_pki
from eid.nfc.sim.issuer import build_sod
from eid.nfc.sim.pki import issue_crl, issue_csca, issue_document_signer
from eid.nfc.trust_store import CrlPolicy, CrlStatus, TrustStore
from tests.nfc.conftest import NOW

GROUPS = {1: b"\x61\x00", 2: b"\x75\x00", 13: b"\x6D\x00"}


@pytest.mark.parametrize(("pss", "digest", "algorithm"), [
    (False, "sha256", "rsassa_pkcs1v15"), (True, "sha256", "rsassa_pss"),
    (True, "sha512", "rsassa_pss"), (False, "sha1", "rsassa_pkcs1v15"),
])
def test_rsa_signed_sod_verifies(rsa_pki: SimulatedPki, pss: bool, digest: str,
                                 algorithm: str) -> None:
    security = sod.parse(build_sod(GROUPS, rsa_pki.document_signer, now=NOW, digest=digest, pss=pss))
    result = passive_auth.verify(security, GROUPS, rsa_pki.trust_store(), now=NOW,
                                 issuing_state="VNM")
    assert (result.signature_algorithm, result.hash_algorithm) == (algorithm, digest)
    assert result.crl_checked


@pytest.mark.parametrize("kind", ["brainpool", "ec"])
def test_ecdsa_signed_sod_verifies(pki: SimulatedPki, kind: str) -> None:
    signer = issue_document_signer(pki.csca, not_before=NOW - timedelta(days=1), days=30,
                                   serial=7, kind=kind)  # type: ignore[arg-type]
    security = sod.parse(build_sod(GROUPS, signer, now=NOW))
    result = passive_auth.verify(security, GROUPS, pki.trust_store(), now=NOW, issuing_state="VNM")
    assert result.signature_algorithm == "ecdsa"


def test_signature_over_other_attributes_is_rejected(pki: SimulatedPki) -> None:
    data = bytearray(build_sod(GROUPS, pki.document_signer, now=NOW))
    index = data.rindex(bytes.fromhex("170D"))  # signing-time, after the certificate
    data[index + 3] ^= 1
    with pytest.raises(errors.SodSignatureInvalid):
        passive_auth.verify(sod.parse(bytes(data)), GROUPS, pki.trust_store(), now=NOW,
                            issuing_state="VNM")


def test_group_missing_from_the_sod_is_a_mismatch(pki: SimulatedPki) -> None:
    security = sod.parse(build_sod(GROUPS, pki.document_signer, now=NOW))
    with pytest.raises(errors.SodHashMismatch):
        passive_auth.check_hashes(security, {**GROUPS, 14: b"\x6E\x00"})


def test_expired_csca_is_rejected(pki: SimulatedPki) -> None:
    csca = issue_csca(country="VN", not_before=NOW - timedelta(days=4000), years=10, serial=9)
    signer = issue_document_signer(csca, not_before=NOW - timedelta(days=3000), days=4000,
                                   serial=8)
    security = sod.parse(build_sod(GROUPS, signer, now=NOW))
    with pytest.raises(errors.CscaExpired):
        passive_auth.verify(security, GROUPS, TrustStore((csca.certificate,)), now=NOW,
                            issuing_state="VNM")


def test_unknown_issuing_state_is_a_country_mismatch(pki: SimulatedPki) -> None:
    security = sod.parse(build_sod(GROUPS, pki.document_signer, now=NOW))
    with pytest.raises(errors.CountryMismatch):
        passive_auth.verify(security, GROUPS, pki.trust_store(), now=NOW, issuing_state="XXX")


def test_document_signer_not_yet_valid_is_rejected() -> None:
    future = generate_pki(now=NOW + timedelta(days=60))
    security = sod.parse(build_sod(GROUPS, future.document_signer, now=NOW))
    with pytest.raises(errors.SignerExpired):
        passive_auth.verify(security, GROUPS, future.trust_store(), now=NOW, issuing_state="VNM")


# --- the CRL policy --------------------------------------------------------------------------


def _stale_crl(pki: SimulatedPki, *revoked: int) -> x509.CertificateRevocationList:
    """A CRL whose nextUpdate lies ten days before NOW."""
    return issue_crl(pki.csca, revoked, now=NOW - timedelta(days=100), days=90)


def _verify(pki: SimulatedPki, store: TrustStore) -> passive_auth.PassiveAuthResult:
    security = sod.parse(build_sod(GROUPS, pki.document_signer, now=NOW))
    return passive_auth.verify(security, GROUPS, store, now=NOW, issuing_state="VNM")


def _store(pki: SimulatedPki, crls: tuple[x509.CertificateRevocationList, ...],
           policy: CrlPolicy) -> TrustStore:
    return TrustStore((pki.csca_old.certificate, pki.csca.certificate), crls, crl_policy=policy)


@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_current_crl_passes_without_warnings(pki: SimulatedPki, policy: CrlPolicy) -> None:
    result = _verify(pki, _store(pki, (pki.crl,), policy))
    assert result.crl_status is CrlStatus.CURRENT
    assert result.crl_checked and result.warnings == ()


def test_strict_policy_refuses_a_csca_without_crl(pki: SimulatedPki) -> None:
    with pytest.raises(errors.CrlMissing) as caught:
        _verify(pki, _store(pki, (), "strict"))
    assert caught.value.error == "crl_missing"


def test_strict_policy_refuses_a_crl_past_its_next_update(pki: SimulatedPki) -> None:
    with pytest.raises(errors.CrlExpired) as caught:
        _verify(pki, _store(pki, (_stale_crl(pki),), "strict"))
    assert caught.value.error == "crl_expired"


@pytest.mark.parametrize(("crls", "status", "warning"), [
    ("none", CrlStatus.MISSING, "crl_missing"),
    ("stale", CrlStatus.EXPIRED, "crl_expired"),
])
def test_lenient_policy_accepts_but_reports_the_crl(pki: SimulatedPki, crls: str,
                                                    status: CrlStatus, warning: str) -> None:
    held = (_stale_crl(pki),) if crls == "stale" else ()
    result = _verify(pki, _store(pki, held, "lenient"))
    assert result.crl_status is status
    assert result.warnings == (warning,)
    assert result.crl_checked is (crls == "stale")


@pytest.mark.parametrize("policy", ["strict", "lenient"])
def test_signer_listed_in_an_expired_crl_is_still_revoked(pki: SimulatedPki,
                                                          policy: CrlPolicy) -> None:
    stale = _stale_crl(pki, pki.document_signer.certificate.serial_number)
    with pytest.raises(errors.RevokedSigner):
        _verify(pki, _store(pki, (stale,), policy))
