"""Connected services on the phone: the portals that signed the person in through eid's
OpenID provider with their consent; withdrawing one ends its tokens and its next
sign-in asks again (the account page shows the same list)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.flows import Phone, register
from tests.oidc.support import add_client, basic, code_flow, exchange, web_signin


def connected(client: Any, app: Any, n: int) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """Person ``n`` signed in at a portal (consent given, tokens issued) and on the phone."""
    d = register(client, n)
    rp = add_client(app)
    assert web_signin(client, d).status_code == 302
    cb, _ = code_flow(client, rp, scope="openid profile phone")
    tokens = exchange(client, rp, cb["code"]).get_json()
    assert tokens["refresh_token"]
    return Phone(client, app).login(d), rp, tokens


def test_the_phone_lists_the_services_the_person_shares_details_with(client, app):
    phone, rp, _tokens = connected(client, app, 1)
    r = phone.call("GET", "connected-services")
    assert r.status_code == 200
    [service] = r.get_json()["services"]
    assert service["client_id"] == rp["client_id"] and service["name"] == rp["client_name"]
    assert {"name", "phone_number"} <= set(service["claims"]) and service["granted_at"]


def test_withdrawing_from_the_phone_ends_the_services_tokens_and_its_listing(client, app):
    phone, rp, tokens = connected(client, app, 2)
    r = phone.call("DELETE", f"connected-services/{rp['client_id']}")
    assert r.status_code == 200 and r.get_json() == {"ok": True, "grants_revoked": 1}
    assert phone.call("GET", "connected-services").get_json()["services"] == []
    refresh = client.post(
        "/oidc/token",
        headers=basic(rp),
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert refresh.status_code == 400 and refresh.get_json()["error"] == "invalid_grant"
    info = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.status_code == 401
    page = client.get("/account/connected-services").get_data(as_text=True)
    assert f'data-testid="connected-{rp["client_id"]}"' not in page
    again = client.get(
        "/oidc/authorize",
        query_string={
            "response_type": "code",
            "client_id": rp["client_id"],
            "redirect_uri": "https://rp.example/cb",
            "scope": "openid profile",
            "state": "s",
            "nonce": "n",
        },
    )
    assert again.status_code == 200 and 'data-testid="oidc-consent"' in again.get_data(as_text=True)


@pytest.mark.parametrize("client_id", ["no-such-service", "x" * 64])
def test_withdrawing_a_service_not_connected_is_not_found(client, app, client_id):
    phone, rp, _tokens = connected(client, app, 3)
    r = phone.call("DELETE", f"connected-services/{client_id}")
    assert r.status_code == 404 and r.get_json()["error"] == "not_found" and r.get_json()["message"]
    assert [s["client_id"] for s in phone.call("GET", "connected-services").get_json()["services"]] == [
        rp["client_id"]
    ]


def test_withdrawing_twice_is_not_found_the_second_time(client, app):
    phone, rp, _tokens = connected(client, app, 4)
    assert phone.call("DELETE", f"connected-services/{rp['client_id']}").status_code == 200
    r = phone.call("DELETE", f"connected-services/{rp['client_id']}")
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"


def test_another_persons_consent_is_neither_listed_nor_withdrawn(client, app):
    _phone, rp, tokens = connected(client, app, 5)
    other = register(client, 6)
    stranger = Phone(client, app).login(other)
    assert stranger.call("GET", "connected-services").get_json()["services"] == []
    assert stranger.call("DELETE", f"connected-services/{rp['client_id']}").status_code == 404
    r = client.post(
        "/oidc/token",
        headers=basic(rp),
        data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
    )
    assert r.status_code == 200


def test_the_list_needs_a_signed_in_phone(client):
    r = client.get("/api/mobile/v1/connected-services")
    assert r.status_code == 401 and r.get_json()["error"] == "not_authenticated"
