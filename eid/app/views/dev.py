"""Development-only helpers, registered only when EID_ENV is development or test:
the SMS outbox (JSON newest first, and a page), captcha answers for scripts, and
simulated chip cards the server's development trust store accepts."""
from __future__ import annotations

import base64
from typing import Any

from cryptography.hazmat.primitives import serialization
from flask import Blueprint, current_app, jsonify, render_template, request

from eid.accounts import captcha, sms
from eid.accounts.errors import InvalidInput, NotFound
from eid.accounts.ids import parse_id_number
from eid.accounts.phones import normalize_phone
from eid.nfc.sim.issuer import CardImage
from eid.web.chip_pki import simulated_card
from eid.web.unit_of_work import services

bp = Blueprint("dev", __name__, url_prefix="/dev")


def _messages() -> list[dict[str, Any]]:
    to = request.args.get("to") or None
    if to and "@" not in to:  # the outbox also holds development e-mail
        to = normalize_phone(to)
    limit = min(max(request.args.get("limit", 50, type=int) or 50, 1), 500)
    rows = sms.list_outbox(services().session, limit=limit, to=to)
    return [{"id": r.id, "to": r.to, "text": r.text, "kind": r.kind,
             "created_at": r.created_at.isoformat()} for r in rows]


@bp.get("/sms")
def sms_json() -> Any:
    return jsonify({"messages": _messages()})


@bp.get("/sms/page")
def sms_page() -> Any:
    return render_template("dev_sms.html", messages=_messages())


@bp.get("/captcha/<captcha_id>")
def captcha_answer(captcha_id: str) -> Any:
    answer = captcha.dev_answer_for(services().session, captcha_id)
    if answer is None:
        raise NotFound("No such captcha.")
    return jsonify({"id": captcha_id, "answer": answer})


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def simulated_card_body(card: CardImage) -> dict[str, Any]:
    """A simulated card as JSON: its files and the CAN, and the AA private key (PKCS#8
    DER; null for a card without AA), enough for a phone to rebuild the chip with
    :class:`eid.nfc.sim.chip.SimulatedChip` and answer a fresh AA challenge."""
    key = None
    if card.aa_key is not None:
        key = _b64(card.aa_key.private_bytes(serialization.Encoding.DER,
                                             serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption()))
    return {"can": card.can, "files": {name: _b64(data) for name, data in card.files.items()},
            "aa_private_key": key}


@bp.get("/chip/simulated-card/<id_number>")
def simulated_card_of(id_number: str) -> Any:
    """A freshly personalised chip for the register's record of ``id_number``, signed by
    the development document signer (``instance/chip-pki``), with a new ECDSA P-256 AA
    key. A GET: the server keeps nothing, and pages' CSRF check guards only other methods.

    Raises:
        InvalidInput: a malformed ID number, or a person without a 12-digit CCCD (400).
        NotFound: nobody with this ID number in the population register (404).
    """
    svc = services()
    person = svc.registries.population.get(parse_id_number(id_number).value)
    if person is None:
        raise NotFound("No person with this ID number is in the population register.")
    if len(person.id_number) != 12:
        raise InvalidInput("Only a 12-digit CCCD has a chip; this person holds none.",
                           fields={"id_number": "no_chip_card"})
    card = simulated_card(person, now=svc.now, instance_path=current_app.instance_path)
    response = jsonify({"id_number": person.id_number, **simulated_card_body(card)})
    response.headers["Cache-Control"] = "no-store"  # it carries a private key
    return response
