"""CMS SignedData production (RFC 5652) for the simulated issuer: EF.SOD and master lists.

Signed attributes: content-type, signing-time, message-digest; SignerIdentifier by
issuer and serial; the signer certificate included. RSA signs with PKCS#1 v1.5 or PSS
(SHA-256, MGF1-SHA-256, salt 32), EC keys with ECDSA.
"""
from __future__ import annotations

import hashlib
from datetime import datetime

from asn1crypto import algos, cms
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from eid.nfc.cms import hash_algorithm
from eid.nfc.sim.certified_key import CertifiedKey


def _algorithm(key: object, digest: str, pss: bool) -> algos.SignedDigestAlgorithm:
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return algos.SignedDigestAlgorithm({"algorithm": f"{digest}_ecdsa"})
    if not pss:
        return algos.SignedDigestAlgorithm({"algorithm": f"{digest}_rsa"})
    params = {"hash_algorithm": {"algorithm": digest},
              "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": digest}},
              "salt_length": hashlib.new(digest).digest_size}
    return algos.SignedDigestAlgorithm({"algorithm": "rsassa_pss", "parameters": params})


def _sign(key: object, data: bytes, digest: str, pss: bool) -> bytes:
    algorithm = hash_algorithm(digest)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(algorithm))
    if isinstance(key, rsa.RSAPrivateKey):
        pad: padding.AsymmetricPadding = (
            padding.PSS(padding.MGF1(algorithm), algorithm.digest_size) if pss
            else padding.PKCS1v15())
        return key.sign(data, pad, algorithm)
    raise TypeError("unsupported signer key")


def sign_cms(content_type: str, content: bytes, signer: CertifiedKey, *, now: datetime,
             digest: str = "sha256", pss: bool = False) -> bytes:
    """DER of a ContentInfo wrapping SignedData over ``content``."""
    cert = asn1_x509.Certificate.load(signer.certificate.public_bytes(Encoding.DER))
    attrs = cms.CMSAttributes([
        cms.CMSAttribute({"type": "content_type", "values": [content_type]}),
        cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": now})]}),
        cms.CMSAttribute({"type": "message_digest",
                          "values": [hashlib.new(digest, content).digest()]}),
    ])
    signature = _sign(signer.private_key, attrs.dump(), digest, pss)
    sid = cms.SignerIdentifier({"issuer_and_serial_number": {
        "issuer": cert.issuer, "serial_number": cert.serial_number}})
    signer_info = cms.SignerInfo({
        "version": "v1", "sid": sid, "digest_algorithm": {"algorithm": digest},
        "signed_attrs": attrs, "signature_algorithm": _algorithm(signer.private_key, digest, pss),
        "signature": signature,
    })
    signed = cms.SignedData({
        "version": "v3", "digest_algorithms": [{"algorithm": digest}],
        "encap_content_info": {"content_type": content_type, "content": content},
        "certificates": [cert], "signer_infos": [signer_info],
    })
    return bytes(cms.ContentInfo({"content_type": "signed_data", "content": signed}).dump())

