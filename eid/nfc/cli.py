"""``eid-reader``: read a CCCD with a USB desk reader or the simulated chip.

    eid-reader read --usb [--can 123456 | --mrz 099012345,900517,310401] [--json]
    eid-reader read --simulated --id-number 001099012345 [--json]

The simulated card is personalised on the fly and signed by a freshly generated test
PKI, read through nfcpy's ISO-DEP stack and verified against that PKI. A USB read is
verified when ``--trust`` names a PEM file of CSCA certificates and CRLs. Exit codes:
0 read, 1 card or verification error, 2 no reader attached or bad arguments.
"""
from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from eid.nfc.errors import NfcError, ReaderNotFound
from eid.nfc.lds import dg1, dg13
from eid.nfc.mrz import MrzKey
from eid.nfc.reader import CardRead, read_card
from eid.nfc.trust_store import TrustStore
from eid.nfc.verify import verify_card_read

_LABELS = {1: "id_number", 2: "full_name", 3: "birth_date", 4: "sex", 5: "nationality",
           6: "ethnicity", 7: "religion", 8: "hometown", 9: "permanent_address",
           10: "identifying_marks", 11: "issue_date", 12: "expiry_date", 13: "parents",
           14: "spouse", 15: "old_id_number"}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="eid-reader", description="Read a CCCD chip.")
    sub = parser.add_subparsers(dest="command", required=True)
    read = sub.add_parser("read", help="read and print the card's details")
    source = read.add_mutually_exclusive_group(required=True)
    source.add_argument("--usb", action="store_true", help="use a USB desk reader (nfcpy)")
    source.add_argument("--simulated", action="store_true", help="use the simulated chip")
    read.add_argument("--device", default="usb", help="nfcpy device path (default: usb)")
    read.add_argument("--can", help="card access number (last 6 digits of the ID)")
    read.add_argument("--mrz", help="document number,birth YYMMDD,expiry YYMMDD")
    read.add_argument("--id-number", help="12-digit ID of the simulated holder")
    read.add_argument("--trust", type=Path, help="PEM of trusted CSCAs and CRLs")
    read.add_argument("--timeout", type=float, default=10.0, help="seconds to wait for a card")
    read.add_argument("--json", action="store_true", help="machine-readable output")
    return parser


def _mrz_key(text: str | None) -> MrzKey | None:
    if not text:
        return None
    parts = [p.strip().upper() for p in text.split(",")]
    if len(parts) != 3:
        raise SystemExit("eid-reader: --mrz needs document number,birth YYMMDD,expiry YYMMDD")
    return MrzKey(*parts)


def _details(read: CardRead) -> dict[str, Any]:
    mrz = dg1.parse(read.files["DG1"]).mrz
    out: dict[str, Any] = {"access": read.access, "mrz": mrz.lines(),
                           "document_number": mrz.document_number}
    if "DG13" in read.files:
        for f in dg13.parse(read.files["DG13"]).fields:
            key = _LABELS.get(f.number, f"field_{f.number}")
            out[key] = list(f.values) if len(f.values) != 1 else f.values[0]
    out["face_image_bytes"] = len(read.files.get("DG2", b""))
    out["active_authentication"] = read.aa_signature is not None
    return out


def _read_simulated(args: argparse.Namespace, challenge: bytes) -> tuple[CardRead, TrustStore]:
    from cryptography.hazmat.primitives.asymmetric import ec

    from eid.nfc.nfcpy_reader import connect_tag
    from eid.nfc.sim import SimulatedChip, generate_pki, issue_card
    from eid.nfc.sim.issuer import synthetic_holder
    from eid.nfc.sim.nfcpy_frontend import simulated_frontend

    id_number = args.id_number or "001099000001"
    now = datetime.now(UTC)
    pki = generate_pki(now=now)
    holder = synthetic_holder(id_number, today=now.date())
    aa_key = ec.generate_private_key(ec.BrainpoolP256R1())
    card = issue_card(holder, pki.document_signer, now=now, aa_key=aa_key)
    transport = connect_tag(simulated_frontend(SimulatedChip(card)))
    read = read_card(transport, can=args.can or holder.can, mrz=_mrz_key(args.mrz),
                     challenge=challenge)
    return read, pki.trust_store()


def _read_usb(args: argparse.Namespace, challenge: bytes) -> CardRead:
    from eid.nfc.nfcpy_reader import open_reader

    with open_reader(args.device, timeout=args.timeout) as transport:
        return read_card(transport, can=args.can, mrz=_mrz_key(args.mrz), challenge=challenge)


def _run(args: argparse.Namespace) -> dict[str, Any]:
    challenge = secrets.token_bytes(8)
    trust: TrustStore | None = None
    if args.simulated:
        read, trust = _read_simulated(args, challenge)
    else:
        if not args.can and not args.mrz:
            raise SystemExit("eid-reader: --usb needs --can or --mrz")
        read = _read_usb(args, challenge)
    if args.trust:
        trust = TrustStore.from_pem(args.trust.read_bytes())
    details = _details(read)
    details["verified"] = False
    if trust is not None:
        result = verify_card_read(read.files, read.aa_signature, challenge, trust,
                                  datetime.now(UTC), require_active_auth=False)
        details.update(verified=True, document_signer=result.document_signer,
                       csca=result.csca, active_authentication=result.active_authenticated)
    return details


def _print(details: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(details, ensure_ascii=False, indent=2))
        return
    for key, value in details.items():
        shown = " / ".join(value) if isinstance(value, list | tuple) else value
        print(f"{key:>22}: {shown}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        details = _run(args)
    except ReaderNotFound as exc:
        print(f"eid-reader: {exc.detail_message}", file=sys.stderr)
        return 2
    except NfcError as exc:
        print(f"eid-reader: {exc.error}: {exc.detail_message}", file=sys.stderr)
        return 1
    except SystemExit as exc:
        print(exc, file=sys.stderr)
        return 2
    _print(details, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
