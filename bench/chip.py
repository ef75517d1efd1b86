"""Issue 5: passive (+ active) authentication and a full simulated chip read, each
against the cryptography the check cannot avoid, measured in the same run."""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from bench.common import Result, median_ms


def run(n: int = 60) -> list[Result]:
    from eid.accounts.card_holder import card_holder
    from eid.accounts.registries.generator import demo_citizen
    from eid.nfc.reader import read_card
    from eid.nfc.sim.chip import SimulatedChip
    from eid.nfc.sim.issuer import issue_card
    from eid.nfc.sim.pki import generate_pki
    from eid.nfc.verify import verify_card_read

    now = datetime.now(UTC)
    pki = generate_pki(now=now)
    store = pki.trust_store()
    aa_key = ec.generate_private_key(ec.SECP256R1())
    card = issue_card(card_holder(demo_citizen(1).person, today=now.date()), pki.document_signer,
                      now=now, aa_key=aa_key)
    challenge = b"\x01" * 8
    got = read_card(SimulatedChip(card), can=card.can, challenge=challenge)

    def check() -> None:
        verify_card_read(got.files, got.aa_signature, challenge, store, now)

    # The floor: hash every data group, verify the SOD signature (DS key), the DS
    # certificate (CSCA key) and the AA signature, with cryptography directly.
    ds, csca = pki.document_signer, pki.csca
    sod_sig = ds.private_key.sign(b"x" * 200, ec.ECDSA(hashes.SHA256()))
    aa_sig = aa_key.sign(challenge, ec.ECDSA(hashes.SHA256()))
    groups = [v for k, v in got.files.items() if k.startswith("DG")]

    def floor() -> None:
        for g in groups:
            hashlib.sha256(g).digest()
        ds.private_key.public_key().verify(sod_sig, b"x" * 200, ec.ECDSA(hashes.SHA256()))
        csca.private_key.public_key().verify(  # type: ignore[union-attr,call-arg]
            ds.certificate.signature, ds.certificate.tbs_certificate_bytes,
            ec.ECDSA(hashes.SHA256()))
        aa_key.public_key().verify(aa_sig, challenge, ec.ECDSA(hashes.SHA256()))

    pa_ms, floor_ms = median_ms(check, n), median_ms(floor, n)

    def full_read() -> None:
        read_card(SimulatedChip(card), can=card.can, challenge=challenge)

    def read_floor() -> None:
        # PACE-GM on brainpoolP256r1: two ECDH (mapping, key agreement) on each side,
        # plus the AA signature by the chip; the symmetric work is negligible beside them.
        for _ in range(2):
            a = ec.generate_private_key(ec.BrainpoolP256R1())
            b = ec.generate_private_key(ec.BrainpoolP256R1())
            a.exchange(ec.ECDH(), b.public_key())
            b.exchange(ec.ECDH(), a.public_key())
        aa_key.sign(challenge, ec.ECDSA(hashes.SHA256()))

    read_ms, read_floor_ms = median_ms(full_read, max(10, n // 4)), median_ms(read_floor, n)
    return [Result("passive + active authentication (server)", pa_ms,
                   "hashes + 3 ECDSA verifications", floor_ms, 3.0),
            Result("full simulated chip read (PACE, SM, 6 files, AA)", read_ms,
                   "4 ECDH + AA signature", read_floor_ms, 3.0)]
