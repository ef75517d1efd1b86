"""ICAO Doc 9303 for the Vietnamese chip ID card (CCCD): MRZ, BER-TLV, APDUs, BAC,
PACE-GM, secure messaging, the LDS files, passive and active authentication, a
simulated chip and the nfcpy reader.

The package imports nothing from the rest of the project except :mod:`eid.errors`,
and nfcpy only in :mod:`eid.nfc.nfcpy_reader` and :mod:`eid.nfc.sim.nfcpy_frontend`.
The server calls :func:`verify_card_read`; the phone and ``eid-reader`` call
:func:`read_card`. See ``docs/nfc.md``.
"""
from __future__ import annotations

from eid.nfc.errors import NfcError, VerificationError
from eid.nfc.holder import CardHolder
from eid.nfc.mrz import Mrz, MrzKey
from eid.nfc.reader import CardRead, read_card
from eid.nfc.transport import ScriptedTransport, Transport
from eid.nfc.trust_store import TrustStore
from eid.nfc.verify import Verification, verify_card_read

__all__ = ["CardHolder", "CardRead", "Mrz", "MrzKey", "NfcError", "ScriptedTransport",
           "Transport", "TrustStore", "Verification", "VerificationError", "read_card",
           "verify_card_read"]
