"""The exception tree of :mod:`eid.nfc`.

:class:`NfcError` is the root and is never raised directly. Every leaf carries a
machine code (``error``) and an HTTP status (``status``) that ``eid.app.errors``
turns into ``{"error": code, "message": text}``. Three branches group the leaves:

* :class:`FormatError` — bytes that do not parse (MRZ, TLV, APDU, LDS files);
* :class:`CardError` — the conversation with a chip or reader failed;
* :class:`VerificationError` — passive or active authentication rejected a read.

Callers that only need "the card read is not acceptable" catch
:class:`VerificationError`; the precise leaf goes to the audit log.
"""
from __future__ import annotations

from typing import ClassVar

from eid.errors import EidError


class NfcError(EidError):
    """Root of every :mod:`eid.nfc` error. Never raised directly."""

    error: ClassVar[str] = "nfc_error"
    status: ClassVar[int] = 400
    message: ClassVar[str] = "The chip card could not be processed."


# --- bytes that do not parse -------------------------------------------------------------


class FormatError(NfcError):
    """Branch: malformed input. Never raised directly."""

    error = "nfc_format_error"


class MrzFormatError(FormatError):
    error = "mrz_invalid"
    message = "The machine readable zone is malformed."


class MrzCheckDigitError(FormatError):
    error = "mrz_check_digit"
    message = "A check digit of the machine readable zone does not match."


class TlvError(FormatError):
    error = "tlv_invalid"
    message = "A BER-TLV structure is malformed."


class ApduFormatError(FormatError):
    error = "apdu_invalid"
    message = "An APDU is malformed."


class LdsFormatError(FormatError):
    error = "lds_invalid"
    message = "A file of the chip (LDS) is malformed."


class TrustStoreError(FormatError):
    error = "trust_store_invalid"
    message = "A certificate, CRL or master list could not be loaded."


# --- the conversation with a chip --------------------------------------------------------


class CardError(NfcError):
    """Branch: the chip or the reader failed. Never raised directly."""

    error = "card_error"
    status = 422


class ReaderNotFound(CardError):
    error = "reader_not_found"
    status = 503
    message = "No NFC reader is attached."


class TransportError(CardError):
    error = "transport_error"
    message = "The link to the chip broke."


class StatusWordError(CardError):
    """The chip answered a status word other than 9000."""

    error = "card_status"
    message = "The chip refused a command."

    def __init__(self, message: str | None = None, *, sw: int = 0) -> None:
        super().__init__(message or f"{type(self).message} (SW {sw:04X})", sw=sw)
        self.sw = sw


class FileNotFoundOnCard(StatusWordError):
    error = "file_not_found"
    message = "The chip has no such file."


class AccessDenied(StatusWordError):
    error = "access_denied"
    message = "The chip refused access (security status not satisfied)."


class BacFailed(CardError):
    error = "bac_failed"
    message = "Basic access control failed: check the MRZ data."


class PaceFailed(CardError):
    error = "pace_failed"
    message = "PACE failed: check the CAN."


class SecureMessagingError(CardError):
    error = "sm_error"
    message = "Secure messaging failed; the session is closed."


class AccessKeyMissing(CardError):
    error = "access_key_missing"
    status = 400
    message = "A CAN or the MRZ data is needed to open the chip."


# --- verification --------------------------------------------------------------------------


class VerificationError(NfcError):
    """Branch: the card read is not authentic or not acceptable. Never raised directly."""

    error = "card_not_verified"
    status = 422


class FileMissing(VerificationError):
    error = "file_missing"
    message = "A required file of the chip is missing from the read."


class SodHashMismatch(VerificationError):
    error = "sod_hash_mismatch"
    message = "A data group does not match its hash in the document security object."


class SodSignatureInvalid(VerificationError):
    error = "sod_signature_invalid"
    message = "The signature of the document security object is invalid."


class UntrustedSigner(VerificationError):
    error = "untrusted_signer"
    message = "The document signer does not chain to a trusted CSCA."


class RevokedSigner(VerificationError):
    error = "revoked_signer"
    message = "The document signer certificate is revoked."


class CrlMissing(VerificationError):
    """Strict CRL policy: the document signer's CSCA has no CRL (ICAO 9303-12 §7.1.4)."""

    error = "crl_missing"
    message = "No revocation list of the issuing CSCA is available."


class CrlExpired(VerificationError):
    """Strict CRL policy: the CSCA's newest CRL is past its nextUpdate (ICAO 9303-12 §7.1.4)."""

    error = "crl_expired"
    message = "The revocation list of the issuing CSCA is out of date."


class SignerExpired(VerificationError):
    error = "signer_expired"
    message = "The document signer certificate is not valid at this time."


class CscaExpired(VerificationError):
    error = "csca_expired"
    message = "The issuing CSCA certificate is not valid at this time."


class DocumentExpired(VerificationError):
    error = "document_expired"
    message = "The identity card has expired."


class CountryMismatch(VerificationError):
    error = "country_mismatch"
    message = "The signer's country does not match the document's issuing state."


class ActiveAuthMissing(VerificationError):
    error = "aa_missing"
    message = "Active authentication is required but was not performed."


class ActiveAuthFailed(VerificationError):
    error = "aa_failed"
    message = "Active authentication failed: the chip did not sign the challenge."
