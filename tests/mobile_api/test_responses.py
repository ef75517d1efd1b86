"""The shared serialisers: one session list for ``/sessions`` and ``/web-sessions``."""
from __future__ import annotations

from datetime import timedelta

from eid.mobile_api.responses import session_list_json
from eid.models.accounts import WebSession
from eid.models.devices import TokenFamily
from tests.conftest import START
from tests.flows import BufferedFlows, Desktop, Phone, approval, register

CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/126.0.0.0 Safari/537.36")


def web_session(**over):  # type: ignore[no-untyped-def]
    fields = {"id": 3, "kind": "qr", "created_at": START, "last_seen_at": START + timedelta(minutes=5),
              "ip": "127.0.0.1", "user_agent": CHROME}
    return WebSession(**{**fields, **over})


def family(fid, **over):  # type: ignore[no-untyped-def]
    return TokenFamily(**{"id": fid, "device_id": None, "act": None, "created_at": START, **over})


def test_the_session_list_has_the_browsers_and_the_app_signins_marking_the_callers_own():
    listed = session_list_json([web_session()], [family(8, device_id=2), family(7)],
                               current_family_id=7)
    assert listed == {
        "sessions": [{"id": 3, "kind": "qr", "created_at": START.isoformat(),
                      "last_seen_at": (START + timedelta(minutes=5)).isoformat(), "ip": "127.0.0.1",
                      "user_agent": CHROME, "current": False}],
        "app_sessions": [
            {"id": 8, "kind": "app", "created_at": START.isoformat(), "device_id": 2, "act": None,
             "current": False},
            {"id": 7, "kind": "app", "created_at": START.isoformat(), "device_id": None, "act": None,
             "current": True}]}


def test_the_described_list_reads_the_browser_and_the_place_and_lists_no_app_signins():
    listed = session_list_json([web_session()], described=True)
    assert listed == {"sessions": [{
        "id": 3, "kind": "qr", "created_at": START.isoformat(),
        "last_seen_at": (START + timedelta(minutes=5)).isoformat(), "ip": "127.0.0.1",
        "place": "Local network", "user_agent": "Chrome 126 · Windows", "current": False}]}


def test_an_app_signin_acting_for_someone_shows_whom():
    act = {"kind": "company", "company_id": "0101234567"}
    listed = session_list_json([], [family(5, act=act)], current_family_id=None)
    assert listed == {"sessions": [], "app_sessions": [
        {"id": 5, "kind": "app", "created_at": START.isoformat(), "device_id": None, "act": act,
         "current": False}]}


def test_both_endpoints_list_the_same_browser_session(app):
    phone = Phone(BufferedFlows.client(app), app).login(register(BufferedFlows.client(app), 1))
    desk = Desktop(app)
    desk.start()
    scanned = phone.call("POST", "qr-login/scan", {"uri": desk.uri}).get_json()
    phone.call("POST", "qr-login/decision", approval(phone, scanned, desk.status().get_json()["number"]))
    assert desk.redeem(desk.status().get_json()["redeem_code"]).status_code == 200

    plain = phone.call("GET", "sessions").get_json()["sessions"]
    described = phone.call("GET", "web-sessions").get_json()["sessions"]
    assert [s["id"] for s in plain] == [s["id"] for s in described] and plain
    same = ("id", "kind", "created_at", "last_seen_at", "ip", "current")
    assert [{k: s[k] for k in same} for s in plain] == [{k: s[k] for k in same} for s in described]
    assert all("place" not in s for s in plain) and all(s["place"] for s in described)
