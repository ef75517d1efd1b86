"""The officer's verification desk: find a person, check them in person, upgrade
their account to level 2. Officers only; every lookup and upgrade is audited."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from eid.accounts import levels
from eid.app.services import mark_expected_error, services
from eid.app.views.auth import current, login_required
from eid.errors import EidError

bp = Blueprint("desk", __name__, url_prefix="/desk")


def _officer() -> Any:
    _ws, me = current()  # type: ignore[misc]
    levels.require_officer(me)
    return me


@bp.get("/")
@login_required
def search() -> Any:
    officer = _officer()
    raw = request.args.get("id_number", "").strip()
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


@bp.post("/upgrade/<int:account_id>")
@login_required
def upgrade(account_id: int) -> Any:
    officer = _officer()
    try:
        account = levels.upgrade_to_level_2(services(), officer, account_id,
                                            request.form.getlist("checks"))
    except EidError as exc:
        mark_expected_error()
        flash(exc.detail_message, "error")
        return redirect(url_for("desk.search", id_number=request.form.get("id_number", "")))
    flash(_("The account was upgraded to level 2."), "success")
    return redirect(url_for("desk.search", id_number=account.id_number))
