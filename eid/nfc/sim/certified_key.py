"""A certificate and its private key: what the simulated PKI issues and what the
simulated issuer signs with (CSCA, document signer, master list signer).

It sits below :mod:`eid.nfc.sim.pki` and :mod:`eid.nfc.sim.signing` so that both
import it downward (ICAO Doc 9303-12 §7.1 names the roles; the pairing is ours).
"""
from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.types import CertificateIssuerPrivateKeyTypes


@dataclass(frozen=True)
class CertifiedKey:
    """An X.509 certificate and the private key of its subject."""

    certificate: x509.Certificate
    private_key: CertificateIssuerPrivateKeyTypes
