"""PAR, DPoP-bound tokens, private_key_jwt, revocation, introspection, logout (RP-initiated
and back-channel), signing-key rotation and the client commands."""

from __future__ import annotations

import json

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from eid.accounts import proof
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
)


def dpop(app, key, method, path, access=None, n=[0]):  # noqa: B006 - a counter for unique ids
    n[0] += 1
    now = app.extensions["eid.parts"].clock.now()
    return proof.make(
        key,
        method=method,
        url=f"http://localhost{path}",
        now=now,
        jti=f"dpop-jti-{n[0]:08d}-x",
        access_token=access,
    )


def push(client, rp, headers=None, **over):
    data = auth_params(rp, **over)
    return client.post("/oidc/par", data=data, headers={**basic(rp), **(headers or {})}), data


def test_par_returns_a_single_use_request_uri(client, rp, signed_in):
    r, data = push(client, rp)
    assert r.status_code == 201 and r.get_json()["request_uri"].startswith(
        "urn:ietf:params:oauth:request_uri:"
    )
    uri = r.get_json()["request_uri"]
    resp = follow(
        client, client.get("/oidc/authorize", query_string={"client_id": rp["client_id"], "request_uri": uri})
    )
    assert query(resp.headers["Location"])["state"] == data["state"]
    again = client.get("/oidc/authorize", query_string={"client_id": rp["client_id"], "request_uri": uri})
    assert again.status_code == 400 and 'data-code="invalid_request_uri"' in again.get_data(as_text=True)


def test_par_checks_the_request_before_storing_it(client, rp):
    r, _ = push(client, rp, scope="profile")
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_scope"
    r = client.post("/oidc/par", data=auth_params(rp))
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_client"


def test_a_client_that_requires_par_is_refused_a_plain_request(app, client, signed_in):
    strict = add_client(app, "--require-par", name="Strict")
    r = client.get("/oidc/authorize", query_string=auth_params(strict))
    assert query(r.headers["Location"])["error"] == "invalid_request"


def test_dpop_binds_tokens_to_the_key_and_userinfo_needs_the_proof(app, client, rp, signed_in):
    key = ECKey.generate_key("P-256")
    cb, _ = code_flow(client, rp)
    r = exchange(client, rp, cb["code"], headers={**basic(rp), "DPoP": dpop(app, key, "POST", "/oidc/token")})
    body = r.get_json()
    assert r.status_code == 200 and body["token_type"] == "DPoP"
    assert jwt_parts(body["access_token"])[1]["cnf"]["jkt"] == proof.thumbprint(key.as_dict(private=False))
    at = body["access_token"]
    assert client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {at}"}).status_code == 401
    ok = client.get(
        "/oidc/userinfo",
        headers={"Authorization": f"DPoP {at}", "DPoP": dpop(app, key, "GET", "/oidc/userinfo", at)},
    )
    assert ok.status_code == 200
    other = ECKey.generate_key("P-256")
    bad = client.get(
        "/oidc/userinfo",
        headers={"Authorization": f"DPoP {at}", "DPoP": dpop(app, other, "GET", "/oidc/userinfo", at)},
    )
    assert bad.status_code == 401
    form = {"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}
    r = client.post("/oidc/token", data=form, headers=basic(rp))
    assert r.get_json()["error"] == "invalid_dpop_proof"
    r = client.post(
        "/oidc/token", data=form, headers={**basic(rp), "DPoP": dpop(app, key, "POST", "/oidc/token")}
    )
    assert r.status_code == 200 and r.get_json()["token_type"] == "DPoP"


def test_fapi_client_needs_par_pkce_and_dpop(app, client, signed_in):
    fapi = add_client(app, "--fapi", name="FAPI portal")
    key = ECKey.generate_key("P-256")
    verifier, challenge = pkce()
    r, _ = push(
        client,
        fapi,
        headers={"DPoP": dpop(app, key, "POST", "/oidc/par")},
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    assert r.status_code == 201
    resp = follow(
        client,
        client.get(
            "/oidc/authorize",
            query_string={"client_id": fapi["client_id"], "request_uri": r.get_json()["request_uri"]},
        ),
    )
    cb = query(resp.headers["Location"])
    assert cb["iss"] == ISSUER
    no_proof = exchange(client, fapi, cb["code"], code_verifier=verifier)
    assert no_proof.get_json()["error"] == "invalid_dpop_proof"


def test_a_code_pushed_with_a_dpop_key_needs_that_key(app, client, rp, signed_in):
    key, other = ECKey.generate_key("P-256"), ECKey.generate_key("P-256")
    r, _ = push(client, rp, headers={"DPoP": dpop(app, key, "POST", "/oidc/par")})
    resp = follow(
        client,
        client.get(
            "/oidc/authorize",
            query_string={"client_id": rp["client_id"], "request_uri": r.get_json()["request_uri"]},
        ),
    )
    code = query(resp.headers["Location"])["code"]
    r = exchange(client, rp, code, headers={**basic(rp), "DPoP": dpop(app, other, "POST", "/oidc/token")})
    assert r.get_json()["error"] == "invalid_dpop_proof"


def test_private_key_jwt(app, client, signed_in):
    key = ECKey.generate_key("P-256", parameters={"kid": "rp-1"})
    jwks = json.dumps({"keys": [key.as_dict(private=False)]})
    rp = add_client(app, "--jwks", jwks, name="Key client")
    assert "client_secret" not in rp and rp["token_endpoint_auth_method"] == "private_key_jwt"
    cb, _ = code_flow(client, rp)
    now = int(app.extensions["eid.parts"].clock.now().timestamp())
    claims = {
        "iss": rp["client_id"],
        "sub": rp["client_id"],
        "aud": f"{ISSUER}/oidc/token",
        "jti": "a-1",
        "exp": now + 60,
        "iat": now,
    }
    assertion = jwt.encode({"alg": "ES256", "kid": "rp-1"}, claims, key)
    form = {
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }
    assert exchange(client, rp, cb["code"], headers={}, **form).status_code == 200
    cb, _ = code_flow(client, rp)
    replay = exchange(client, rp, cb["code"], headers={}, **form)
    assert replay.status_code == 401 and replay.get_json()["error"] == "invalid_client"


def test_revocation_of_a_refresh_token_ends_its_family(client, rp, signed_in):
    cb, _ = code_flow(client, rp)
    body = exchange(client, rp, cb["code"]).get_json()
    assert (
        client.post("/oidc/revoke", data={"token": body["refresh_token"]}, headers=basic(rp)).status_code
        == 200
    )
    r = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert r.status_code == 401


def test_revocation_of_an_access_token_and_introspection(client, rp, signed_in):
    cb, _ = code_flow(client, rp)
    body = exchange(client, rp, cb["code"]).get_json()
    live = client.post("/oidc/introspect", data={"token": body["access_token"]}, headers=basic(rp)).get_json()
    assert live["active"] and live["acr"] == "LoA1" and live["client_id"] == rp["client_id"]
    client.post("/oidc/revoke", data={"token": body["access_token"]}, headers=basic(rp))
    dead = client.post("/oidc/introspect", data={"token": body["access_token"]}, headers=basic(rp)).get_json()
    assert dead == {"active": False}
    rt = client.post("/oidc/introspect", data={"token": body["refresh_token"]}, headers=basic(rp)).get_json()
    assert rt["active"] and rt["token_type"] == "refresh_token"
    junk = client.post("/oidc/introspect", data={"token": "junk"}, headers=basic(rp)).get_json()
    assert junk == {"active": False}


@pytest.fixture
def sent(monkeypatch):
    calls = []

    class R:
        status_code = 200

    def post(url, data=None, timeout=None, headers=None):
        calls.append((url, data["logout_token"], timeout))
        return R()

    monkeypatch.setattr("eid.oidc.backchannel.requests.post", post)
    return calls


def _logout_claims(client, token):
    keys = KeySet.import_key_set(client.get("/oidc/jwks").get_json())
    decoded = jwt.decode(token, keys, algorithms=["ES256"])
    assert decoded.header["typ"] == "logout+jwt"
    return decoded.claims


def test_signing_out_sends_a_back_channel_logout_token(client, rp, signed_in, sent):
    cb, _ = code_flow(client, rp)
    body = exchange(client, rp, cb["code"]).get_json()
    sid = jwt_parts(body["id_token"])[1]["sid"]
    page = client.get("/account").get_data(as_text=True)
    from tests.oidc.support import csrf_of

    client.post("/logout", data={"csrf_token": csrf_of(page)})
    assert [c[0] for c in sent] == ["https://rp.example/backchannel"] and sent[0][2] <= 5
    claims = _logout_claims(client, sent[0][1])
    assert claims["sid"] == sid and claims["aud"] == rp["client_id"] and "nonce" not in claims
    assert "http://schemas.openid.net/event/backchannel-logout" in claims["events"]
    r = client.post(
        "/oidc/token",
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        headers=basic(rp),
    )
    assert r.get_json()["error"] == "invalid_grant"


def test_revoking_the_web_session_from_the_phone_logs_the_relying_party_out(app, client, rp, signed_in, sent):
    from tests.flows import Phone

    cb, _ = code_flow(client, rp)
    exchange(client, rp, cb["code"])
    phone = Phone(app.test_client(), app).login(signed_in)
    sessions = phone.call("GET", "web-sessions").get_json()["sessions"]
    r = phone.call("DELETE", f"web-sessions/{sessions[0]['id']}")
    assert r.status_code == 200, r.get_json()
    assert len(sent) == 1


def test_changing_the_password_logs_every_relying_party_out(app, client, rp, signed_in, sent, clock):
    from tests.flows import STRONG
    from tests.oidc.support import csrf_of

    cb, _ = code_flow(client, rp)
    exchange(client, rp, cb["code"])
    clock.advance(seconds=30)
    page = client.get("/account/password").get_data(as_text=True)
    r = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_of(page),
            "current": STRONG,
            "password": "Nw!7-Kp#2xQz",
            "confirm": "Nw!7-Kp#2xQz",
        },
    )
    assert r.status_code == 302
    assert len(sent) == 1


def test_rp_initiated_logout_with_id_token_hint_signs_out_and_returns(client, rp, signed_in, sent):
    cb, _ = code_flow(client, rp)
    body = exchange(client, rp, cb["code"]).get_json()
    r = client.get(
        "/oidc/logout",
        query_string={
            "id_token_hint": body["id_token"],
            "state": "bye-1",
            "post_logout_redirect_uri": "https://rp.example/bye",
        },
    )
    assert r.status_code == 302 and r.headers["Location"] == "https://rp.example/bye?state=bye-1"
    assert client.get("/account").status_code == 302  # signed out
    assert len(sent) == 1


def test_rp_initiated_logout_refuses_an_unregistered_return_address(client, rp, signed_in):
    cb, _ = code_flow(client, rp)
    body = exchange(client, rp, cb["code"]).get_json()
    r = client.get(
        "/oidc/logout",
        query_string={"id_token_hint": body["id_token"], "post_logout_redirect_uri": "https://evil.example/"},
    )
    assert r.status_code == 400 and "Location" not in r.headers


def test_logout_without_a_hint_asks_first(client, rp, signed_in):
    r = client.get("/oidc/logout", query_string={"client_id": rp["client_id"]})
    assert r.status_code == 200 and 'data-testid="oidc-logout"' in r.get_data(as_text=True)
    assert client.get("/account").status_code == 200


def test_key_rotation_announces_the_next_key_before_it_signs(app, client, rp, signed_in):
    before = {k["kid"] for k in client.get("/oidc/jwks").get_json()["keys"]}
    cb, _ = code_flow(client, rp)
    old_kid = jwt_parts(exchange(client, rp, cb["code"]).get_json()["id_token"])[0]["kid"]
    r = app.test_cli_runner().invoke(args=["oidc", "keys", "rotate"])
    assert r.exit_code == 0, r.output
    new_kid = next(k for k in json.loads(r.output)["signing"] if k.startswith("es256"))
    assert new_kid in before and new_kid != old_kid  # published before it signed anything
    app.extensions["eid.oidc_keys"].invalidate()
    after = {k["kid"] for k in client.get("/oidc/jwks").get_json()["keys"]}
    assert old_kid in after  # kept until its tokens expire
    cb, _ = code_flow(client, rp)
    assert jwt_parts(exchange(client, rp, cb["code"]).get_json()["id_token"])[0]["kid"] == new_kid


def test_rs256_keys_are_published_for_older_clients(client):
    algs = {k["alg"] for k in client.get("/oidc/jwks").get_json()["keys"]}
    assert algs == {"ES256", "RS256"}


def test_client_commands_list_show_rotate_remove(app, rp):
    run = app.test_cli_runner().invoke
    listed = json.loads(run(args=["oidc", "client", "list"]).output)
    assert [c["client_id"] for c in listed] == [rp["client_id"]] and "client_secret" not in listed[0]
    shown = json.loads(run(args=["oidc", "client", "show", rp["client_id"]]).output)
    assert shown["backchannel_logout_uri"] == "https://rp.example/backchannel"
    rotated = json.loads(run(args=["oidc", "client", "rotate-secret", rp["client_id"]]).output)
    assert rotated["client_secret"] != rp["client_secret"]
    assert run(args=["oidc", "client", "remove", rp["client_id"]]).exit_code == 0
    assert run(args=["oidc", "client", "show", rp["client_id"]]).exit_code != 0


@pytest.mark.parametrize(
    "uri", ["ftp://rp.example/cb", "http://rp.example/cb", "https://rp.example/cb#frag", "not a url"]
)
def test_client_add_refuses_bad_redirect_uris(app, uri):
    r = app.test_cli_runner().invoke(args=["oidc", "client", "add", "--name", "X", "--redirect-uri", uri])
    assert r.exit_code != 0


def test_the_old_secret_stops_working_after_rotation(app, client, rp, signed_in):
    app.test_cli_runner().invoke(args=["oidc", "client", "rotate-secret", rp["client_id"]])
    cb, _ = code_flow(client, rp)
    assert exchange(client, rp, cb["code"]).status_code == 401


def test_consent_is_listed_and_revocable_on_the_account(client, rp, signed_in):
    from tests.oidc.support import csrf_of

    cb, _ = code_flow(client, rp)
    body = exchange(client, rp, cb["code"]).get_json()
    page = client.get("/account/connected-services").get_data(as_text=True)
    assert rp["client_name"] in page
    client.post(f"/account/connected-services/{rp['client_id']}/revoke", data={"csrf_token": csrf_of(page)})
    assert rp["client_name"] not in client.get("/account/connected-services").get_data(as_text=True)
    r = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert r.status_code == 401
    r = client.get("/oidc/authorize", query_string=auth_params(rp, prompt="none"))
    assert query(r.headers["Location"])["error"] == "consent_required"


def test_denying_consent_returns_access_denied(client, rp, signed_in):
    from tests.oidc.support import csrf_of

    page = client.get("/oidc/authorize", query_string=auth_params(rp)).get_data(as_text=True)
    import re

    p = re.search(r'name="p" value="([^"]+)"', page).group(1)
    r = client.post("/oidc/consent", data={"csrf_token": csrf_of(page), "p": p, "decision": "deny"})
    assert (
        r.headers["Location"].startswith(REDIRECT)
        and query(r.headers["Location"])["error"] == "access_denied"
    )
