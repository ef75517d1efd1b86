"""The trust store for chip reads.

Development and test: a simulated PKI (two CSCA generations, a document signer, a
CRL; ``eid.nfc.sim``) generated once and kept in ``instance/chip-pki/``; its document
signer signs the desk's simulated cards and those ``GET /dev/chip/simulated-card/<ID>``
hands to the phone (``eid-phone read-chip --simulated``), so the server trusts them.
Production: the CSCA certificates (PEM) or an ICAO master list at ``EID_CSCA_PATH``;
without it the server does no chip verification and says so.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from eid.accounts.card_holder import card_holder
from eid.accounts.registries.interfaces import Citizen
from eid.nfc.sim.issuer import CardImage, issue_card
from eid.nfc.sim.pki import CertifiedKey, SimulatedPki, generate_pki
from eid.nfc.trust_store import TrustStore

PARTS = ("csca_old", "csca", "document_signer")


def _save(root: Path, pki: SimulatedPki) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for name in PARTS:
        part: CertifiedKey = getattr(pki, name)
        (root / f"{name}.crt").write_bytes(part.certificate.public_bytes(serialization.Encoding.PEM))
        key = root / f"{name}.key"
        key.write_bytes(part.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        key.chmod(0o600)
    (root / "crl.pem").write_bytes(pki.crl.public_bytes(serialization.Encoding.PEM))


def _load(root: Path) -> SimulatedPki:
    parts = {}
    for name in PARTS:
        cert = x509.load_pem_x509_certificate((root / f"{name}.crt").read_bytes())
        key = serialization.load_pem_private_key((root / f"{name}.key").read_bytes(), password=None)
        parts[name] = CertifiedKey(cert, key)  # type: ignore[arg-type]
    crl = x509.load_pem_x509_crl((root / "crl.pem").read_bytes())
    return SimulatedPki(parts["csca_old"], parts["csca"], parts["document_signer"], crl)


def development_pki(instance_path: str | Path) -> SimulatedPki:
    """The development PKI in ``instance/chip-pki`` (created on first use)."""
    root = Path(instance_path) / "chip-pki"
    if not (root / "crl.pem").exists():
        _save(root, generate_pki(now=datetime.now(UTC)))
    return _load(root)


def simulated_card(person: Citizen, *, now: datetime, instance_path: str | Path) -> CardImage:
    """A freshly personalised chip for a register record, signed by the development
    document signer, with a new ECDSA P-256 active-authentication key (the desk's
    simulated reader and ``/dev/chip/simulated-card`` both hand these out)."""
    return issue_card(card_holder(person, today=now.date()), development_pki(instance_path).document_signer,
                      now=now, aa_key=ec.generate_private_key(ec.SECP256R1()))


def trust_store_for(config: Any, instance_path: str) -> TrustStore | None:
    """The CSCAs (``EID_CSCA_PATH``: PEM, or an ICAO master list) and their CRLs (in the PEM,
    or ``EID_CRL_PATH``), under ``CRL_POLICY``: ``strict`` (production's default) refuses
    a document signer whose CSCA has no current CRL; ``lenient`` accepts it with a warning."""
    policy = config.get("CRL_POLICY", "lenient")
    path = config.get("CSCA_PATH")
    if path:
        data = Path(path).read_bytes()
        store = TrustStore.from_pem(data, crl_policy=policy) if b"-----BEGIN" in data \
            else TrustStore.from_master_list(data, crl_policy=policy)
        crls = config.get("CRL_PATH")
        return store.merged(TrustStore.from_pem(Path(crls).read_bytes(), crl_policy=policy)) \
            if crls else store
    if config.get("DEV_MODE"):
        return development_pki(instance_path).trust_store(crl_policy=policy)
    return None


def trust_store_of(app: Any) -> TrustStore | None:
    """The app's trust store, built once."""
    if "eid.trust_store" not in app.extensions:
        app.extensions["eid.trust_store"] = trust_store_for(app.config, app.instance_path)
    return app.extensions["eid.trust_store"]  # type: ignore[no-any-return]
