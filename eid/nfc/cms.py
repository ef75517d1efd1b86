"""CMS SignedData (RFC 5652) as the eMRTD uses it: EF.SOD and CSCA master lists.

One SignerInfo, signed attributes with content-type and message-digest, the signer
certificate inside ``certificates``. The signature algorithm is taken from the
SignerInfo: RSA PKCS#1 v1.5, RSA-PSS (RFC 4055 parameters) or ECDSA (any curve
``cryptography`` knows, brainpool included). ICAO Doc 9303-10 §4.6.2, 9303-12 §9.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cached_property

from asn1crypto import cms, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from eid.nfc.errors import LdsFormatError, SodSignatureInvalid, UntrustedSigner

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1, "sha224": hashes.SHA224, "sha256": hashes.SHA256,
    "sha384": hashes.SHA384, "sha512": hashes.SHA512,
}


def hash_algorithm(name: str) -> hashes.HashAlgorithm:
    """The ``cryptography`` hash for an asn1crypto digest name.

    Raises:
        LdsFormatError: for an unsupported algorithm.
    """
    try:
        return _HASHES[name]()
    except KeyError:
        raise LdsFormatError(f"unsupported digest algorithm {name}") from None


def digest(name: str, data: bytes) -> bytes:
    return hashlib.new(name, data).digest()


@dataclass(frozen=True)
class SignedContent:
    """The parts of a SignedData that verification needs."""

    content_type: str
    content: bytes
    signer_info: cms.SignerInfo
    certificates: tuple[x509.Certificate, ...]

    @cached_property
    def digest_algorithm(self) -> str:
        return str(self.signer_info["digest_algorithm"]["algorithm"].native)

    @cached_property
    def signature_algorithm(self) -> str:
        return str(self.signer_info["signature_algorithm"].signature_algo)

    def signer_certificate(self) -> x509.Certificate:
        """The certificate the SignerInfo names (issuer+serial or subject key id).

        Raises:
            UntrustedSigner: when the SignedData does not carry it.
        """
        sid = self.signer_info["sid"]
        for cert in self.certificates:
            if sid.name == "issuer_and_serial_number":
                if cert.serial_number == sid.chosen["serial_number"].native and (
                        cert.issuer.public_bytes() == sid.chosen["issuer"].dump()):
                    return cert
            elif _ski(cert) == sid.chosen.native:
                return cert
        raise UntrustedSigner("the signer certificate is not in the SignedData")


def _ski(cert: x509.Certificate) -> bytes | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return None


def parse_signed_data(data: bytes) -> SignedContent:
    """Parse a ContentInfo holding SignedData with encapsulated content.

    Raises:
        LdsFormatError: when it is not such a structure.
    """
    try:
        info = cms.ContentInfo.load(data)
        if info["content_type"].native != "signed_data":
            raise LdsFormatError("ContentInfo is not SignedData")
        signed = info["content"]
        encap = signed["encap_content_info"]
        content = encap["content"]
        raw = content.native if isinstance(content.native, bytes) else content.parsed.dump()
        infos = list(signed["signer_infos"])
        if len(infos) != 1:
            raise LdsFormatError("expected exactly one SignerInfo")
        certs = tuple(x509.load_der_x509_certificate(c.chosen.dump())
                      for c in (signed["certificates"] or []) if c.name == "certificate")
        return SignedContent(encap["content_type"].dotted, raw, infos[0], certs)
    except (ValueError, TypeError, KeyError) as exc:
        raise LdsFormatError(f"malformed SignedData: {exc}") from exc


def signed_attributes(info: cms.SignerInfo) -> dict[str, core.Asn1Value]:
    """The first value of each signed attribute, by name (none: an empty dict)."""
    attrs = info["signed_attrs"]
    if isinstance(attrs, core.Void):
        return {}
    return {str(a["type"].native): a["values"][0] for a in attrs}


def verify_signed_content(content: SignedContent, signer: x509.Certificate) -> None:
    """Check content-type, message-digest and the signature with ``signer``'s key.

    Raises:
        SodSignatureInvalid: when any of them fails.
    """
    info = content.signer_info
    attrs = signed_attributes(info)
    if not attrs:
        raise SodSignatureInvalid("SignerInfo has no signed attributes")
    if attrs.get("content_type") is None or attrs["content_type"].dotted != content.content_type:
        raise SodSignatureInvalid("signed content-type attribute does not match")
    expected = digest(content.digest_algorithm, content.content)
    message_digest = attrs.get("message_digest")
    if message_digest is None or not hmac.compare_digest(message_digest.native, expected):
        raise SodSignatureInvalid("signed message-digest does not match the content")
    signed_bytes = b"\x31" + info["signed_attrs"].dump()[1:]  # DER of SET OF, not [0]
    verify_signature(signer.public_key(), info["signature"].native, signed_bytes,
                     info["signature_algorithm"], content.digest_algorithm)


def verify_signature(key: PublicKeyTypes, signature: bytes, data: bytes,
                     algorithm: cms.SignedDigestAlgorithm, digest_name: str) -> None:
    """Verify one signature as named by a SignedDigestAlgorithm.

    Raises:
        SodSignatureInvalid: on a bad signature or an unsupported key/algorithm pair.
    """
    kind = algorithm.signature_algo
    try:
        hash_name = algorithm.hash_algo
    except ValueError:
        hash_name = digest_name  # plain rsaEncryption / ecdsa: the digest algorithm decides
    try:
        if kind == "rsassa_pss" and isinstance(key, rsa.RSAPublicKey):
            salt = algorithm["parameters"]["salt_length"].native
            pss = padding.PSS(padding.MGF1(hash_algorithm(hash_name)), salt)
            key.verify(signature, data, pss, hash_algorithm(hash_name))
        elif kind == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hash_algorithm(hash_name))
        elif kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hash_algorithm(hash_name)))
        else:
            raise SodSignatureInvalid(f"unsupported signature algorithm {kind}")
    except InvalidSignature as exc:
        raise SodSignatureInvalid("signature does not verify") from exc
