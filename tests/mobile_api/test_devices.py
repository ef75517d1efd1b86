"""Device keys, DPoP-style proofs and rotating refresh tokens."""
from __future__ import annotations

from tests.flows import Phone, register


def test_activation_binds_the_key_and_later_calls_need_its_proof(client, app):
    d = register(client, 1)
    phone = Phone(client, app).login(d)
    assert phone.tokens["token_type"] == "DPoP"
    assert phone.call("GET", "me").status_code == 200
    r = phone.call("GET", "me", sign=False)
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_proof"


def test_a_replayed_proof_is_refused(client, app):
    d = register(client, 2)
    phone = Phone(client, app).login(d)
    h = phone.headers("GET", "/api/mobile/v1/me", jti="fixed-jti-0000000001")
    assert client.get("/api/mobile/v1/me", headers=h).status_code == 200
    r = client.get("/api/mobile/v1/me", headers=h)
    assert r.status_code == 401 and r.get_json()["error"] == "proof_replayed"


def test_a_proof_by_another_key_or_for_another_url_is_refused(client, app):
    from joserfc.jwk import ECKey

    d = register(client, 3)
    phone = Phone(client, app).login(d)
    r = phone.call("GET", "me", key=ECKey.generate_key("P-256"))
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_proof"
    h = phone.headers("GET", "/api/mobile/v1/devices")
    r = client.get("/api/mobile/v1/me", headers=h)
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_proof"


def test_a_re_signed_proof_with_tampered_claims_is_refused(client, app):
    d = register(client, 4)
    phone = Phone(client, app).login(d)
    h = phone.headers("GET", "/api/mobile/v1/me")
    head, payload, sig = h["DPoP"].split(".")
    import base64
    import json

    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["htm"] = "DELETE"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    h["DPoP"] = f"{head}.{forged}.{sig}"
    r = client.get("/api/mobile/v1/me", headers=h)
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_proof"


def test_a_stale_proof_is_refused(client, app, clock):
    d = register(client, 5)
    phone = Phone(client, app).login(d)
    from datetime import timedelta

    r = phone.call("GET", "me", now=clock.now() - timedelta(minutes=5))
    assert r.status_code == 401 and r.get_json()["error"] == "invalid_proof"


def test_refresh_rotates_and_reuse_revokes_the_family(client, app):
    d = register(client, 6)
    phone = Phone(client, app).login(d)
    first = phone.tokens["refresh_token"]
    r = phone.call("POST", "token/refresh", {"refresh_token": first}, sign=True)
    assert r.status_code == 200
    phone.tokens = r.get_json()
    assert phone.tokens["refresh_token"] != first
    r = phone.call("POST", "token/refresh", {"refresh_token": first}, sign=True)
    assert r.status_code == 401 and r.get_json()["error"] == "refresh_token_reused"
    r = phone.call("GET", "me")
    assert r.status_code == 401 and r.get_json()["error"] == "session_expired"


def test_refresh_of_a_bound_family_needs_the_device_proof(client, app):
    d = register(client, 7)
    phone = Phone(client, app).login(d)
    r = client.post("/api/mobile/v1/token/refresh", json={"refresh_token": phone.tokens["refresh_token"]})
    assert r.status_code == 401 and r.get_json()["error"] == "session_expired"


def test_access_tokens_expire_and_refresh_brings_a_new_one(client, app, clock):
    d = register(client, 8)
    phone = Phone(client, app).login(d)
    clock.advance(minutes=11)
    assert phone.call("GET", "me").status_code == 401
    r = phone.call("POST", "token/refresh", {"refresh_token": phone.tokens["refresh_token"]}, sign=True)
    phone.tokens = r.get_json()
    assert phone.call("GET", "me").status_code == 200


def test_second_phone_needs_the_old_phones_code_and_then_replaces_it(client, app):
    d = register(client, 9)
    old = Phone(client, app).login(d)
    new = Phone(client, app).login(d, activate=False)
    r = new.activate(d)
    assert r.status_code == 403 and r.get_json()["error"] == "old_device_or_chip_required"
    r = new.activate(d, transfer_code="12345678")
    assert r.status_code == 403
    code = old.call("POST", "devices/transfer-code").get_json()["code"]
    r = new.activate(d, transfer_code=code)
    assert r.status_code == 201, r.get_json()
    assert old.call("GET", "me").status_code == 401
    listed = new.call("GET", "devices").get_json()["devices"]
    assert [x["active"] for x in listed] == [True, False]
    assert listed[0]["bound_by"] == "old_device_code"


def test_sensitive_calls_need_an_activated_phone(client, app):
    d = register(client, 10)
    phone = Phone(client, app).login(d, activate=False)
    r = phone.call("POST", "devices/transfer-code")
    assert r.status_code == 403 and r.get_json()["error"] == "device_key_required"


def test_remote_deactivation_ends_that_phones_tokens(client, app):
    d = register(client, 11)
    phone = Phone(client, app).login(d)
    device_id = phone.call("GET", "devices").get_json()["devices"][0]["id"]
    assert phone.call("DELETE", f"devices/{device_id}").status_code == 200
    assert phone.call("GET", "me").status_code == 401


def test_signout_everywhere_ends_app_and_web_sessions(client, app):
    d = register(client, 12)
    phone = Phone(client, app).login(d)
    other = Phone(client, app).login(d, activate=False)
    r = phone.call("POST", "signout/everywhere")
    assert r.status_code == 200 and r.get_json()["sessions_ended"] >= 2
    assert other.call("GET", "me").status_code == 401


def test_a_signed_call_records_the_phones_last_use_at_most_once_a_minute(client, app, clock):
    from datetime import datetime, timedelta

    d = register(client, 8)
    phone = Phone(client, app).login(d)

    def last_used() -> datetime:
        r = phone.call("GET", "devices")
        assert r.status_code == 200
        (device,) = [x for x in r.get_json()["devices"] if x["active"]]
        return datetime.fromisoformat(device["last_used_at"])

    first = last_used()
    assert first == clock.now()
    clock.advance(seconds=30)
    assert last_used() == first  # within the minute: no write
    clock.advance(seconds=31)
    assert last_used() == clock.now()
    assert clock.now() - first == timedelta(seconds=61)
