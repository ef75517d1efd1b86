"""The OpenID Foundation's Basic OP and Config OP checks, reproduced through the Flask test
client (the conformance suite itself needs containers), plus the code, refresh and PKCE
rules they rest on."""

from __future__ import annotations

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.oidc.support import (
    ISSUER,
    REDIRECT,
    add_client,
    auth_params,
    basic,
    code_flow,
    exchange,
    follow,
    jwt_parts,
    pkce,
    query,
    web_signin,
)


def tokens_for(client, rp, **over):
    cb, params = code_flow(client, rp, **over)
    r = exchange(client, rp, cb["code"])
    assert r.status_code == 200, r.get_json()
    return r.get_json(), params


def test_discovery_names_the_endpoints_and_refuses_none(client):
    d = client.get("/.well-known/openid-configuration").get_json()
    assert d["issuer"] == ISSUER and d["authorization_endpoint"] == f"{ISSUER}/oidc/authorize"
    assert "none" not in d["id_token_signing_alg_values_supported"]
    assert d["code_challenge_methods_supported"] == ["S256"]
    assert d["authorization_response_iss_parameter_supported"] is True
    assert d["acr_values_supported"] == ["LoA1", "LoA2"]


def test_the_id_token_is_signed_by_a_published_key_named_by_kid(client, rp, signed_in):
    body, params = tokens_for(client, rp)
    jwks = client.get("/oidc/jwks").get_json()
    head, _ = jwt_parts(body["id_token"])
    assert head["kid"] in {k["kid"] for k in jwks["keys"]} and head["alg"] == "ES256"
    claims = jwt.decode(body["id_token"], KeySet.import_key_set(jwks), algorithms=["ES256"]).claims
    assert claims["iss"] == ISSUER and claims["aud"] == rp["client_id"] and claims["nonce"] == params["nonce"]
    assert {"auth_time", "acr", "amr", "sid", "at_hash"} <= set(claims) and claims["acr"] == "LoA1"
    assert all("d" not in k for k in jwks["keys"])


def test_missing_response_type_is_an_error_sent_back(client, rp, signed_in):
    r = client.get("/oidc/authorize", query_string=auth_params(rp, response_type=""))
    q = query(r.headers["Location"])
    assert (
        r.headers["Location"].startswith(REDIRECT) and q["error"] == "invalid_request" and q["iss"] == ISSUER
    )


def test_an_unregistered_redirect_uri_is_refused_without_redirecting(client, rp, signed_in):
    r = client.get("/oidc/authorize", query_string=auth_params(rp, redirect_uri="https://evil.example/cb"))
    assert r.status_code == 400 and "Location" not in r.headers
    assert 'data-code="invalid_request"' in r.get_data(as_text=True)


def test_a_near_miss_redirect_uri_is_refused_too(client, rp, signed_in):
    r = client.get("/oidc/authorize", query_string=auth_params(rp, redirect_uri=REDIRECT + "/"))
    assert r.status_code == 400 and "Location" not in r.headers


def test_an_unknown_client_is_a_page(client):
    r = client.get("/oidc/authorize", query_string={"client_id": "nope", "redirect_uri": REDIRECT})
    assert r.status_code == 400 and "Location" not in r.headers


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_userinfo_by_get_post_header_and_post_body(client, rp, signed_in, method):
    body, _ = tokens_for(client, rp)
    h = {"Authorization": f"Bearer {body['access_token']}"}
    r = client.open("/oidc/userinfo", method=method, headers=h)
    assert r.status_code == 200 and r.get_json()["sub"]
    r = client.post("/oidc/userinfo", data={"access_token": body["access_token"]})
    assert r.status_code == 200 and r.get_json()["name"]


def test_code_flow_without_nonce(client, rp, signed_in):
    body, _ = tokens_for(client, rp, nonce="")
    assert "nonce" not in jwt_parts(body["id_token"])[1]


@pytest.mark.parametrize(
    "scope",
    [
        "openid",
        "openid profile",
        "openid email",
        "openid phone",
        "openid address",
        "address phone openid email profile",
    ],
)
def test_each_scope_and_scopes_in_another_order(client, rp, signed_in, scope):
    body, _ = tokens_for(client, rp, scope=scope)
    info = client.get(
        "/oidc/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
    ).get_json()
    assert ("name" in info) == ("profile" in scope) and ("email" in info) == ("email" in scope)
    assert ("phone_number" in info) == ("phone" in scope) and ("address" in info) == ("address" in scope)


def test_display_claims_locales_and_unknown_parameters_are_accepted(client, rp, signed_in):
    cb, _ = code_flow(client, rp, display="popup", claims_locales="vi", foo="bar")
    assert cb["code"]


def test_prompt_login_sends_a_signed_in_person_to_sign_in_again(client, rp, signed_in):
    code_flow(client, rp)  # consent remembered
    r = client.get("/oidc/authorize", query_string=auth_params(rp, prompt="login"))
    assert r.status_code == 302 and "/login" in r.headers["Location"] and "reauth=1" in r.headers["Location"]
    assert client.get(r.headers["Location"]).status_code == 200  # the page, although signed in
    r = follow(client, web_signin(client, signed_in, login_url=r.headers["Location"]))
    assert "code" in query(r.headers["Location"])


def test_signing_in_from_the_provider_returns_to_the_relying_party(client, rp, citizen):
    r = client.get("/oidc/authorize", query_string=auth_params(rp))
    assert "/login" in r.headers["Location"] and "reauth" not in r.headers["Location"]
    client.get(r.headers["Location"])  # the QR tab keeps next; the password tab posts it back
    r = follow(client, web_signin(client, citizen))
    assert "code" in query(r.headers["Location"])


def test_prompt_none_signed_out_is_login_required(client, rp, citizen):
    r = client.get("/oidc/authorize", query_string=auth_params(rp, prompt="none"))
    q = query(r.headers["Location"])
    assert q["error"] == "login_required" and q["state"]


def test_prompt_none_signed_in_with_consent_remembered_returns_a_code(client, rp, signed_in):
    code_flow(client, rp)
    r = client.get("/oidc/authorize", query_string=auth_params(rp, prompt="none"))
    assert "code" in query(r.headers["Location"])


def test_prompt_none_without_consent_is_consent_required(client, rp, signed_in):
    r = client.get("/oidc/authorize", query_string=auth_params(rp, prompt="none"))
    assert query(r.headers["Location"])["error"] == "consent_required"


def test_max_age_1_after_two_seconds_asks_for_a_sign_in(client, rp, signed_in, clock):
    clock.advance(seconds=2)
    r = client.get("/oidc/authorize", query_string=auth_params(rp, max_age="1"))
    assert "/login" in r.headers["Location"]


def test_max_age_10000_does_not(client, rp, signed_in, clock):
    clock.advance(seconds=2)
    body, _ = tokens_for(client, rp, max_age="10000")
    assert jwt_parts(body["id_token"])[1]["auth_time"]


def test_id_token_hint_of_this_person_passes_and_of_nobody_fails(client, rp, signed_in):
    body, _ = tokens_for(client, rp)
    cb, _ = code_flow(client, rp, id_token_hint=body["id_token"], prompt="none")
    assert cb["code"]
    r = client.get("/oidc/authorize", query_string=auth_params(rp, id_token_hint="a.b.c"))
    assert query(r.headers["Location"])["error"] == "invalid_request"


def test_login_hint_and_ui_locales_reach_the_sign_in_page(client, rp, citizen):
    hint = citizen.person.id_number
    r = client.get("/oidc/authorize", query_string=auth_params(rp, login_hint=hint, ui_locales="en-US vi"))
    loc = r.headers["Location"]
    assert f"login_hint={hint}" in loc and "lang=en" in loc
    page = client.get(loc).get_data(as_text=True)
    assert f'value="{hint}"' in page


def test_acr_values_loa1_is_met_and_reported(client, rp, signed_in):
    body, _ = tokens_for(client, rp, acr_values="LoA1")
    assert jwt_parts(body["id_token"])[1]["acr"] == "LoA1"


def test_essential_loa2_for_a_level_1_account_shows_the_level_2_page(client, rp, signed_in):
    claims = '{"id_token": {"acr": {"essential": true, "values": ["LoA2"]}}}'
    r = client.get("/oidc/authorize", query_string=auth_params(rp, claims=claims))
    page = r.get_data(as_text=True)
    assert r.status_code == 403 and 'data-testid="oidc-unmet"' in page
    assert "unmet_authentication_requirements" in page
    r = client.get("/oidc/authorize", query_string=auth_params(rp, claims=claims, prompt="none"))
    assert query(r.headers["Location"])["error"] == "unmet_authentication_requirements"


def test_code_reuse_fails_and_revokes_what_it_issued(client, rp, signed_in):
    cb, _ = code_flow(client, rp)
    first = exchange(client, rp, cb["code"]).get_json()
    again = exchange(client, rp, cb["code"])
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
    r = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {first['access_token']}"})
    assert r.status_code == 401 and "invalid_token" in r.headers["WWW-Authenticate"]
    r = client.post(
        "/oidc/token",
        data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]},
        headers=basic(rp),
    )
    assert r.get_json()["error"] == "invalid_grant"


def test_an_expired_code_is_refused(client, rp, signed_in, clock):
    cb, _ = code_flow(client, rp)
    clock.advance(seconds=61)
    assert exchange(client, rp, cb["code"]).get_json()["error"] == "invalid_grant"


def test_post_to_the_authorization_endpoint(client, rp, signed_in):
    code_flow(client, rp)  # consent remembered
    r = follow(client, client.post("/oidc/authorize", data=auth_params(rp)))
    assert "code" in query(r.headers["Location"])


def test_client_secret_post(client, rp, signed_in):
    cb, _ = code_flow(client, rp)
    r = exchange(
        client, rp, cb["code"], headers={}, client_id=rp["client_id"], client_secret=rp["client_secret"]
    )
    assert r.status_code == 200 and r.get_json()["token_type"] == "Bearer"


def test_a_wrong_secret_is_invalid_client_with_401(client, rp, signed_in):
    cb, _ = code_flow(client, rp)
    r = exchange(client, rp, cb["code"], headers={}, client_id=rp["client_id"], client_secret="wrong")
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_client"


def test_an_unsigned_request_object_is_refused_cleanly(client, rp, signed_in):
    r = client.get("/oidc/authorize", query_string=auth_params(rp, request="eyJhbGciOiJub25lIn0.e30."))
    assert query(r.headers["Location"])["error"] == "request_not_supported"


def test_claims_essential_releases_the_claim_after_consent(client, rp, signed_in):
    claims = '{"userinfo": {"email": {"essential": true}}, "id_token": {"name": null}}'
    body, _ = tokens_for(client, rp, scope="openid", claims=claims)
    assert "name" in jwt_parts(body["id_token"])[1]
    info = client.get(
        "/oidc/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"}
    ).get_json()
    assert "email" in info and "phone_number" not in info


def test_refresh_rotates_and_a_reused_refresh_token_revokes_the_family(client, rp, signed_in):
    body, _ = tokens_for(client, rp)
    form = {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
    second = client.post("/oidc/token", data=form, headers=basic(rp)).get_json()
    assert second["refresh_token"] != body["refresh_token"] and "id_token" not in second
    reused = client.post("/oidc/token", data=form, headers=basic(rp))
    assert reused.get_json()["error"] == "invalid_grant"
    r = client.post("/oidc/token", data={**form, "refresh_token": second["refresh_token"]}, headers=basic(rp))
    assert r.get_json()["error"] == "invalid_grant"  # the whole family is gone


def test_pkce_is_required_for_public_clients_and_checked(app, client, signed_in):
    pub = add_client(app, "--public", name="Public app")
    r = client.get("/oidc/authorize", query_string=auth_params(pub))
    assert query(r.headers["Location"])["error"] == "invalid_request"
    verifier, challenge = pkce()
    cb, _ = code_flow(client, pub, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(client, pub, cb["code"], code_verifier="x" * 43).get_json()["error"] == "invalid_grant"
    cb, _ = code_flow(client, pub, code_challenge=challenge, code_challenge_method="S256")
    assert exchange(client, pub, cb["code"], code_verifier=verifier).status_code == 200


def test_pkce_plain_is_refused(client, rp, signed_in):
    r = client.get(
        "/oidc/authorize",
        query_string=auth_params(rp, code_challenge="a" * 43, code_challenge_method="plain"),
    )
    assert query(r.headers["Location"])["error"] == "invalid_request"


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"grant_type": "password"},
        {"grant_type": "authorization_code"},
        {"grant_type": "refresh_token", "refresh_token": "x"},
    ],
)
def test_bad_token_requests_are_oauth_errors_never_500(client, rp, form):
    r = client.post("/oidc/token", data=form, headers=basic(rp))
    assert r.status_code in (400, 401) and r.get_json()["error"] in (
        "invalid_request",
        "unsupported_grant_type",
        "invalid_grant",
    )
    assert r.headers["Cache-Control"] == "no-store"


def test_an_alg_none_access_token_is_refused(client, rp, signed_in):
    body, _ = tokens_for(client, rp)
    payload = body["access_token"].split(".")[1]
    import base64

    none = base64.urlsafe_b64encode(b'{"alg":"none","typ":"at+jwt"}').rstrip(b"=").decode()
    r = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {none}.{payload}."})
    assert r.status_code == 401
