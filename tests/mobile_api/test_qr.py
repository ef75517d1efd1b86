"""Desktop QR login: the full exchange and every attack in qr-login.md."""
from __future__ import annotations

import re

import pytest

from tests.flows import BufferedFlows, Desktop, Phone, approval, register


@pytest.fixture
def phone(app):  # type: ignore[no-untyped-def]
    client = BufferedFlows.client(app)
    d = register(client, 1)
    return Phone(client, app).login(d)


def scan(phone, desktop):  # type: ignore[no-untyped-def]
    r = phone.call("POST", "qr-login/scan", {"uri": desktop.uri})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_approved_desktop_is_signed_in_and_learns_no_personal_data(app, phone):
    desk = Desktop(app)
    assert desk.start().status_code == 200
    assert desk.status().get_json() == {"tx": desk.tx, "state": "pending"}
    scanned = scan(phone, desk)
    ctx = scanned["context"]
    assert ctx["browser"] and ctx["os"] and ctx["service"] and len(ctx["numbers"]) == 3
    st = desk.status().get_json()
    assert st["state"] == "scanned" and st["number"] in ctx["numbers"]
    assert set(st) == {"tx", "state", "number"}  # no name, no ID, no phone
    r = phone.call("POST", "qr-login/decision", approval(phone, scanned, st["number"]))
    assert r.status_code == 200 and r.get_json()["state"] == "approved"
    # development and test say when the event was pushed (the QR benchmark reads it)
    assert re.fullmatch(r"emit;dur=\d+\.\d{3}", r.headers["Server-Timing"])
    st = desk.status().get_json()
    assert st["state"] == "approved" and set(st) == {"tx", "state", "redeem_code"}
    r = desk.redeem(st["redeem_code"])
    assert r.status_code == 200
    assert desk.c.get("/account").status_code == 200
    assert "eid_session" in r.headers.get("Set-Cookie", "")


def test_the_desktop_must_prove_its_key_with_the_nonce(app):
    desk = Desktop(app)
    r = desk.post("/login/qr/start", {"jwk": desk.jwk, "signature": desk.sign("another nonce")})
    assert r.status_code == 401 and r.get_json()["error"] == "bad_signature"


def test_second_scan_is_refused_and_flagged(app, phone):
    desk = Desktop(app)
    desk.start()
    scan(phone, desk)
    r = phone.call("POST", "qr-login/scan", {"uri": desk.uri})
    assert r.status_code == 409 and r.get_json()["error"] == "already_scanned"
    with app.app_context():
        from eid.web.qr_wiring import store_for

        assert any(f.startswith("second_scan") for f in store_for(app).get(desk.tx)["flags"])


def test_rotated_qr_is_dead_and_rotation_is_capped(app, phone):
    desk = Desktop(app)
    desk.start()
    old = desk.uri
    assert desk.rotate().status_code == 200 and desk.uri != old
    r = phone.call("POST", "qr-login/scan", {"uri": old})
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_qr"
    for _ in range(app.config["QR_MAX_ROTATIONS"] - 2):
        assert desk.rotate().status_code == 200
    r = desk.rotate()
    assert r.status_code == 410 and r.get_json()["error"] == "rotation_limit"


def test_expired_qr_and_transaction(app, phone, clock):
    desk = Desktop(app)
    desk.start()
    clock.advance(seconds=app.config["QR_TTL_SECONDS"] + 1)
    r = phone.call("POST", "qr-login/scan", {"uri": desk.uri})
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_qr"
    clock.advance(seconds=app.config["QR_LIFETIME_SECONDS"])
    assert desk.status().get_json()["state"] == "expired"
    r = phone.call("POST", "qr-login/scan", {"uri": desk.uri})
    assert r.status_code == 410 and r.get_json()["error"] == "expired"


def test_wrong_number_denies_the_sign_in(app, phone):
    desk = Desktop(app)
    desk.start()
    scanned = scan(phone, desk)
    right = desk.status().get_json()["number"]
    wrong = next(n for n in scanned["context"]["numbers"] if n != right)
    r = phone.call("POST", "qr-login/decision", approval(phone, scanned, wrong))
    assert r.get_json()["state"] == "denied" and r.get_json()["reason"] == "wrong_number"
    assert desk.status().get_json()["state"] == "denied"


def test_deny_and_i_did_not_start_this(app, phone):
    desk = Desktop(app)
    desk.start()
    scanned = scan(phone, desk)
    r = phone.call("POST", "qr-login/decision", approval(phone, scanned, 10, decision="deny"))
    assert r.get_json()["state"] == "denied"
    desk2 = Desktop(app)
    desk2.start()
    scan(phone, desk2)
    r = phone.call("POST", "qr-login/report", {"tx": desk2.tx})
    assert r.get_json()["reason"] == "reported"
    assert desk2.status().get_json()["state"] == "denied"


def test_replayed_approval_is_refused(app, phone):
    desk = Desktop(app)
    desk.start()
    scanned = scan(phone, desk)
    body = approval(phone, scanned, desk.status().get_json()["number"])
    assert phone.call("POST", "qr-login/decision", body).status_code == 200
    r = phone.call("POST", "qr-login/decision", body)
    assert r.status_code == 409 and r.get_json()["error"] == "replayed"


@pytest.mark.parametrize("tamper", ["signature", "other_key", "thumbprint", "context", "audience",
                                    "stale", "not_canonical"])
def test_forged_or_unbound_approvals_are_refused(app, phone, tamper, clock):
    from cryptography.hazmat.primitives.asymmetric import ec

    desk = Desktop(app)
    desk.start()
    scanned = scan(phone, desk)
    n = desk.status().get_json()["number"]
    over = {"thumbprint": {"thumbprint": "A" * 43}, "context": {"context_hash": "B" * 43},
            "audience": {"aud": "https://evil.example"},
            "stale": {"iat": int(clock.now().timestamp()) - 600}}.get(tamper, {})
    if tamper == "other_key":
        over = {"_key": ec.generate_private_key(ec.SECP256R1())}
    body = approval(phone, scanned, n, **over)
    if tamper == "signature":
        body["signature"] = body["signature"][:-4] + "AAAA"
    if tamper == "not_canonical":
        body["approval"] = body["approval"].replace(",", ", ", 1)
    r = phone.call("POST", "qr-login/decision", body)
    assert 400 <= r.status_code < 500, r.get_json()
    assert r.get_json()["error"] in ("bad_signature", "thumbprint_mismatch", "bad_state", "stale")
    assert desk.status().get_json()["state"] == "scanned"


def test_unsigned_or_unbound_phone_cannot_scan(app, phone):
    desk = Desktop(app)
    desk.start()
    r = phone.call("POST", "qr-login/scan", {"uri": desk.uri}, sign=False)
    assert r.status_code == 401
    client = BufferedFlows.client(app)
    d = register(client, 2)
    unbound = Phone(client, app).login(d, activate=False)
    r = unbound.call("POST", "qr-login/scan", {"uri": desk.uri})
    assert r.status_code == 403 and r.get_json()["error"] == "device_key_required"


def test_revoked_device_cannot_approve(app, phone):
    desk = Desktop(app)
    desk.start()
    scanned = scan(phone, desk)
    device_id = phone.call("GET", "devices").get_json()["devices"][0]["id"]
    phone.call("DELETE", f"devices/{device_id}")
    r = phone.call("POST", "qr-login/decision", approval(phone, scanned, 10))
    assert r.status_code == 401


def test_redeem_needs_the_desktops_cookie_and_key(app, phone):
    from cryptography.hazmat.primitives.asymmetric import ec

    desk = Desktop(app)
    desk.start()
    scanned = scan(phone, desk)
    phone.call("POST", "qr-login/decision", approval(phone, scanned, desk.status().get_json()["number"]))
    code = desk.status().get_json()["redeem_code"]
    thief = Desktop(app)  # another browser: other cookie
    thief.tx = desk.tx
    r = thief.redeem(code, key=desk.key)
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_qr"
    r = desk.redeem(code, key=ec.generate_private_key(ec.SECP256R1()))
    assert r.status_code == 401 and r.get_json()["error"] == "bad_signature"
    r = desk.redeem("x" + code[1:])
    assert r.status_code == 403 and r.get_json()["error"] == "redeem_invalid"
    assert desk.redeem(code).status_code == 200
    page = desk.c.get("/account").get_data(as_text=True)  # signed in: a fresh CSRF token
    desk.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = desk.redeem(code)
    assert r.status_code == 403 and r.get_json()["error"] == "redeem_invalid"  # no double login


def test_guessing_transaction_ids_gets_nothing(app, phone):
    desk = Desktop(app)
    desk.start()
    from eid.qr_login.tokens import QrPayload, build_uri

    guess = build_uri(QrPayload("A" * 24, "B" * 22, "C" * 43))
    r = phone.call("POST", "qr-login/scan", {"uri": guess})
    assert r.status_code == 400 and r.get_json()["error"] == "invalid_qr"
    desk.tx = "A" * 24
    assert desk.status().get_json()["error"] == "invalid_qr"


def test_redeem_without_csrf_header_is_refused(app, phone):
    desk = Desktop(app)
    desk.start()
    r = desk.c.post("/login/qr/redeem", json={"tx": desk.tx, "code": "x", "signature": "y"})
    assert r.status_code == 400 and r.get_json()["error"] == "csrf_failed"


def test_web_login_switch_and_session_revoke_from_the_phone(app, phone):
    assert phone.call("PUT", "settings/web-login", {"enabled": False}).status_code == 200
    desk = Desktop(app)
    desk.start()
    r = phone.call("POST", "qr-login/scan", {"uri": desk.uri})
    assert r.status_code == 403 and r.get_json()["error"] == "web_login_disabled"
    phone.call("PUT", "settings/web-login", {"enabled": True})
    scanned = scan(phone, desk)
    phone.call("POST", "qr-login/decision", approval(phone, scanned, desk.status().get_json()["number"]))
    desk.redeem(desk.status().get_json()["redeem_code"])
    listed = phone.call("GET", "web-sessions").get_json()["sessions"]
    qr_session = next(s for s in listed if s["kind"] == "qr")
    assert qr_session["place"] and qr_session["user_agent"]
    assert phone.call("DELETE", f"web-sessions/{qr_session['id']}").status_code == 200
    assert desk.c.get("/account").status_code == 302


def test_step_up_required_is_a_distinct_state(app, phone):
    app.config["QR_REQUIRED_LEVEL"] = 2
    desk = Desktop(app)
    desk.start()
    scanned = scan(phone, desk)
    r = phone.call("POST", "qr-login/decision", approval(phone, scanned, desk.status().get_json()["number"]))
    assert r.get_json()["reason"] == "step_up_required"
    assert desk.status().get_json()["state"] == "step_up_required"


def test_the_desktop_is_told_only_after_the_state_is_committed(app, phone, monkeypatch):
    """The browser redeems as soon as it hears "approved": the approval must already be
    visible to any other connection (another worker) by then."""
    from sqlalchemy import select

    from eid.models.qr import QrLoginTx
    from eid.web import socket_emit

    seen: list[tuple[str, str]] = []

    def record(tx_id, event):  # type: ignore[no-untyped-def]
        with app.extensions["eid.engine"].connect() as conn:  # a separate connection
            state = conn.execute(select(QrLoginTx.state).where(QrLoginTx.id == tx_id)).scalar_one()
        seen.append((event["state"], state))

    monkeypatch.setattr(socket_emit, "notify_desktop", record)
    desk = Desktop(app)
    desk.start()
    scanned = scan(phone, desk)
    phone.call("POST", "qr-login/decision", approval(phone, scanned, desk.status().get_json()["number"]))
    assert seen == [("scanned", "scanned"), ("approved", "approved")]
