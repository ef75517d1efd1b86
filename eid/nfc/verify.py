"""Server-side verification of a card read: passive authentication, document validity,
active authentication over the server's own challenge, then the parsed details.

Only a challenge that the server generated for this session proves that a genuine
chip was present; AA means something only after passive authentication has
validated DG15 (and DG14, which names the ECDSA hash). cccd-chip.md, ICAO 9303-11 §6.1.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from eid.nfc import active_auth, passive_auth
from eid.nfc.errors import (
    ActiveAuthFailed,
    ActiveAuthMissing,
    DocumentExpired,
    FileMissing,
    LdsFormatError,
)
from eid.nfc.lds import FILES, dg1, dg2, dg13, dg14, dg15, sod
from eid.nfc.lds.dg1 import Dg1
from eid.nfc.lds.dg13 import EXPIRY_DATE, Dg13
from eid.nfc.passive_auth import PassiveAuthResult
from eid.nfc.trust_store import TrustStore

MANDATORY = ("SOD", "DG1", "DG2", "DG13")


@dataclass(frozen=True)
class Verification:
    """A verified card read. ``aa_hash`` names the AA hash ("sha1", ...), ``None`` if
    the card has no AA and it was not required."""

    passive: PassiveAuthResult
    dg1: Dg1
    dg13: Dg13
    face_image: bytes
    face_mime_type: str
    expiry: date | None
    aa_hash: str | None

    @property
    def document_signer(self) -> str:
        return self.passive.signer_subject

    @property
    def document_signer_serial(self) -> int:
        return self.passive.signer_serial

    @property
    def csca(self) -> str:
        return self.passive.csca_subject

    @property
    def warnings(self) -> tuple[str, ...]:
        """What a lenient CRL policy let through (``"crl_missing"``, ``"crl_expired"``)."""
        return self.passive.warnings

    @property
    def active_authenticated(self) -> bool:
        return self.aa_hash is not None


def _dg13_expiry(group: Dg13) -> date | None:
    text = group.text(EXPIRY_DATE)
    try:
        return datetime.strptime(text or "", "%d/%m/%Y").date()
    except ValueError:
        return None  # "Không thời hạn" (no expiry) or absent


def document_expiry(group1: Dg1, group13: Dg13) -> date | None:
    """The expiry from the MRZ, else from DG13 field 12, else ``None`` (no expiry)."""
    return group1.mrz.expiry() or _dg13_expiry(group13)


def verify_card_read(files: Mapping[str, bytes], aa_signature: bytes | None, challenge: bytes,
                     trust_store: TrustStore, now: datetime, *,
                     require_active_auth: bool = True) -> Verification:
    """Verify everything a phone read from a chip and return the trusted details.

    Raises:
        FileMissing: a mandatory file (EF.SOD, DG1, DG2, DG13) is not in ``files``.
        LdsFormatError: a file does not parse.
        SodHashMismatch, SodSignatureInvalid, UntrustedSigner, SignerExpired, CscaExpired,
        RevokedSigner, CrlMissing, CrlExpired, CountryMismatch: passive authentication
            failed (see :func:`eid.nfc.passive_auth.verify`; the CRL leaves only under a
            store whose ``crl_policy`` is ``"strict"``).
        DocumentExpired: the card expired before ``now``.
        ActiveAuthMissing: AA is required but DG15 or the signature is missing.
        ActiveAuthFailed: the signature is not the chip's over ``challenge``.
    """
    for name in MANDATORY:
        if name not in files:
            raise FileMissing(f"{name} is missing from the card read", file=name)
    groups = {FILES[n].dg or 0: data for n, data in files.items() if FILES.get(n) and FILES[n].dg}
    security = sod.parse(files["SOD"])
    group1 = dg1.parse(files["DG1"])
    passive = passive_auth.verify(security, groups, trust_store, now=now,
                                  issuing_state=group1.mrz.issuing_state)
    group13 = dg13.parse(files["DG13"])
    expiry = document_expiry(group1, group13)
    if expiry is not None and expiry < now.date():
        raise DocumentExpired(f"the card expired on {expiry:%d/%m/%Y}")
    faces = dg2.parse(files["DG2"]).faces
    if not faces:
        raise LdsFormatError("DG2 holds no face image")
    aa_hash = _active_auth(files, aa_signature, challenge, require_active_auth)
    return Verification(passive, group1, group13, faces[0].image, faces[0].mime_type, expiry,
                        aa_hash)


def _active_auth(files: Mapping[str, bytes], signature: bytes | None, challenge: bytes,
                 required: bool) -> str | None:
    if "DG15" not in files or signature is None:
        if required:
            raise ActiveAuthMissing("the card read has no DG15 or no AA signature")
        return None
    info = dg14.parse(files["DG14"]).active_authentication if "DG14" in files else None
    key = dg15.parse(files["DG15"]).public_key()
    if len(challenge) != 8:
        raise ActiveAuthFailed("the challenge must be 8 bytes")
    return active_auth.verify(key, challenge, signature, info)
