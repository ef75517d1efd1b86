"""Passive authentication, ICAO Doc 9303-11 §5.1 and 9303-12 §7.

1. hash every data group as read and compare with the LDSSecurityObject;
2. check the SignerInfo's content-type and message-digest attributes and its signature
   with the Document Signer (DS) certificate;
3. chain the DS certificate to a trusted CSCA (any generation), check both are valid
   at ``now`` and that the CSCA's CRL does not list the DS; then apply the store's CRL
   policy to a CSCA without a current CRL (9303-12 §7.1.4): ``strict`` refuses,
   ``lenient`` accepts and names the fact in :attr:`PassiveAuthResult.warnings`;
4. check that the DS and CSCA countries match the issuing state in the MRZ.
Each failure raises its own :class:`~eid.nfc.errors.VerificationError` leaf.
"""
from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from cryptography import x509
from cryptography.x509.oid import NameOID

from eid.nfc import cms
from eid.nfc.errors import (
    CountryMismatch,
    CrlExpired,
    CrlMissing,
    CscaExpired,
    RevokedSigner,
    SignerExpired,
    SodHashMismatch,
    UntrustedSigner,
)
from eid.nfc.lds.sod import Sod
from eid.nfc.trust_store import CrlStatus, TrustStore

# MRZ issuing state (ICAO 9303-3 §5) -> ISO 3166-1 alpha-2 used in certificates.
ISSUING_STATES: dict[str, str] = {
    "VNM": "VN", "KHM": "KH", "LAO": "LA", "THA": "TH", "MYS": "MY", "SGP": "SG",
    "IDN": "ID", "PHL": "PH", "MMR": "MM", "BRN": "BN", "CHN": "CN", "JPN": "JP",
    "KOR": "KR", "USA": "US", "GBR": "GB", "FRA": "FR", "NLD": "NL", "AUS": "AU",
    "CAN": "CA", "IND": "IN", "RUS": "RU", "D": "DE", "UTO": "UT",
}


@dataclass(frozen=True)
class PassiveAuthResult:
    """What passed. ``warnings`` holds machine codes of what a lenient CRL policy let
    through (``"crl_missing"``, ``"crl_expired"``), for the caller to report."""

    signer_subject: str
    signer_serial: int
    csca_subject: str
    csca_serial: int
    hash_algorithm: str
    signature_algorithm: str
    crl_status: CrlStatus
    warnings: tuple[str, ...] = ()

    @property
    def crl_checked(self) -> bool:
        """Whether a CRL of the CSCA (current or not) was consulted for revocation."""
        return self.crl_status is not CrlStatus.MISSING


def check_hashes(sod: Sod, groups: Mapping[int, bytes]) -> None:
    """Every data group read must hash to its entry in the LDSSecurityObject.

    Raises:
        SodHashMismatch: on a missing entry or a different hash.
    """
    lso = sod.security_object
    for number, data in sorted(groups.items()):
        expected = lso.hash_of(number)
        actual = cms.digest(lso.hash_algorithm, data)
        if expected is None or not hmac.compare_digest(expected, actual):
            raise SodHashMismatch(f"DG{number} does not match the SOD", data_group=number)


def _country(name: x509.Name) -> str | None:
    values = name.get_attributes_for_oid(NameOID.COUNTRY_NAME)
    return str(values[0].value).upper() if values else None


# Per certificate, not per card (bounded; certificates hash and compare by their DER).


@lru_cache(maxsize=256)
def _countries(signer: x509.Certificate, csca: x509.Certificate) -> frozenset[str | None]:
    return frozenset({_country(signer.subject), _country(signer.issuer), _country(csca.subject)})


@lru_cache(maxsize=256)
def _subject(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string()


def _check_validity(cert: x509.Certificate, now: datetime, error: type[SignerExpired]
                    | type[CscaExpired]) -> None:
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise error(f"certificate {cert.subject.rfc4514_string()} is not valid at {now:%Y-%m-%d}")


def _chain(signer: x509.Certificate, trust: TrustStore, now: datetime) -> x509.Certificate:
    issuers = trust.issuers_of(signer)
    if not issuers:
        raise UntrustedSigner(f"no trusted CSCA issued {signer.subject.rfc4514_string()}")
    current = [c for c in issuers if c.not_valid_before_utc <= now <= c.not_valid_after_utc]
    if not current:
        _check_validity(issuers[0], now, CscaExpired)
    return current[0]


_CRL_REFUSALS: dict[CrlStatus, type[CrlMissing] | type[CrlExpired]] = {
    CrlStatus.MISSING: CrlMissing, CrlStatus.EXPIRED: CrlExpired}


def check_revocation(signer: x509.Certificate, csca: x509.Certificate, trust: TrustStore,
                     now: datetime) -> CrlStatus:
    """The DS must not be on its CSCA's CRL, and the CRL must be current under a strict
    policy (ICAO 9303-12 §7.1.4; RFC 5280 §6.3). A stale CRL is still read: a
    revocation it lists stands.

    Raises:
        RevokedSigner: the CRL lists the DS.
        CrlMissing / CrlExpired: strict policy, and the CSCA has no CRL / only one past
            its nextUpdate.
    """
    if trust.is_revoked(signer, csca, now):
        raise RevokedSigner(f"DS serial {signer.serial_number:X} is revoked")
    status = trust.crl_status(csca, now)
    if status is not CrlStatus.CURRENT and trust.crl_policy == "strict":
        raise _CRL_REFUSALS[status](
            f"CRL of {_subject(csca)} is {status.value} at {now:%Y-%m-%d}")
    return status


def check_country(signer: x509.Certificate, csca: x509.Certificate, issuing_state: str) -> None:
    """The DS, its CSCA and the MRZ issuing state must name the same country.

    Raises:
        CountryMismatch: when they differ or the issuing state is unknown.
    """
    expected = ISSUING_STATES.get(issuing_state.strip("<"))
    names = _countries(signer, csca)
    if expected is None or names != {expected}:
        raise CountryMismatch(f"issuing state {issuing_state} vs certificate countries "
                              f"{sorted(n or '?' for n in names)}")


def verify(sod: Sod, groups: Mapping[int, bytes], trust: TrustStore, *, now: datetime,
           issuing_state: str) -> PassiveAuthResult:
    """Run passive authentication over the data groups read from one chip.

    Raises:
        SodHashMismatch: a data group was altered.
        SodSignatureInvalid: the SOD signature or its signed attributes fail.
        UntrustedSigner: the DS does not chain to a trusted CSCA.
        SignerExpired / CscaExpired: a certificate is not valid at ``now``.
        RevokedSigner: the CSCA's CRL lists the DS.
        CrlMissing / CrlExpired: the store's policy is strict and the CSCA has no current CRL.
        CountryMismatch: the certificates are not from the MRZ's issuing state.
    """
    check_hashes(sod, groups)
    content = sod.signed_content()
    signer = content.signer_certificate()
    cms.verify_signed_content(content, signer)
    csca = _chain(signer, trust, now)
    _check_validity(signer, now, SignerExpired)
    crl = check_revocation(signer, csca, trust, now)
    check_country(signer, csca, issuing_state)
    warnings = () if crl is CrlStatus.CURRENT else (f"crl_{crl.value}",)
    return PassiveAuthResult(_subject(signer), signer.serial_number,
                             _subject(csca), csca.serial_number,
                             content.digest_algorithm, content.signature_algorithm,
                             crl, warnings)
