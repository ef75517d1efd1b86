"""Trusted CSCA certificates and their CRLs (ICAO Doc 9303-12 §5, §9).

Load from PEM (any mix of certificates and CRLs), DER (one certificate or CRL) or an
ICAO master list: CMS SignedData of type id-icao-cscaMasterList (2.23.136.1.1.2)
holding ``CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF Certificate }``.
A master list's integrity is checked (signature, and its signer issued by one of the
listed CSCAs or by ``anchors``); trust in it comes from where it was obtained.
Several generations of a country's CSCA (key rollover) simply sit side by side.

CRLs: a CSCA's CRL is the newest one naming it as issuer (RFC 5280 §6.3.3 (b) matches
by name) and signed by a trusted CSCA of that name, any generation: after a key
rollover the CSCA signs its one CRL with the new key, and the store trusts both
generations alike (as a master list does). :meth:`TrustStore.crl_status` says whether it is current
(ICAO 9303-12 §7.1.4: a CSCA issues a CRL at least every 90 days, with nextUpdate);
``crl_policy`` says what passive authentication does when it is not: ``"strict"``
refuses the document signer, ``"lenient"`` (the default) accepts it and reports it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import lru_cache
from typing import Literal, get_args

from asn1crypto import core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from eid.nfc import cms
from eid.nfc.errors import NfcError, TrustStoreError

CSCA_MASTER_LIST = "2.23.136.1.1.2"

CrlPolicy = Literal["strict", "lenient"]
"""What passive authentication does with a CSCA that has no current CRL."""


class CrlStatus(Enum):
    """The state of a CSCA's CRL at a given time."""

    CURRENT = "current"
    MISSING = "missing"  # no CRL of this CSCA in the store
    EXPIRED = "expired"  # the newest CRL is past its nextUpdate (or has none)


class _CertificateSet(core.SetOf):  # type: ignore[misc]
    _child_spec = asn1_x509.Certificate


class _CscaMasterList(core.Sequence):  # type: ignore[misc]
    _fields = [  # noqa: RUF012 - asn1crypto schema
        ("version", core.Integer), ("cert_list", _CertificateSet)]


@lru_cache(maxsize=1024)
def issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether ``issuer``'s name and key signed ``cert`` (RSA, RSA-PSS or ECDSA).

    Cached (certificates compare by their DER): a country has a handful of document
    signers, each signing many cards, so each chain link is verified once.
    """
    try:
        cert.verify_directly_issued_by(issuer)
        return True
    except (ValueError, TypeError, InvalidSignature):
        return False


def _crl_signed(crl: x509.CertificateRevocationList, csca: x509.Certificate) -> bool:
    return _crl_der_signed(crl.public_bytes(Encoding.DER), csca)


@lru_cache(maxsize=256)
def _crl_der_signed(der: bytes, csca: x509.Certificate) -> bool:
    """CRLs are not hashable: cache their signature check by their DER."""
    key = csca.public_key()
    return isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey) and \
        x509.load_der_x509_crl(der).is_signature_valid(key)


@dataclass(frozen=True)
class TrustStore:
    """Trusted CSCAs, their CRLs and the CRL policy (``"strict"`` or ``"lenient"``).

    Raises:
        ValueError: on an unknown ``crl_policy``.
    """

    cscas: tuple[x509.Certificate, ...] = ()
    crls: tuple[x509.CertificateRevocationList, ...] = field(default=())
    crl_policy: CrlPolicy = field(default="lenient", kw_only=True)
    # crl_for by CSCA: the store never changes, and it holds only so many CSCAs.
    _crl_of: dict[x509.Certificate, x509.CertificateRevocationList | None] = field(
        default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.crl_policy not in get_args(CrlPolicy):
            raise ValueError(f"crl_policy must be 'strict' or 'lenient', not {self.crl_policy!r}")

    def merged(self, other: TrustStore) -> TrustStore:
        """Both stores' CSCAs and CRLs, under the stricter of the two policies."""
        strict = "strict" in (self.crl_policy, other.crl_policy)
        return TrustStore(self.cscas + other.cscas, self.crls + other.crls,
                          crl_policy="strict" if strict else "lenient")

    def issuers_of(self, cert: x509.Certificate) -> tuple[x509.Certificate, ...]:
        """Trusted CSCAs that issued ``cert`` (usually one; generations share a name)."""
        return tuple(c for c in self.cscas if c.subject == cert.issuer and issued_by(cert, c))

    def crl_for(self, csca: x509.Certificate) -> x509.CertificateRevocationList | None:
        """The newest CRL of ``csca``'s name signed by a trusted CSCA of that name, or by
        ``csca`` itself (looked up once per CSCA)."""
        if csca in self._crl_of:
            return self._crl_of[csca]
        crl = self._newest_crl(csca)
        if csca in self.cscas:
            self._crl_of[csca] = crl
        return crl

    def _newest_crl(self, csca: x509.Certificate) -> x509.CertificateRevocationList | None:
        signers = {csca, *(c for c in self.cscas if c.subject == csca.subject)}
        valid = [crl for crl in self.crls if crl.issuer == csca.subject
                 and any(_crl_signed(crl, signer) for signer in signers)]
        return max(valid, key=lambda crl: crl.last_update_utc, default=None)

    def crl_status(self, csca: x509.Certificate, now: datetime) -> CrlStatus:
        """Whether ``csca`` has a CRL and it is current at ``now`` (ICAO 9303-12 §7.1.4)."""
        crl = self.crl_for(csca)
        if crl is None:
            return CrlStatus.MISSING
        next_update = crl.next_update_utc
        if next_update is None or now > next_update:
            return CrlStatus.EXPIRED
        return CrlStatus.CURRENT

    def is_revoked(self, cert: x509.Certificate, csca: x509.Certificate,
                   now: datetime) -> bool:
        """Whether ``csca``'s CRL, current or not, lists ``cert`` as revoked by ``now``.

        A stale CRL still counts: a revocation is never undone.
        """
        crl = self.crl_for(csca)
        if crl is None:
            return False
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        return entry is not None and entry.revocation_date_utc <= now

    # --- loading -------------------------------------------------------------------------------

    @classmethod
    def from_pem(cls, data: bytes, *, crl_policy: CrlPolicy = "lenient") -> TrustStore:
        """Certificates and CRLs from concatenated PEM blocks.

        Raises:
            TrustStoreError: when a block does not load.
        """
        try:
            certs = tuple(x509.load_pem_x509_certificates(data)) if b"CERTIFICATE-" in data else ()
            crls = tuple(x509.load_pem_x509_crl(block) for block in _pem_blocks(data, b"X509 CRL"))
        except ValueError as exc:
            raise TrustStoreError(f"bad PEM: {exc}") from exc
        return cls(certs, crls, crl_policy=crl_policy)

    @classmethod
    def from_der(cls, data: bytes, *, crl_policy: CrlPolicy = "lenient") -> TrustStore:
        """One DER certificate or CRL.

        Raises:
            TrustStoreError: when it is neither.
        """
        try:
            return cls((x509.load_der_x509_certificate(data),), crl_policy=crl_policy)
        except ValueError:
            pass
        try:
            return cls(crls=(x509.load_der_x509_crl(data),), crl_policy=crl_policy)
        except ValueError as exc:
            raise TrustStoreError("neither a DER certificate nor a DER CRL") from exc

    @classmethod
    def from_master_list(cls, data: bytes, *, anchors: tuple[x509.Certificate, ...] = (),
                         crl_policy: CrlPolicy = "lenient") -> TrustStore:
        """The CSCAs of an ICAO master list, after checking its signature.

        Raises:
            TrustStoreError: when it is malformed, its signature fails or its signer
                was not issued by a listed CSCA or one of ``anchors``.
        """
        try:
            content = cms.parse_signed_data(data)
            if content.content_type != CSCA_MASTER_LIST:
                raise TrustStoreError(f"content type {content.content_type} is not a master list")
            listed = _CscaMasterList.load(content.content)["cert_list"]
            cscas = tuple(x509.load_der_x509_certificate(c.dump()) for c in listed)
            signer = content.signer_certificate()
            cms.verify_signed_content(content, signer)
        except TrustStoreError:
            raise
        except (NfcError, ValueError) as exc:
            raise TrustStoreError(f"master list rejected: {exc}") from exc
        if not any(issued_by(signer, c) for c in cscas + anchors):
            raise TrustStoreError("master list signer is not issued by a listed CSCA")
        return cls(cscas, crl_policy=crl_policy)


def master_list_content(cscas: tuple[x509.Certificate, ...]) -> bytes:
    """DER of ``CscaMasterList`` (version 0) for building a master list."""
    certs = [asn1_x509.Certificate.load(c.public_bytes(Encoding.DER)) for c in cscas]
    return bytes(_CscaMasterList({"version": 0, "cert_list": certs}).dump())


def _pem_blocks(data: bytes, label: bytes) -> list[bytes]:
    begin, end = b"-----BEGIN " + label + b"-----", b"-----END " + label + b"-----"
    blocks, start = [], data.find(begin)
    while start != -1:
        stop = data.index(end, start) + len(end)
        blocks.append(data[start:stop])
        start = data.find(begin, stop)
    return blocks

