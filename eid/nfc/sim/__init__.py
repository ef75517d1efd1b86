"""A simulated CCCD: personalisation (:mod:`.issuer`), the chip (:mod:`.chip`), a test
PKI (:mod:`.pki`) and an nfcpy contactless frontend (:mod:`.nfcpy_frontend`, the only
module here that imports nfcpy). Synthetic data only; for development and tests.
"""
from __future__ import annotations

from eid.nfc.sim.certified_key import CertifiedKey
from eid.nfc.sim.chip import SimulatedChip
from eid.nfc.sim.issuer import CardImage, issue_card, synthetic_face_jpeg
from eid.nfc.sim.pki import SimulatedPki, generate_pki

__all__ = ["CardImage", "CertifiedKey", "SimulatedChip", "SimulatedPki", "generate_pki",
           "issue_card", "synthetic_face_jpeg"]
