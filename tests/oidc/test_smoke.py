from tests.oidc.support import code_flow, exchange, jwt_parts


def test_code_flow_smoke(client, rp, signed_in):
    cb, params = code_flow(client, rp)
    assert cb["state"] == params["state"] and cb["iss"] == "http://localhost"
    r = exchange(client, rp, cb["code"])
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    head, idt = jwt_parts(body["id_token"])
    assert head["alg"] == "ES256" and idt["nonce"] == params["nonce"]
    u = client.get("/oidc/userinfo", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert u.status_code == 200, u.get_json()
    assert u.get_json()["name"]
