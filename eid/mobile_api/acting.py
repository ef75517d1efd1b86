"""Dependents (children under 14, wards), the companies I represent, and acting for them."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from eid.accounts import acting, dependents, tokens
from eid.mobile_api import schemas as S
from eid.mobile_api.auth import authenticated
from eid.mobile_api.blueprint import bp
from eid.mobile_api.responses import token_response
from eid.mobile_api.spec import endpoint
from eid.models.accounts import Account
from eid.web.unit_of_work import services


def dependent_json(a: Account) -> dict[str, Any]:
    return {"id": a.id, "id_number": a.id_number, "full_name": a.full_name, "level": a.level,
            "created_at": a.created_at.isoformat()}


@bp.get("/dependents")
@endpoint(None, S.DependentList, auth=True, tags=("dependents",), summary="My dependents",
          errors=("not_authenticated",))
def list_dependents() -> Any:
    auth = authenticated()
    return jsonify({"dependents": [dependent_json(d) for d in
                                   dependents.list_for(services(), auth.account)]})


@bp.post("/dependents")
@endpoint(S.DependentIn, S.DependentOut, status=201, auth=True, tags=("dependents",),
          summary="Register a child under 14 (or a ward) whom the register lists as yours",
          errors=("not_guardian", "not_a_minor", "invalid_input", "device_key_required"))
def add_dependent(body: dict[str, Any]) -> Any:
    auth = authenticated(sensitive=True)
    acting.require_self(auth.act)
    return jsonify(dependent_json(dependents.add(services(), auth.account, body))), 201


@bp.get("/companies")
@endpoint(None, S.CompanyList, auth=True, tags=("acting",),
          summary="Companies the register lists me as legal representative of",
          errors=("not_authenticated",))
def list_companies() -> Any:
    auth = authenticated()
    rows = acting.companies_of(services(), auth.account)
    return jsonify({"companies": [{"company_id": c.company_id, "name": c.name} for c in rows]})


@bp.post("/act-as")
@endpoint(S.ActAsIn, S.TokenOut, auth=True, tags=("acting",),
          summary="New tokens acting for a company (CEO only) or a dependent (guardian only)",
          errors=("not_legal_representative", "not_found", "device_key_required"))
def act_as(body: dict[str, Any]) -> Any:
    auth = authenticated(sensitive=True)
    svc = services()
    act = acting.start(svc, auth.account, act=auth.act, company_id=body.get("company_id"),
                       dependent_id=int(body["dependent_id"]) if body.get("dependent_id") else None)
    pair = tokens.issue(svc, auth.account, auth.device, act=act)
    return jsonify(token_response(pair, auth.account))
