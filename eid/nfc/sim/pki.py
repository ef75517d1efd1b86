"""A generated test PKI: two CSCA generations, document signers, a CRL and a master
list, all dated from an injected ``now`` (ICAO Doc 9303-12 §7.1 profiles, simplified).

For development and tests only: the keys live in memory and are freshly generated.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from asn1crypto import cms as asn1_cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes
from cryptography.x509.oid import NameOID

from eid.nfc.sim.certified_key import CertifiedKey
from eid.nfc.sim.signing import sign_cms
from eid.nfc.trust_store import CSCA_MASTER_LIST, CrlPolicy, TrustStore, master_list_content

# CertifiedKey is re-exported: callers (eid.web.chip_pki) import it from here.
__all__ = ["CertifiedKey", "KeyKind", "SimulatedPki", "generate_pki", "issue_crl", "issue_csca",
           "issue_document_signer", "new_key"]

KeyKind = Literal["ec", "brainpool", "rsa"]
YEAR = timedelta(days=365)


def new_key(kind: KeyKind) -> CertificateIssuerPrivateKeyTypes:
    if kind == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    curve: ec.EllipticCurve = ec.BrainpoolP256R1() if kind == "brainpool" else ec.SECP256R1()
    return ec.generate_private_key(curve)


def _name(common_name: str, country: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, country),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bo Cong an (TEST)"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def issue_csca(*, country: str, not_before: datetime, years: int, serial: int,
               kind: KeyKind = "ec") -> CertifiedKey:
    """A self-signed CSCA certificate (CA, keyCertSign + cRLSign)."""
    key = new_key(kind)
    name = _name("CSCA Viet Nam TEST", country)
    usage = x509.KeyUsage(False, False, False, False, False, True, True, False, False)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(serial)
            .not_valid_before(not_before).not_valid_after(not_before + years * YEAR)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256()))
    return CertifiedKey(cert, key)


def issue_document_signer(csca: CertifiedKey, *, not_before: datetime, days: int, serial: int,
                          kind: KeyKind = "ec", name: str = "DS Viet Nam TEST") -> CertifiedKey:
    """A document signer certificate (digitalSignature) issued by ``csca``."""
    key = new_key(kind)
    country = str(csca.certificate.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value)
    usage = x509.KeyUsage(True, False, False, False, False, False, False, False, False)
    issuer_ski = csca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    aki = x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(issuer_ski.value)
    cert = (x509.CertificateBuilder().subject_name(_name(name, country))
            .issuer_name(csca.certificate.subject).public_key(key.public_key())
            .serial_number(serial).not_valid_before(not_before)
            .not_valid_after(not_before + timedelta(days=days))
            .add_extension(usage, critical=True)
            .add_extension(aki, critical=False)
            .sign(csca.private_key, hashes.SHA256()))
    return CertifiedKey(cert, key)


def issue_crl(csca: CertifiedKey, revoked: tuple[int, ...], *, now: datetime,
              days: int = 90) -> x509.CertificateRevocationList:
    builder = (x509.CertificateRevocationListBuilder().issuer_name(csca.certificate.subject)
               .last_update(now).next_update(now + timedelta(days=days)))
    for serial in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now).build())
    return builder.sign(csca.private_key, hashes.SHA256())


@dataclass(frozen=True)
class SimulatedPki:
    """Two CSCA generations of one country; the current DS is issued by generation 2."""

    csca_old: CertifiedKey
    csca: CertifiedKey
    document_signer: CertifiedKey
    crl: x509.CertificateRevocationList
    country: str = "VN"

    def trust_store(self, *, crl_policy: CrlPolicy = "lenient") -> TrustStore:
        return TrustStore((self.csca_old.certificate, self.csca.certificate), (self.crl,),
                          crl_policy=crl_policy)

    def with_revoked(self, *serials: int, now: datetime) -> SimulatedPki:
        return replace(self, crl=issue_crl(self.csca, serials, now=now))

    def master_list(self, *, now: datetime) -> bytes:
        """An ICAO master list of both CSCAs, signed by a master list signer of ``csca``."""
        signer = issue_document_signer(self.csca, not_before=now - timedelta(days=1), days=365,
                                       serial=900, name="MLS Viet Nam TEST")
        content = master_list_content((self.csca_old.certificate, self.csca.certificate))
        info = sign_cms(CSCA_MASTER_LIST, content, signer, now=now)
        return bytes(asn1_cms.ContentInfo.load(info).dump())


def generate_pki(*, now: datetime, country: str = "VN", ds_kind: KeyKind = "brainpool",
                 csca_kind: KeyKind = "ec") -> SimulatedPki:
    """A fresh test PKI: CSCA gen 1 (issued 8 years before ``now``), gen 2 (2 years
    before), a DS valid from 30 days before ``now`` for 10 years, and an empty CRL."""
    old = issue_csca(country=country, not_before=now - 8 * YEAR, years=15, serial=1,
                     kind=csca_kind)
    current = issue_csca(country=country, not_before=now - 2 * YEAR, years=15, serial=2,
                         kind=csca_kind)
    signer = issue_document_signer(current, not_before=now - timedelta(days=30),
                                   days=3650, serial=101, kind=ds_kind)
    return SimulatedPki(old, current, signer, issue_crl(current, (), now=now), country)
