"""The signed-in account: who I am, my sessions (browsers and app sign-ins), revoking one."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from eid.accounts import sessions, tokens
from eid.mobile_api import schemas as S
from eid.mobile_api.auth import authenticated
from eid.mobile_api.blueprint import bp
from eid.mobile_api.responses import account_json, session_list_json
from eid.mobile_api.spec import endpoint
from eid.web.unit_of_work import services


@bp.get("/me")
@endpoint(None, S.MeOut, auth=True, tags=("account",), summary="The signed-in account",
          errors=("not_authenticated", "session_expired"))
def me() -> Any:
    auth = authenticated()
    return jsonify({**account_json(auth.account), "act": auth.act,
                    "device_id": auth.device.id if auth.device else None})


@bp.get("/sessions")
@endpoint(None, S.SessionList, auth=True, tags=("session",), summary="My sessions",
          errors=("not_authenticated",))
def list_sessions() -> Any:
    auth = authenticated()
    svc = services()
    return jsonify(session_list_json(sessions.list_for(svc, auth.account.id),
                                     tokens.families_for(svc, auth.account.id),
                                     current_family_id=auth.family.id))


@bp.delete("/sessions/<int:session_id>")
@endpoint(None, S.Ok, auth=True, tags=("session",), summary="Revoke one of my sessions",
          errors=("not_authenticated", "not_found"))
def revoke_session(session_id: int) -> Any:
    account = authenticated().account
    sessions.revoke(services(), account.id, session_id)
    services().audit("session.revoke", "ok", actor_account_id=account.id,
                     details={"session_id": session_id})
    return jsonify({"ok": True})


@bp.delete("/app-sessions/<int:family_id>")
@endpoint(None, S.Ok, auth=True, tags=("session",), summary="Sign out one of my app sign-ins",
          errors=("not_authenticated", "not_found"))
def revoke_app_session(family_id: int) -> Any:
    auth = authenticated()
    svc = services()
    tokens.revoke_own_family(svc, auth.account.id, family_id, "user")
    svc.audit("app_session.revoke", "ok", actor_account_id=auth.account.id,
              details={"family_id": family_id})
    return jsonify({"ok": True})
