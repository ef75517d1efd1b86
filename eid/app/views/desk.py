"""The officer's verification desk: find a person, check them in person, upgrade
their account to level 2. Officers only; every lookup and upgrade is audited.

The ID number never goes into a URL (access logs, proxies' logs, the browser's
history and the Referer keep URLs): the search is a POST (CSRF-checked) answered with
the page itself, and a POST that redirects leaves the number in the signed session
cookie for the one page load that follows (as a flash message is kept).
"""
from __future__ import annotations

import base64
from contextlib import contextmanager
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _

from eid.accounts import chip_binding, levels
from eid.accounts.errors import NotFound
from eid.errors import EidError
from eid.nfc.sim.chip import SimulatedChip
from eid.web.auth import current, login_required
from eid.web.chip_pki import simulated_card, trust_store_of
from eid.web.unit_of_work import mark_expected_error, services

bp = Blueprint("desk", __name__, url_prefix="/desk")


def _officer() -> Any:
    _ws, me = current()  # type: ignore[misc]
    levels.require_officer(me)
    return me


SUBJECT = "desk_subject"  # the session key holding the ID number for the next page load


@bp.get("/")
@login_required
def search() -> Any:
    """The search form; after a redirect, the person the officer was working on."""
    return _page(_officer(), str(session.pop(SUBJECT, "")))


@bp.post("/")
@login_required
def find() -> Any:
    return _page(_officer(), request.form.get("id_number", "").strip())


def _page(officer: Any, raw: str) -> Any:
    person = account = None
    error = None
    if raw:
        try:
            person, account = levels.find(services(), officer, raw)
            if person is None:
                error = _("No person with this ID number is in the population register.")
        except EidError as exc:
            mark_expected_error()
            error = exc.detail_message
    return render_template("desk/search.html", raw=raw, person=person, account=account,
                           error=error, checks=levels.CHECKS)


def _back_to(raw: str) -> Any:
    """Redirect to the desk showing ``raw``'s person, without the number in the URL."""
    session[SUBJECT] = raw.strip()[:32]
    return redirect(url_for("desk.search"))


def _reader(person: Any) -> Any:
    """The desk reader: the USB reader (nfcpy), or in development the simulated chip of
    a card issued for the register's record with the development PKI."""
    if current_app.config.get("DESK_READER", "simulated" if current_app.config["DEV_MODE"]
                              else "usb") == "usb":
        from eid.nfc.nfcpy_reader import open_reader

        return lambda: open_reader("usb")

    @contextmanager
    def simulated():  # type: ignore[no-untyped-def]
        card = simulated_card(person, now=services().now, instance_path=current_app.instance_path)
        yield SimulatedChip(card)

    return simulated


@bp.post("/read-card")
@login_required
def read_card() -> Any:
    """Read the person's card on the desk reader and show the chip's photo."""
    officer = _officer()
    raw = request.form.get("id_number", "")
    try:
        person, account = levels.find(services(), officer, raw)
        if person is None:
            raise NotFound("No person with this ID number is in the population register.")
        result, record = chip_binding.read_at_desk(services(), officer, person, account,
                                                   _reader(person),
                                                   trust_store_of(current_app._get_current_object()))
    except EidError as exc:
        mark_expected_error()
        flash(exc.detail_message, "error")
        return _back_to(raw)
    photo = f"data:{result.face_mime_type};base64,{base64.b64encode(result.face_image).decode()}"
    return render_template("desk/search.html", raw=raw, person=person, account=account, error=None,
                           checks=levels.CHECKS, chip_photo=photo,
                           chip_verification_id=record.id if record else None,
                           chip_signer=result.document_signer)


@bp.post("/upgrade/<int:account_id>")
@login_required
def upgrade(account_id: int) -> Any:
    officer = _officer()
    try:
        chip_id = request.form.get("chip_verification_id", type=int)
        account = levels.upgrade_to_level_2(services(), officer, account_id,
                                            request.form.getlist("checks"),
                                            chip_verification_id=chip_id)
    except EidError as exc:
        mark_expected_error()
        flash(exc.detail_message, "error")
        return _back_to(request.form.get("id_number", ""))
    flash(_("The account was upgraded to level 2."), "success")
    return _back_to(account.id_number)
