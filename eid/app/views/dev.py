"""Development-only helpers, registered only when EID_ENV is development or test:
the SMS outbox (JSON newest first, and a page) and captcha answers for scripts."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template, request

from eid.accounts import captcha, sms
from eid.accounts.errors import NotFound
from eid.app.services import services

bp = Blueprint("dev", __name__, url_prefix="/dev")


def _messages() -> list[dict[str, Any]]:
    to = request.args.get("to") or None
    if to and "@" not in to:  # the outbox also holds development e-mail
        from eid.accounts.phones import normalize_phone

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
