"""CMS SignedData: the signer named by issuer+serial or subject key id, and the signed
attributes that must be there exactly once (RFC 5652 §5.3, §11.1, §11.2)."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest
from asn1crypto import algos, core
from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from eid.nfc import cms
from eid.nfc.errors import SodSignatureInvalid, UntrustedSigner
from eid.nfc.sim import SimulatedPki
from eid.nfc.sim.pki import CertifiedKey

CONTENT_TYPE = "2.23.136.1.1.1"
CONTENT = b"\x30\x03\x02\x01\x00"


def _attribute(kind: str, *values: object) -> asn1_cms.CMSAttribute:
    return asn1_cms.CMSAttribute({"type": kind, "values": list(values)})


def _signed_data(signer: CertifiedKey, attrs: list[asn1_cms.CMSAttribute] | None, *,
                 by_key_id: bool = False, algorithm: algos.SignedDigestAlgorithm | None = None,
                 signature: bytes | None = None) -> bytes:
    """SignedData over CONTENT; ECDSA-SHA256 unless ``algorithm`` and its ``signature``."""
    cert = asn1_x509.Certificate.load(signer.certificate.public_bytes(Encoding.DER))
    signed_attrs = asn1_cms.CMSAttributes(attrs) if attrs is not None else None
    if signature is None:
        key = signer.private_key
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        signature = key.sign(signed_attrs.dump() if signed_attrs else CONTENT,
                             ec.ECDSA(hashes.SHA256()))
    sid = (asn1_cms.SignerIdentifier({"subject_key_identifier": cert.key_identifier})
           if by_key_id else asn1_cms.SignerIdentifier({"issuer_and_serial_number": {
               "issuer": cert.issuer, "serial_number": cert.serial_number}}))
    info = {"version": "v3" if by_key_id else "v1", "sid": sid,
            "digest_algorithm": {"algorithm": "sha256"},
            "signature_algorithm": algorithm or {"algorithm": "sha256_ecdsa"},
            "signature": signature}
    if signed_attrs is not None:
        info["signed_attrs"] = signed_attrs
    signed = asn1_cms.SignedData({
        "version": "v3", "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": CONTENT_TYPE, "content": CONTENT},
        "certificates": [cert], "signer_infos": [asn1_cms.SignerInfo(info)],
    })
    return bytes(asn1_cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())


def _good_attributes() -> list[asn1_cms.CMSAttribute]:
    return [_attribute("content_type", CONTENT_TYPE),
            _attribute("message_digest", hashlib.sha256(CONTENT).digest())]


@pytest.mark.parametrize("by_key_id", [False, True], ids=["issuer-serial", "key-id"])
def test_signer_is_found_by_either_identifier_and_verifies(pki: SimulatedPki,
                                                           by_key_id: bool) -> None:
    content = cms.parse_signed_data(_signed_data(pki.csca, _good_attributes(),
                                                 by_key_id=by_key_id))
    signer = content.signer_certificate()
    assert signer == pki.csca.certificate
    cms.verify_signed_content(content, signer)
    assert (content.digest_algorithm, content.signature_algorithm) == ("sha256", "ecdsa")


def test_signer_missing_from_the_certificates_is_untrusted(pki: SimulatedPki) -> None:
    content = cms.parse_signed_data(_signed_data(pki.csca, _good_attributes()))
    other = cms.SignedContent(content.content_type, content.content, content.signer_info,
                              (pki.document_signer.certificate,))
    with pytest.raises(UntrustedSigner):
        other.signer_certificate()


@pytest.mark.parametrize("attrs", [
    None,
    [_attribute("message_digest", hashlib.sha256(CONTENT).digest())],
    [_attribute("content_type", CONTENT_TYPE)],
    [_attribute("content_type", "1.2.3.4"),
     _attribute("message_digest", hashlib.sha256(CONTENT).digest())],
    [_attribute("content_type", CONTENT_TYPE), _attribute("message_digest", bytes(32))],
    [*_good_attributes(), _attribute("content_type", CONTENT_TYPE)],
    [_attribute("content_type", CONTENT_TYPE),
     _attribute("message_digest", hashlib.sha256(CONTENT).digest(), bytes(32))],
], ids=["none", "no-content-type", "no-digest", "other-content-type", "wrong-digest",
        "repeated-content-type", "two-digests"])
def test_signed_attributes_must_name_the_content_once(
        pki: SimulatedPki, attrs: list[asn1_cms.CMSAttribute] | None) -> None:
    content = cms.parse_signed_data(_signed_data(pki.csca, attrs))
    with pytest.raises(SodSignatureInvalid):
        cms.verify_signed_content(content, pki.csca.certificate)


# --- RSASSA-PSS parameters (RFC 4055 §3.1) --------------------------------------------------

DATA = b"signed attributes stand-in"
PSS_OID = "06092A864886F70D01010A"  # id-RSASSA-PSS, 1.2.840.113549.1.1.10


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pss_sign(key: rsa.RSAPrivateKey, digest: str, mgf_digest: str, salt: int) -> bytes:
    algorithm = cms.hash_algorithm(digest)
    pss = padding.PSS(padding.MGF1(cms.hash_algorithm(mgf_digest)), salt)
    return key.sign(DATA, pss, algorithm)


def _pss_params(digest: str | None = "sha256", mgf_digest: str | None = "sha256",
                salt: int | None = 32, **extra: object) -> algos.SignedDigestAlgorithm:
    """RSASSA-PSS-params with the given fields; ``None`` leaves a field at its DEFAULT."""
    params: dict[str, object] = dict(extra)
    if digest is not None:
        params["hash_algorithm"] = {"algorithm": digest}
    if mgf_digest is not None:
        params["mask_gen_algorithm"] = {"algorithm": "mgf1",
                                        "parameters": {"algorithm": mgf_digest}}
    if salt is not None:
        params["salt_length"] = salt
    if not params:  # asn1crypto will not build an all-DEFAULT SEQUENCE: give its DER
        return algos.SignedDigestAlgorithm.load(bytes.fromhex("300D" + PSS_OID + "3000"))
    return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": params})


@pytest.mark.parametrize(("digest", "mgf_digest", "salt"), [
    ("sha256", "sha1", 32), ("sha256", "sha1", 20), ("sha384", "sha256", 48),
    ("sha512", "sha512", 64), ("sha256", "sha256", 0),
], ids=["sha256-mgf1-sha1", "sha256-mgf1-sha1-salt20", "sha384-mgf1-sha256",
        "sha512", "sha256-no-salt"])
def test_pss_signature_verifies_under_its_declared_parameters(
        rsa_key: rsa.RSAPrivateKey, digest: str, mgf_digest: str, salt: int) -> None:
    signature = _pss_sign(rsa_key, digest, mgf_digest, salt)
    cms.verify_signature(rsa_key.public_key(), signature, DATA,
                         _pss_params(digest, mgf_digest, salt), "sha256")


def test_pss_parameters_left_at_their_defaults_mean_sha1_mgf1_sha1_salt_20(
        rsa_key: rsa.RSAPrivateKey) -> None:
    signature = _pss_sign(rsa_key, "sha1", "sha1", 20)
    cms.verify_signature(rsa_key.public_key(), signature, DATA, _pss_params(None, None, None),
                         "sha256")
    # trailerField [3] INTEGER 1 written out although DER leaves a DEFAULT out
    explicit = algos.SignedDigestAlgorithm.load(bytes.fromhex("3012" + PSS_OID + "3005A303020101"))
    cms.verify_signature(rsa_key.public_key(), signature, DATA, explicit, "sha256")


@pytest.mark.parametrize("declared", [
    {"mgf_digest": "sha1"},        # signed with MGF1-SHA-256
    {"salt": 20},                  # signed with a 32-byte salt
    {"digest": "sha384", "salt": 32},
], ids=["mgf-hash", "salt-length", "message-hash"])
def test_pss_signature_fails_under_other_declared_parameters(
        rsa_key: rsa.RSAPrivateKey, declared: dict[str, Any]) -> None:
    signature = _pss_sign(rsa_key, "sha256", "sha256", 32)
    with pytest.raises(SodSignatureInvalid, match="does not verify"):
        cms.verify_signature(rsa_key.public_key(), signature, DATA, _pss_params(**declared),
                             "sha256")


def test_pss_with_mgf1_sha1_verifies_inside_signed_data(rsa_pki: SimulatedPki) -> None:
    key = rsa_pki.document_signer.private_key
    assert isinstance(key, rsa.RSAPrivateKey)
    attrs = asn1_cms.CMSAttributes(_good_attributes())
    signature = key.sign(attrs.dump(), padding.PSS(padding.MGF1(cms.hash_algorithm("sha1")), 32),
                         hashes.SHA256())
    data = _signed_data(rsa_pki.document_signer, _good_attributes(),
                        algorithm=_pss_params("sha256", "sha1", 32), signature=signature)
    content = cms.parse_signed_data(data)
    cms.verify_signed_content(content, content.signer_certificate())
    assert content.signature_algorithm == "rsassa_pss"


def _unknown_mgf() -> algos.SignedDigestAlgorithm:
    params = {"hash_algorithm": {"algorithm": "sha256"},
              "mask_gen_algorithm": {"algorithm": "1.2.840.113549.1.1.99",
                                     "parameters": core.Null()},
              "salt_length": 32}
    return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": params})


@pytest.mark.parametrize(("algorithm", "reason"), [
    (_unknown_mgf, "mask generation function"),
    (lambda: _pss_params(trailer_field=2), "trailer field"),
    (lambda: algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss"}), "parameters"),
    (lambda: _pss_params("md5", "sha256", 32), "hash"),
    (lambda: _pss_params("sha256", "md5", 32), "hash"),
], ids=["unknown-mgf", "trailer-2", "no-params", "md5-hash", "md5-mgf-hash"])
def test_pss_parameters_outside_rfc_4055_are_refused(
        rsa_key: rsa.RSAPrivateKey, algorithm: Callable[[], algos.SignedDigestAlgorithm],
        reason: str) -> None:
    signature = _pss_sign(rsa_key, "sha256", "sha256", 32)
    with pytest.raises(SodSignatureInvalid, match=reason):
        cms.verify_signature(rsa_key.public_key(), signature, DATA, algorithm(), "sha256")
