"""The signed-in account's app sign-ins: only the owner can end one (tokens.revoke_own_family)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from eid.accounts import tokens
from eid.accounts.errors import NotFound
from eid.models.accounts import Account
from eid.models.devices import TokenFamily
from eid.web.db import db
from eid.web.unit_of_work import services
from tests.flows import API, register, signin


def auth(token):  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {token}"}


def families_of(app, d):  # type: ignore[no-untyped-def]
    with app.app_context():
        account = db.session.scalar(select(Account).where(Account.id_number == d.person.id_number))
        rows = db.session.scalars(select(TokenFamily).where(TokenFamily.account_id == account.id))
        return account.id, [(f.id, f.revoked_reason) for f in rows]


def test_revoking_an_unknown_app_signin_is_not_found(client):
    token = signin(client, register(client, 1))
    r = client.delete(f"{API}/app-sessions/999999", headers=auth(token))
    assert r.status_code == 404
    assert r.get_json() == {"error": "not_found", "message": "No such sign-in."}


def test_someone_elses_app_signin_is_not_found_and_stays_live(client, app):
    a, b = register(client, 1), register(client, 2)
    ta, tb = signin(client, a), signin(client, b)
    _, [(fid_b, _)] = families_of(app, b)
    r = client.delete(f"{API}/app-sessions/{fid_b}", headers=auth(ta))
    assert r.status_code == 404
    assert r.get_json() == {"error": "not_found", "message": "No such sign-in."}
    assert families_of(app, b)[1] == [(fid_b, None)]
    assert client.get(f"{API}/me", headers=auth(tb)).status_code == 200


def test_the_owner_revokes_its_own_family_and_a_second_revoke_changes_nothing(client, app):
    d = register(client, 1)
    signin(client, d)
    account_id, [(fid, _)] = families_of(app, d)
    with app.test_request_context():
        tokens.revoke_own_family(services(), account_id, fid, "user")
        tokens.revoke_own_family(services(), account_id, fid, "again")
        db.session.commit()
    assert families_of(app, d)[1] == [(fid, "user")]


def test_revoke_own_family_refuses_another_accounts_family(client, app):
    a, b = register(client, 1), register(client, 2)
    signin(client, b)
    account_a, _ = families_of(app, a)
    _, [(fid_b, _)] = families_of(app, b)
    with app.test_request_context(), pytest.raises(NotFound, match="No such sign-in"):
        tokens.revoke_own_family(services(), account_a, fid_b, "user")
    assert families_of(app, b)[1] == [(fid_b, None)]
