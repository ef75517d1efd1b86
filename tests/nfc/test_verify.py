"""verify_card_read: the happy path and every rejection path, each with its own code."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from eid.nfc import errors
from eid.nfc.reader import read_card
from eid.nfc.sim import CardImage, SimulatedChip, SimulatedPki, generate_pki, issue_card
from eid.nfc.sim.pki import issue_document_signer
from eid.nfc.trust_store import TrustStore
from eid.nfc.verify import verify_card_read
from tests.nfc.conftest import CHALLENGE, NOW, make_card, make_holder


def read(card: CardImage, challenge: bytes = CHALLENGE) -> tuple[dict[str, bytes], bytes | None]:
    result = read_card(SimulatedChip(card), can=card.can, challenge=challenge)
    return result.files, result.aa_signature


def test_genuine_card_verifies_with_details(card: CardImage, pki: SimulatedPki) -> None:
    files, signature = read(card)
    result = verify_card_read(files, signature, CHALLENGE, pki.trust_store(), NOW)
    assert result.document_signer == pki.document_signer.certificate.subject.rfc4514_string()
    assert result.document_signer_serial == 101
    assert "CSCA" in result.csca
    assert result.aa_hash == "sha1" and result.active_authenticated
    assert result.dg1.mrz.id_number == "001099012345"
    assert result.dg13.text(2) == "Nguyễn Văn An"
    assert result.face_image.startswith(b"\xFF\xD8") and result.face_mime_type == "image/jpeg"
    assert result.expiry == date(2030, 5, 17)


def test_ecdsa_aa_card_verifies(pki: SimulatedPki, ec_aa_key: ec.EllipticCurvePrivateKey) -> None:
    files, signature = read(make_card(pki, ec_aa_key))
    assert verify_card_read(files, signature, CHALLENGE, pki.trust_store(), NOW).aa_hash == "sha256"


def test_tampered_data_group_is_rejected(card: CardImage, pki: SimulatedPki) -> None:
    files, signature = read(card)
    files["DG13"] = files["DG13"].replace("Nguyễn".encode(), "Nguyên".encode())
    with pytest.raises(errors.SodHashMismatch) as caught:
        verify_card_read(files, signature, CHALLENGE, pki.trust_store(), NOW)
    assert caught.value.error == "sod_hash_mismatch"


def test_replaced_aa_key_is_caught_by_passive_authentication(
        pki: SimulatedPki, card: CardImage, ec_aa_key: ec.EllipticCurvePrivateKey) -> None:
    clone = replace(card, aa_key=ec_aa_key)
    files, signature = read(clone)
    files["DG15"] = make_card(pki, ec_aa_key).files["DG15"]
    with pytest.raises(errors.SodHashMismatch):
        verify_card_read(files, signature, CHALLENGE, pki.trust_store(), NOW)


def test_signer_from_another_pki_is_untrusted(card: CardImage) -> None:
    files, signature = read(card)
    stranger = generate_pki(now=NOW)
    with pytest.raises(errors.UntrustedSigner):
        verify_card_read(files, signature, CHALLENGE, stranger.trust_store(), NOW)


def test_revoked_document_signer_is_rejected(card: CardImage, pki: SimulatedPki) -> None:
    files, signature = read(card)
    revoked = pki.with_revoked(pki.document_signer.certificate.serial_number, now=NOW)
    with pytest.raises(errors.RevokedSigner):
        verify_card_read(files, signature, CHALLENGE, revoked.trust_store(), NOW + timedelta(1))


def test_expired_document_signer_is_rejected(card: CardImage, pki: SimulatedPki) -> None:
    files, signature = read(card)
    later = NOW + timedelta(days=3700)
    with pytest.raises(errors.SignerExpired):
        verify_card_read(files, signature, CHALLENGE, pki.trust_store(), later)


def test_expired_card_is_rejected(pki: SimulatedPki, rsa_aa_key: rsa.RSAPrivateKey) -> None:
    old = make_card(pki, rsa_aa_key, expiry_date=date(2025, 1, 1))
    files, signature = read(old)
    with pytest.raises(errors.DocumentExpired):
        verify_card_read(files, signature, CHALLENGE, pki.trust_store(), NOW)


def test_card_without_expiry_date_never_expires(pki: SimulatedPki,
                                                rsa_aa_key: rsa.RSAPrivateKey) -> None:
    files, signature = read(make_card(pki, rsa_aa_key, expiry_date=None))
    assert verify_card_read(files, signature, CHALLENGE, pki.trust_store(), NOW).expiry is None


def test_signer_of_another_country_is_rejected(rsa_aa_key: rsa.RSAPrivateKey) -> None:
    foreign = generate_pki(now=NOW, country="KH")
    card = issue_card(make_holder(), foreign.document_signer, now=NOW, aa_key=rsa_aa_key)
    files, signature = read(card)
    with pytest.raises(errors.CountryMismatch):
        verify_card_read(files, signature, CHALLENGE, foreign.trust_store(), NOW)


def test_missing_active_authentication_is_rejected(card: CardImage, pki: SimulatedPki) -> None:
    files, _ = read(card)
    with pytest.raises(errors.ActiveAuthMissing):
        verify_card_read(files, None, CHALLENGE, pki.trust_store(), NOW)


def test_card_without_aa_key_is_rejected_when_aa_is_required(pki: SimulatedPki) -> None:
    files, signature = read(make_card(pki, None))
    assert signature is None
    with pytest.raises(errors.ActiveAuthMissing):
        verify_card_read(files, signature, CHALLENGE, pki.trust_store(), NOW)
    relaxed = verify_card_read(files, signature, CHALLENGE, pki.trust_store(), NOW,
                               require_active_auth=False)
    assert relaxed.aa_hash is None


def test_aa_over_a_different_challenge_is_rejected(card: CardImage, pki: SimulatedPki) -> None:
    files, signature = read(card, challenge=b"replayed")
    with pytest.raises(errors.ActiveAuthFailed) as caught:
        verify_card_read(files, signature, CHALLENGE, pki.trust_store(), NOW)
    assert caught.value.error == "aa_failed"


@pytest.mark.parametrize("name", ["SOD", "DG1", "DG2", "DG13"])
def test_missing_mandatory_file_is_rejected(card: CardImage, pki: SimulatedPki, name: str) -> None:
    files, signature = read(card)
    del files[name]
    with pytest.raises(errors.FileMissing):
        verify_card_read(files, signature, CHALLENGE, pki.trust_store(), NOW)


def test_document_signer_of_the_older_csca_generation_is_trusted(
        pki: SimulatedPki, rsa_aa_key: rsa.RSAPrivateKey) -> None:
    old_ds = issue_document_signer(pki.csca_old, not_before=NOW - timedelta(days=400),
                                   days=3650, serial=55)
    card = issue_card(make_holder(), old_ds, now=NOW, aa_key=rsa_aa_key)
    files, signature = read(card)
    result = verify_card_read(files, signature, CHALLENGE, pki.trust_store(), NOW)
    assert result.passive.csca_serial == 1


def test_lenient_store_without_crl_verifies_and_says_so(card: CardImage, pki: SimulatedPki) -> None:
    files, signature = read(card)
    store = TrustStore(pki.trust_store().cscas)
    result = verify_card_read(files, signature, CHALLENGE, store, NOW)
    assert result.warnings == ("crl_missing",)
    assert verify_card_read(files, signature, CHALLENGE, pki.trust_store(), NOW).warnings == ()


def test_strict_store_without_crl_refuses_the_read(card: CardImage, pki: SimulatedPki) -> None:
    files, signature = read(card)
    store = TrustStore(pki.trust_store().cscas, crl_policy="strict")
    with pytest.raises(errors.CrlMissing):
        verify_card_read(files, signature, CHALLENGE, store, NOW)


def test_strict_store_accepts_the_older_generation_under_the_shared_crl(
        pki: SimulatedPki, rsa_aa_key: rsa.RSAPrivateKey) -> None:
    old_ds = issue_document_signer(pki.csca_old, not_before=NOW - timedelta(days=400),
                                   days=3650, serial=55)
    files, signature = read(issue_card(make_holder(), old_ds, now=NOW, aa_key=rsa_aa_key))
    result = verify_card_read(files, signature, CHALLENGE, pki.trust_store(crl_policy="strict"),
                              NOW)
    assert result.passive.csca_serial == 1 and result.warnings == ()


def test_all_rejections_share_one_branch_for_callers() -> None:
    leaves = [errors.SodHashMismatch, errors.UntrustedSigner, errors.RevokedSigner,
              errors.CrlMissing, errors.CrlExpired,
              errors.SignerExpired, errors.DocumentExpired, errors.CountryMismatch,
              errors.ActiveAuthMissing, errors.ActiveAuthFailed, errors.SodSignatureInvalid]
    assert all(issubclass(leaf, errors.VerificationError) for leaf in leaves)
    assert len({leaf.error for leaf in leaves}) == len(leaves)
