"""Sign-in, sessions, recovery and password change through the mobile API."""
from __future__ import annotations

from tests.flows import API, STRONG, captcha, last_otp, register, signin, sms_to


def auth(token):  # type: ignore[no-untyped-def]
    return {"Authorization": f"Bearer {token}"}


def test_signin_with_otp_gives_a_working_token(client):
    d = register(client, 20)
    token = signin(client, d)
    me = client.get(f"{API}/me", headers=auth(token)).get_json()
    assert me["id_number"] == d.person.id_number
    assert me["level"] == 1
    assert "*" in me["phone_masked"]


def test_signin_by_old_cmnd_number_when_the_register_knows_it(client):
    from tests.flows import demo

    for n in range(21, 51):
        if demo(n).person.old_id_number:
            break
    else:
        raise AssertionError("no demo citizen has an old CMND")
    d = register(client, n)
    r = client.post(f"{API}/signin/start", json={"id_number": d.person.old_id_number,
                                                  "password": STRONG, **captcha(client)})
    assert r.status_code == 200


def test_wrong_password_and_unknown_id_get_the_same_answer(client):
    d = register(client, 22)
    a = client.post(f"{API}/signin/start", json={"id_number": d.person.id_number,
                                                  "password": "Wrong#Pass1", **captcha(client)})
    b = client.post(f"{API}/signin/start", json={"id_number": "079199000123",
                                                  "password": "Wrong#Pass1", **captcha(client)})
    assert a.status_code == b.status_code == 401
    assert a.get_json()["error"] == b.get_json()["error"] == "invalid_credentials"
    assert a.get_json()["message"] == b.get_json()["message"]


def test_repeated_failures_lock_the_account_then_it_unlocks(client, app, clock):
    d = register(client, 23)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        client.post(f"{API}/signin/start", json={"id_number": d.person.id_number,
                                                  "password": "Wrong#Pass1", **captcha(client)})
    r = client.post(f"{API}/signin/start", json={"id_number": d.person.id_number,
                                                  "password": STRONG, **captcha(client)})
    assert r.status_code == 423 and r.get_json()["error"] == "account_locked"
    clock.advance(seconds=app.config["LOGIN_LOCK_SECONDS"] + 1)
    r = client.post(f"{API}/signin/start", json={"id_number": d.person.id_number,
                                                  "password": STRONG, **captcha(client)})
    assert r.status_code == 200


def test_access_token_expires_after_ten_minutes(client, app, clock):
    d = register(client, 24)
    token = signin(client, d)
    assert client.get(f"{API}/me", headers=auth(token)).status_code == 200
    clock.advance(seconds=601)
    r = client.get(f"{API}/me", headers=auth(token))
    assert r.status_code == 401 and r.get_json()["error"] == "session_expired"


def test_every_signin_gets_a_new_token_and_sessions_can_be_revoked(client):
    d = register(client, 25)
    t1, t2 = signin(client, d), signin(client, d)
    assert t1 != t2
    listed = client.get(f"{API}/sessions", headers=auth(t2)).get_json()["app_sessions"]
    assert len(listed) == 2
    other = next(s for s in listed if not s["current"])
    assert client.delete(f"{API}/app-sessions/{other['id']}", headers=auth(t2)).status_code == 200
    assert client.get(f"{API}/me", headers=auth(t1)).status_code == 401
    assert client.get(f"{API}/me", headers=auth(t2)).status_code == 200


def test_cannot_revoke_someone_elses_session(client):
    a, b = register(client, 26), register(client, 27)
    ta, tb = signin(client, a), signin(client, b)
    sid_b = client.get(f"{API}/sessions", headers=auth(tb)).get_json()["app_sessions"][0]["id"]
    r = client.delete(f"{API}/app-sessions/{sid_b}", headers=auth(ta))
    assert r.status_code == 404
    assert client.get(f"{API}/me", headers=auth(tb)).status_code == 200


def test_new_device_signin_sends_an_sms_notice(client):
    d = register(client, 28)
    before = len(sms_to(client, d.phone))
    signin(client, d)
    kinds = [m["kind"] for m in sms_to(client, d.phone)]
    assert len(kinds) == before + 2  # the OTP and the notice
    assert "new_device_signin" in kinds


def test_forgot_password_resets_and_ends_every_session(client):
    d = register(client, 29)
    token = signin(client, d)
    r = client.post(f"{API}/password/forgot/start",
                    json={"id_number": d.person.id_number, "phone": d.phone, **captcha(client)})
    assert r.status_code == 202
    cid = r.get_json()["challenge_id"]
    assert client.post(f"{API}/password/forgot/verify",
                       json={"challenge_id": cid, "code": last_otp(client, d.phone)}).status_code == 200
    new = "Hoa-Sen#2027vn"
    r = client.post(f"{API}/password/forgot/complete",
                    json={"challenge_id": cid, "password": new, "confirm": new})
    assert r.status_code == 200
    assert client.get(f"{API}/me", headers=auth(token)).status_code == 401
    assert "password_changed" in [m["kind"] for m in sms_to(client, d.phone)]
    signin(client, d, password=new)


def test_forgot_password_with_the_wrong_phone_sends_nothing(client):
    d, other = register(client, 30), register(client, 31)
    before = len(sms_to(client, other.phone))
    r = client.post(f"{API}/password/forgot/start",
                    json={"id_number": d.person.id_number, "phone": other.phone, **captcha(client)})
    assert r.status_code == 202
    assert len(sms_to(client, other.phone)) == before


def test_change_password_from_the_phone_ends_web_sessions(client, app):
    from tests.flows import Phone

    d = register(client, 32)
    phone = Phone(client, app).login(d)
    new = "Hoa-Sen#2027vn"
    r = phone.call("POST", "password/change", {"current": "Wrong#1x", "password": new, "confirm": new})
    assert r.status_code == 400 and r.get_json()["fields"]["current"] == "password_wrong"
    r = phone.call("POST", "password/change", {"current": STRONG, "password": new, "confirm": new})
    assert r.status_code == 200
    assert phone.call("GET", "me").status_code == 200
    assert "password_changed" in [m["kind"] for m in sms_to(client, d.phone)]


def test_change_password_needs_an_activated_phone(client):
    d = register(client, 34)
    token = signin(client, d)
    r = client.post(f"{API}/password/change", headers=auth(token),
                    json={"current": STRONG, "password": "Hoa-Sen#2027vn", "confirm": "Hoa-Sen#2027vn"})
    assert r.status_code == 403 and r.get_json()["error"] == "device_key_required"


def test_signout_ends_the_token(client):
    d = register(client, 33)
    token = signin(client, d)
    assert client.post(f"{API}/signout", headers=auth(token)).status_code == 200
    assert client.get(f"{API}/me", headers=auth(token)).status_code == 401


def test_requests_without_a_token_get_not_authenticated(client):
    r = client.get(f"{API}/me")
    assert r.status_code == 401 and r.get_json()["error"] == "not_authenticated"
    r = client.get(f"{API}/me", headers=auth("forged"))
    assert r.status_code == 401


def test_openapi_document_lists_every_endpoint(client):
    spec = client.get("/api/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for p in ("/api/mobile/v1/signup/start", "/api/mobile/v1/signin/verify",
              "/api/mobile/v1/sessions/{session_id}", "/api/mobile/v1/password/change"):
        assert p in paths
    assert "requestBody" in paths["/api/mobile/v1/signup/start"]["post"]
    assert paths["/api/mobile/v1/me"]["get"]["security"] == [{"bearer": []}]


def test_unknown_api_path_is_json_404(client):
    r = client.get(f"{API}/nope")
    assert r.status_code == 404 and r.get_json()["error"] == "not_found"
