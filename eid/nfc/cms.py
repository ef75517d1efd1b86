"""CMS SignedData (RFC 5652) as the eMRTD uses it: EF.SOD and CSCA master lists.

One SignerInfo, signed attributes with content-type and message-digest, the signer
certificate inside ``certificates``. The signature algorithm is taken from the
SignerInfo: RSA PKCS#1 v1.5, RSA-PSS or ECDSA (any curve ``cryptography`` knows,
brainpool included). ICAO Doc 9303-10 §4.6.2, 9303-12 §9. RSA-PSS is checked exactly as
its RSASSA-PSS-params declare (RFC 4055 §3.1): hashAlgorithm, maskGenAlgorithm (MGF1
with its own hash, which may differ from the message hash), saltLength and
trailerField (only 1, i.e. 0xBC); a missing field takes the RFC's DEFAULT
(SHA-1, MGF1-SHA-1, 20, 1), and another MGF or trailer field is refused.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cached_property, lru_cache

from asn1crypto import algos, cms, core
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes

from eid.nfc import der, tlv
from eid.nfc.errors import LdsFormatError, SodSignatureInvalid, TlvError, UntrustedSigner

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
        return _digest_name(self.signer_info["digest_algorithm"].dump())

    @cached_property
    def signature_algorithm(self) -> str:
        return _scheme(self.signer_info["signature_algorithm"].dump(), self.digest_algorithm).kind

    def signer_certificate(self) -> x509.Certificate:
        """The certificate the SignerInfo names (issuer+serial or subject key id).

        Raises:
            UntrustedSigner: when the SignedData does not carry it.
        """
        sid = self.signer_info["sid"].dump()
        for cert in self.certificates:
            if _identifies(sid, cert):
                return cert
        raise UntrustedSigner("the signer certificate is not in the SignedData")


# Per signer, not per card: a country's few document signers sign every SOD with the
# same certificate, identifier and algorithms, so these are worked out once (bounded
# caches; certificates compare and hash by their DER).


@lru_cache(maxsize=256)
def _identifies(sid_der: bytes, cert: x509.Certificate) -> bool:
    sid = cms.SignerIdentifier.load(sid_der)
    if sid.name == "issuer_and_serial_number":
        return bool(cert.serial_number == sid.chosen["serial_number"].native
                    and cert.issuer.public_bytes() == sid.chosen["issuer"].dump())
    return bool(_ski(cert) == sid.chosen.native)


@lru_cache(maxsize=256)
def public_key(cert: x509.Certificate) -> PublicKeyTypes:
    return cert.public_key()


@lru_cache(maxsize=64)
def _digest_name(algorithm_der: bytes) -> str:
    return str(algos.DigestAlgorithm.load(algorithm_der)["algorithm"].native)


@dataclass(frozen=True)
class SignatureScheme:
    """How a SignerInfo's signature is checked: ``kind`` is ``"rsassa_pkcs1v15"``,
    ``"rsassa_pss"`` or ``"ecdsa"``; ``mgf_hash`` and ``salt_length`` are RSA-PSS's."""

    kind: str
    hash_name: str
    mgf_hash: str = ""
    salt_length: int = 0


_MGF1 = "1.2.840.113549.1.1.8"


@lru_cache(maxsize=64)
def _scheme(algorithm_der: bytes, digest_name: str) -> SignatureScheme:
    """The :class:`SignatureScheme` of a SignedDigestAlgorithm.

    Raises:
        SodSignatureInvalid: when asn1crypto does not know the algorithm, or its
            RSASSA-PSS parameters are missing, malformed or unsupported.
    """
    algorithm = algos.SignedDigestAlgorithm.load(algorithm_der)
    try:
        kind = str(algorithm.signature_algo)
    except ValueError as exc:
        raise SodSignatureInvalid(f"unsupported signature algorithm: {exc}") from exc
    if kind == "rsassa_pss":
        return _pss_scheme(algorithm["parameters"])
    try:
        hash_name = str(algorithm.hash_algo)
    except ValueError:
        hash_name = digest_name  # plain rsaEncryption / ecdsa: the digest algorithm decides
    return SignatureScheme(kind, hash_name)


def _pss_scheme(params: object) -> SignatureScheme:
    """Read RSASSA-PSS-params (RFC 4055 §3.1); asn1crypto fills in the DEFAULTs.

    Raises:
        SodSignatureInvalid: when they are absent (mandatory with a signature value),
            malformed, name an MGF other than MGF1, a trailer field other than 1 or a
            hash that is not supported.
    """
    if not isinstance(params, algos.RSASSAPSSParams):
        raise SodSignatureInvalid("RSASSA-PSS signature without RSASSA-PSS-params parameters")
    try:
        mgf = params["mask_gen_algorithm"]
        if mgf["algorithm"].dotted != _MGF1:
            raise SodSignatureInvalid(
                f"unsupported RSASSA-PSS mask generation function {mgf['algorithm'].dotted}")
        if not isinstance(mgf["parameters"], algos.DigestAlgorithm):
            raise SodSignatureInvalid("RSASSA-PSS MGF1 without its hash algorithm")
        trailer = params["trailer_field"].native
        if trailer not in ("trailer_field_bc", 1):
            raise SodSignatureInvalid(f"unsupported RSASSA-PSS trailer field {trailer} (only 1)")
        salt = int(params["salt_length"].native)
        hash_name = _pss_hash(params["hash_algorithm"])
        mgf_hash = _pss_hash(mgf["parameters"])
    except (ValueError, TypeError, KeyError) as exc:
        raise SodSignatureInvalid(f"malformed RSASSA-PSS parameters: {exc}") from exc
    if salt < 0:
        raise SodSignatureInvalid(f"negative RSASSA-PSS salt length {salt}")
    return SignatureScheme("rsassa_pss", hash_name, mgf_hash, salt)


def _pss_hash(algorithm: algos.DigestAlgorithm) -> str:
    name = str(algorithm["algorithm"].native)
    if name not in _HASHES:
        raise SodSignatureInvalid(f"unsupported RSASSA-PSS hash algorithm {name}")
    return name


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


_CONTENT_TYPE = der.oid_bytes("1.2.840.113549.1.9.3")
_MESSAGE_DIGEST = der.oid_bytes("1.2.840.113549.1.9.4")


def signed_attribute_values(attrs: cms.CMSAttributes) -> dict[bytes, tlv.Tlv]:
    """The value of each single-valued signed attribute, by its type's OID content octets.

    Read with :mod:`eid.nfc.tlv` from the attributes' bytes: on every card only two
    attributes are checked, and asn1crypto's model of the set costs ten times as much.

    Raises:
        SodSignatureInvalid: when the set is malformed, or content-type or
            message-digest is repeated or has other than one value (RFC 5652 §11).
    """
    values: dict[bytes, tlv.Tlv] = {}
    try:
        for attribute in tlv.parse_all(attrs.contents):
            parts = attribute.children()  # Attribute ::= SEQUENCE { OID, SET OF value }
            if len(parts) != 2 or (parts[0].tag, parts[1].tag) != (der.OID, der.SET):
                raise TlvError("an attribute is not { OID, SET }")
            items = parts[1].children()
            if parts[0].value in (_CONTENT_TYPE, _MESSAGE_DIGEST) and (
                    len(items) != 1 or parts[0].value in values):
                raise SodSignatureInvalid("content-type or message-digest is not single")
            if len(items) == 1:
                values[parts[0].value] = items[0]
    except TlvError as exc:
        raise SodSignatureInvalid("malformed signed attributes") from exc
    return values


def verify_signed_content(content: SignedContent, signer: x509.Certificate) -> None:
    """Check content-type, message-digest and the signature with ``signer``'s key.

    Raises:
        SodSignatureInvalid: when any of them fails.
    """
    info = content.signer_info
    attrs = info["signed_attrs"]
    values = {} if isinstance(attrs, core.Void) else signed_attribute_values(attrs)
    if not values:
        raise SodSignatureInvalid("SignerInfo has no signed attributes")
    content_type = values.get(_CONTENT_TYPE)
    if content_type is None or content_type.tag != der.OID or (
            der.oid_str(content_type.value) != content.content_type):
        raise SodSignatureInvalid("signed content-type attribute does not match")
    expected = digest(content.digest_algorithm, content.content)
    message_digest = values.get(_MESSAGE_DIGEST)
    if message_digest is None or message_digest.tag != der.OCTET_STRING or (
            not hmac.compare_digest(message_digest.value, expected)):
        raise SodSignatureInvalid("signed message-digest does not match the content")
    signed_bytes = b"\x31" + attrs.dump()[1:]  # DER of SET OF, not [0]
    verify_signature(public_key(signer), info["signature"].native, signed_bytes,
                     info["signature_algorithm"], content.digest_algorithm)


def verify_signature(key: PublicKeyTypes, signature: bytes, data: bytes,
                     algorithm: algos.SignedDigestAlgorithm, digest_name: str) -> None:
    """Verify one signature as named by a SignedDigestAlgorithm (RSA-PSS with the
    hashes, MGF and salt length of its parameters, RFC 4055 §3.1).

    Raises:
        SodSignatureInvalid: on a bad signature, unsupported RSASSA-PSS parameters or an
            unsupported key/algorithm pair.
    """
    scheme = _scheme(algorithm.dump(), digest_name)
    kind, hashing = scheme.kind, hash_algorithm(scheme.hash_name)
    try:
        if kind == "rsassa_pss" and isinstance(key, rsa.RSAPublicKey):
            mgf = padding.MGF1(hash_algorithm(scheme.mgf_hash))
            key.verify(signature, data, padding.PSS(mgf, scheme.salt_length), hashing)
        elif kind == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashing)
        elif kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashing))
        else:
            raise SodSignatureInvalid(f"unsupported signature algorithm {kind}")
    except (InvalidSignature, ValueError) as exc:  # ValueError: a salt too long for the key
        raise SodSignatureInvalid("signature does not verify") from exc
