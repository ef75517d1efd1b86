"""Connected services on the phone: the portals the person signed in to through eid's
OpenID provider and agreed to share details with; withdrawing one's consent ends its
access (``eid.accounts.consents``, the same use case as the account page's)."""
from __future__ import annotations

from typing import Any

from flask import jsonify
from marshmallow import fields

from eid.accounts import consents
from eid.mobile_api import schemas as S
from eid.mobile_api.auth import authenticated
from eid.mobile_api.blueprint import bp
from eid.mobile_api.spec import endpoint
from eid.web.unit_of_work import services


class ConnectedServiceOut(S.Out):
    client_id = fields.String()
    name = fields.String()
    claims = fields.List(fields.String())
    granted_at = fields.DateTime()


class ConnectedServiceList(S.Out):
    services = fields.List(fields.Nested(ConnectedServiceOut))


class WithdrawnOut(S.Out):
    ok = fields.Boolean()
    grants_revoked = fields.Integer()


def service_json(s: consents.ConnectedService) -> dict[str, Any]:
    return {"client_id": s.client_id, "name": s.name, "claims": list(s.claims),
            "granted_at": s.granted_at.isoformat()}


@bp.get("/connected-services")
@endpoint(None, ConnectedServiceList, auth=True, tags=("connected-services",),
          summary="The services I signed in to with eid and share details with",
          errors=("not_authenticated",))
def list_connected_services() -> Any:
    auth = authenticated()
    return jsonify({"services": [service_json(s) for s in consents.list_for(services(), auth.account.id)]})


@bp.delete("/connected-services/<client_id>")
@endpoint(None, WithdrawnOut, auth=True, tags=("connected-services",),
          summary="Withdraw consent from a service: its tokens stop working, its next sign-in asks again",
          errors=("not_found", "device_key_required"))
def withdraw_connected_service(client_id: str) -> Any:
    auth = authenticated(sensitive=True)
    revoked = consents.withdraw(services(), auth.account.id, client_id[:64], via="phone")
    return jsonify({"ok": True, "grants_revoked": revoked})
