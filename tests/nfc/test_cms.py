"""CMS SignedData: the signer named by issuer+serial or subject key id, and the signed
attributes that must be there exactly once (RFC 5652 §5.3, §11.1, §11.2)."""
from __future__ import annotations

import hashlib

import pytest
from asn1crypto import cms as asn1_cms
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
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
                 by_key_id: bool = False) -> bytes:
    cert = asn1_x509.Certificate.load(signer.certificate.public_bytes(Encoding.DER))
    signed_attrs = asn1_cms.CMSAttributes(attrs) if attrs is not None else None
    key = signer.private_key
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    signature = key.sign(signed_attrs.dump() if signed_attrs else CONTENT, ec.ECDSA(hashes.SHA256()))
    sid = (asn1_cms.SignerIdentifier({"subject_key_identifier": cert.key_identifier})
           if by_key_id else asn1_cms.SignerIdentifier({"issuer_and_serial_number": {
               "issuer": cert.issuer, "serial_number": cert.serial_number}}))
    info = {"version": "v3" if by_key_id else "v1", "sid": sid,
            "digest_algorithm": {"algorithm": "sha256"},
            "signature_algorithm": {"algorithm": "sha256_ecdsa"}, "signature": signature}
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
