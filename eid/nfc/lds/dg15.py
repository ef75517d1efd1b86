"""DG15, ICAO Doc 9303-10 §4.7.15: ``6F { SubjectPublicKeyInfo }`` (the AA key)."""
from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.types import PublicKeyTypes
from cryptography.hazmat.primitives.serialization import load_der_public_key

from eid.nfc import tlv
from eid.nfc.errors import LdsFormatError, TlvError


@dataclass(frozen=True)
class Dg15:
    public_key_info: bytes

    def dump(self) -> bytes:
        return tlv.encode(0x6F, self.public_key_info)

    def public_key(self) -> PublicKeyTypes:
        """The active-authentication public key.

        Raises:
            LdsFormatError: when the key cannot be loaded.
        """
        try:
            return load_der_public_key(self.public_key_info)
        except (ValueError, TypeError) as exc:
            raise LdsFormatError("DG15 holds no usable public key") from exc


def parse(data: bytes) -> Dg15:
    """Parse DG15.

    Raises:
        LdsFormatError: when the structure is malformed.
    """
    try:
        return Dg15(tlv.parse_single(data, 0x6F).value)
    except TlvError as exc:
        raise LdsFormatError("malformed DG15") from exc
