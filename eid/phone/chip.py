"""The phone's side of reading the ID card's chip: the card is a USB reader's or, in
development, a simulated one fetched over HTTP from the server's
``GET /dev/chip/simulated-card/<id_number>`` and rebuilt as
:class:`eid.nfc.sim.chip.SimulatedChip`; either way :func:`eid.nfc.reader.read_card`
reads it (PACE, secure messaging, AA over the server's challenge) and the raw read
goes back to the server, which verifies it. Nothing here touches the server's files.
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_der_private_key

from eid.nfc.errors import NfcError
from eid.nfc.lds import dg1
from eid.nfc.lds.dg14 import parse_card_access
from eid.nfc.reader import CardRead
from eid.nfc.sim.chip import SimulatedChip
from eid.nfc.sim.issuer import AaKey, CardImage
from eid.phone.client import Client

SIMULATED_CARD = "/dev/chip/simulated-card/{id_number}"


class BadSimulatedCard(ValueError):
    """The simulated card's JSON is not what ``/dev/chip/simulated-card`` returns."""


def fetch_simulated_card(client: Client, id_number: str) -> dict[str, Any]:
    """The development server's simulated card for ``id_number`` (files, CAN, AA key).

    Raises:
        ApiError: the server refused (unknown ID: 404; not in development mode: 404).
    """
    return client.call("GET", SIMULATED_CARD.format(id_number=quote(id_number, safe="")))


def simulated_chip(body: Mapping[str, Any]) -> SimulatedChip:
    """Rebuild the chip from the JSON of ``/dev/chip/simulated-card``.

    Raises:
        BadSimulatedCard: a field is missing or does not decode.
    """
    try:
        files = {str(name): base64.b64decode(data, validate=True)
                 for name, data in dict(body["files"]).items()}
        key = _aa_key(body.get("aa_private_key"))
        pace = parse_card_access(files["CardAccess"]).pace if "CardAccess" in files else ()
        card = CardImage(files, dg1.parse(files["DG1"]).mrz, str(body["can"]), key,
                         pace[0] if pace else None)
    except BadSimulatedCard:
        raise
    except (KeyError, TypeError, ValueError, binascii.Error, NfcError) as exc:
        raise BadSimulatedCard(f"not a simulated card ({exc.__class__.__name__}: {exc})") from exc
    return SimulatedChip(card)


def _aa_key(text: str | None) -> AaKey | None:
    if text is None:
        return None
    key = load_der_private_key(base64.b64decode(text, validate=True), password=None)
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise BadSimulatedCard(f"an AA key is RSA or EC, not {key.__class__.__name__}")
    return key


def read_body(read: CardRead) -> dict[str, Any]:
    """What ``POST chip/sessions/<id>/read`` takes: the files and the AA answer, base64."""
    signature = read.aa_signature
    return {"files": {name: base64.b64encode(data).decode() for name, data in read.files.items()},
            "aa_signature": base64.b64encode(signature).decode() if signature else None}
