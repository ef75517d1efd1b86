"""Malformed requests answer 4xx with ``{"error", "message"}`` (pages: the error page),
never a 500: the security review's 48 requests and their neighbours, on SQLite and on
PostgreSQL (where a NUL in a text was a server error).

Text: unpaired surrogates, NUL and control characters in each field the review named
(``eid.mobile_api.schemas.Text`` in the phone API, ``eid.web.input_guard`` everywhere
else); JSON nested 100,000 deep; ids past 64 bits in every ``<int:...>`` path and in
``dependent_id``; wrong types, empty bodies, other content types.
"""
from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any

import pytest

from tests.flows import API, BufferedFlows, qr_socket_client
from tests.mobile_api.backends import backend, fresh_limits, phone

__all__ = ["backend", "fresh_limits", "phone"]  # fixtures

SUR, NUL, ESC = "\ud800", "\x00", "\x1b"
HUGE = "99999999999999999999"  # 20 digits: past 2**64
DEEP_ARRAYS = "[" * 100_000 + "]" * 100_000
DEEP_OBJECTS = '{"a":' * 100_000 + "1" + "}" * 100_000


def j(**fields: Any) -> str:
    """A JSON body as a client would send it (a lone surrogate travels as ``\\ud800``)."""
    return json.dumps(fields)


CAPTCHA = {"captcha_id": "c" * 20, "captcha": "ABCDE"}


@dataclass(frozen=True)
class Bad:
    method: str
    path: str  # under /api/mobile/v1 unless it starts with "/"
    body: str | bytes | None = None
    content_type: str | None = "application/json"
    auth: bool = False
    status: int = 400
    error: str = "invalid_input"
    field: str | None = None


API_CASES: dict[str, Bad] = {
    # an unpaired surrogate in each field the review named, and its neighbours
    "surrogate-in-signup-challenge-id": Bad("POST", "signup/verify", j(challenge_id=SUR, code="1"),
                                            field="challenge_id"),
    "surrogate-in-signin-challenge-id": Bad("POST", "signin/verify", j(challenge_id=SUR, code="1"),
                                            field="challenge_id"),
    "surrogate-in-reset-challenge-id": Bad("POST", "password/forgot/verify",
                                           j(challenge_id=SUR, code="1"), field="challenge_id"),
    "surrogate-in-mobile-challenge-id": Bad("POST", "signin/mobile/verify",
                                            j(challenge_id=SUR, code="1"), field="challenge_id"),
    "surrogate-in-registration-id": Bad("POST", "register/confirm", j(registration_id=SUR),
                                        field="registration_id"),
    "surrogate-in-registration-id-of-card-qr": Bad("POST", "register/qr",
                                                   j(registration_id=SUR, qr_text="x"),
                                                   field="registration_id"),
    "surrogate-in-refresh-token": Bad("POST", "token/refresh", j(refresh_token=SUR),
                                      field="refresh_token"),
    "surrogate-in-password": Bad("POST", "signin/start",
                                 j(id_number="001099012345", password=SUR, **CAPTCHA), field="password"),
    "surrogate-in-new-password": Bad("POST", "signup/complete",
                                     j(challenge_id="x", password=SUR, confirm=SUR), field="password"),
    "surrogate-in-captcha-id": Bad("POST", "signin/start",
                                   j(id_number="001099012345", password="p", captcha_id=SUR,
                                     captcha="ABCDE"), field="captcha_id"),
    "surrogate-in-captcha-answer": Bad("POST", "signin/mobile/start",
                                       j(phone="0912345678", captcha_id="c", captcha=SUR),
                                       field="captcha"),
    "surrogate-in-qr-tx-of-report": Bad("POST", "qr-login/report", j(tx=SUR), auth=True, field="tx"),
    "surrogate-in-approval": Bad("POST", "qr-login/decision", j(approval=SUR, signature="s"),
                                 auth=True, field="approval"),
    "surrogate-in-scanned-uri": Bad("POST", "qr-login/scan", j(uri=SUR), auth=True, field="uri"),
    "surrogate-in-current-password": Bad("POST", "password/change",
                                         j(current=SUR, password="p", confirm="p"), auth=True,
                                         field="current"),
    "surrogate-in-device-name": Bad("POST", "devices/activate/complete",
                                    j(challenge_id="x", code="1", name=SUR, platform="android"),
                                    auth=True, field="name"),
    "surrogate-in-chip-file": Bad("POST", "chip/sessions/x/read", j(files={"DG1": SUR}), auth=True,
                                  field="files"),
    # NUL and other control characters (PostgreSQL refuses NUL in any text)
    "nul-in-full-name": Bad("POST", "signup/start",
                            j(id_number="001099012345", full_name="A" + NUL, birth_date="01/01/1990",
                              phone="0912345678", **CAPTCHA), field="full_name"),
    "nul-in-id-number": Bad("POST", "register/start", j(id_number=NUL, phone="0912345678"),
                            field="id_number"),
    "nul-in-phone": Bad("POST", "password/forgot/start",
                        j(id_number="001099012345", phone="09" + NUL, **CAPTCHA), field="phone"),
    "nul-in-company-id": Bad("POST", "act-as", j(company_id=NUL), auth=True, field="company_id"),
    "nul-in-dependent-id-number": Bad("POST", "dependents", j(id_number=NUL, birth_date="x"),
                                      auth=True, field="id_number"),
    "nul-in-chip-session-path": Bad("POST", "chip/sessions/%00/read", j(files={}), auth=True,
                                    field="session_id"),
    "escape-in-registration-id": Bad("POST", "register/resend", j(registration_id="a" + ESC),
                                     field="registration_id"),
    "delete-in-otp-code": Bad("POST", "signup/verify", j(challenge_id="x", code="1\x7f"), field="code"),
    # ids past 64 bits: no such row, so 404 (they were OverflowErrors)
    "huge-session-id": Bad("DELETE", f"sessions/{HUGE}", None, None, auth=True, status=404,
                           error="not_found"),
    "huge-web-session-id": Bad("DELETE", f"web-sessions/{HUGE}", None, None, auth=True, status=404,
                               error="not_found"),
    "huge-device-id": Bad("DELETE", f"devices/{HUGE}", None, None, auth=True, status=404,
                          error="not_found"),
    "huge-app-session-id": Bad("DELETE", f"app-sessions/{HUGE}", None, None, auth=True, status=404,
                               error="not_found"),
    "5000-digit-session-id": Bad("DELETE", "sessions/" + "9" * 5000, None, None, auth=True,
                                 status=404, error="not_found"),
    "session-id-2-to-the-31": Bad("DELETE", f"sessions/{2**31}", None, None, auth=True, status=404,
                                  error="not_found"),
    "largest-session-id-is-just-not-found": Bad("DELETE", f"sessions/{2**31 - 1}", None, None,
                                                auth=True, status=404, error="not_found"),
    "dependent-id-2-to-the-31": Bad("POST", "act-as", j(dependent_id=2**31), auth=True,
                                    field="dependent_id"),
    "huge-dependent-id": Bad("POST", "act-as", j(dependent_id=10**30), auth=True, field="dependent_id"),
    "infinite-dependent-id": Bad("POST", "act-as", '{"dependent_id": 1e400}', auth=True,
                                 field="dependent_id"),
    "negative-dependent-id": Bad("POST", "act-as", j(dependent_id=-1), auth=True, field="dependent_id"),
    # wrong types
    "dependent-id-as-text": Bad("POST", "act-as", j(dependent_id="5"), auth=True, field="dependent_id"),
    "dependent-id-as-boolean": Bad("POST", "act-as", j(dependent_id=True), auth=True,
                                   field="dependent_id"),
    "password-as-number": Bad("POST", "signin/start",
                              j(id_number="001099012345", password=123, **CAPTCHA), field="password"),
    "confirm-as-text": Bad("POST", "signin/mobile/finish", j(challenge_id="x", confirm="maybe"),
                           field="confirm"),
    "confirm-as-yes": Bad("POST", "signin/mobile/finish", j(challenge_id="x", confirm="yes"),
                          field="confirm"),
    "web-login-switch-as-1": Bad("PUT", "settings/web-login", j(enabled=1), auth=True, field="enabled"),
    "chip-files-as-list": Bad("POST", "chip/sessions/x/read", j(files=[]), auth=True, field="files"),
    "unknown-field": Bad("POST", "register/start", j(id_number="1", phone="2", admin=True),
                         field="admin"),
    "body-is-a-list": Bad("POST", "register/start", "[]", field="body"),
    "body-is-a-string": Bad("POST", "register/start", '"register me"', field="body"),
    # nesting: refused before the parser recurses
    "arrays-100000-deep": Bad("POST", "signup/start", DEEP_ARRAYS, field="body"),
    "objects-100000-deep": Bad("POST", "register/qr", DEEP_OBJECTS, field="body"),
    "arrays-33-deep-in-a-field": Bad("POST", "register/start",
                                     '{"id_number": ' + "[" * 33 + "]" * 33 + "}", field="body"),
    # empty, broken or not JSON at all
    "empty-json-body": Bad("POST", "register/start", "", field="body"),
    "no-body-no-content-type": Bad("POST", "register/start", None, None, field="body"),
    "text-plain-body": Bad("POST", "register/start", j(id_number="1", phone="2"), "text/plain",
                           field="body"),
    "form-encoded-body": Bad("POST", "register/start", "id_number=1&phone=2",
                             "application/x-www-form-urlencoded", field="body"),
    "truncated-json": Bad("POST", "register/start", '{"id_number": ', field="body"),
    "not-utf-8": Bad("POST", "register/start", b'{"id_number": "\xff\xfe"}', field="body"),
    "5000-digit-integer": Bad("POST", "act-as", '{"dependent_id": ' + "9" * 5000 + "}", auth=True,
                              field="body"),
}


# ---------------------------------------------------------------- the requests

def send(app: Any, phone: Any, case: Bad) -> Any:
    path = case.path if case.path.startswith("/") else f"{API}/{case.path}"
    client = phone.c if case.auth else BufferedFlows.client(app)
    headers = phone.headers(case.method, path.split("?")[0]) if case.auth else {}
    kw: dict[str, Any] = {"method": case.method, "headers": headers}
    if case.body is not None:
        kw["data"] = case.body
    if case.content_type is not None:
        kw["content_type"] = case.content_type
    return client.open(path, **kw)


def assert_refused(r: Any, status: int, error: str, field: str | None = None) -> None:
    text = r.get_data(as_text=True)
    assert r.status_code == status, text[:500]
    if r.mimetype == "application/json":
        body = r.get_json()
        assert body["error"] == error and body["message"], body
        if field is not None:
            assert field in body.get("fields", {}), body
            assert field in body["message"] or field == "body", body
    else:
        assert f'data-code="{error}"' in text, text[:500]


@pytest.mark.usefixtures("fresh_limits")
@pytest.mark.parametrize("name", list(API_CASES))
def test_malformed_phone_api_request_is_refused_without_server_error(backend, phone, name):
    case = API_CASES[name]
    started = time.perf_counter()
    r = send(backend, phone, case)
    assert_refused(r, case.status, case.error, case.field)
    assert time.perf_counter() - started < 2.0


@pytest.mark.usefixtures("fresh_limits")
def test_a_body_nested_100000_deep_is_refused_at_once(backend, phone):
    started = time.perf_counter()
    r = send(backend, phone, API_CASES["arrays-100000-deep"])
    assert r.get_json()["fields"] == {"body": "body_too_deep"}
    assert time.perf_counter() - started < 0.5


@pytest.mark.usefixtures("fresh_limits")
def test_the_phone_still_works_after_the_bad_requests(backend, phone):
    """Nothing half-written, no session left in a failed transaction (PostgreSQL)."""
    for name in ("nul-in-company-id", "huge-session-id", "nul-in-full-name"):
        assert send(backend, phone, API_CASES[name]).status_code in (400, 404)
    r = phone.call("GET", "me")
    assert r.status_code == 200, r.get_json()


# ---------------------------------------------------------------- pages, desk, desktop QR calls

def csrf_of(client: Any) -> str:
    page = client.get("/login?tab=password").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


PAGE_CASES: dict[str, tuple[str, str, dict[str, Any], int, str]] = {
    # name: method, path, extra arguments for the test client, status, error code
    "nul-in-sign-in-form": ("POST", "/login", {"data": {"id_number": NUL, "password": "p"}}, 400,
                            "invalid_input"),
    "nul-in-sign-up-form": ("POST", "/register", {"data": {"full_name": "A" + NUL}}, 400,
                            "invalid_input"),
    "escape-in-otp-form": ("POST", "/login/otp", {"data": {"code": ESC}}, 400, "invalid_input"),
    "nul-in-desk-search": ("GET", "/desk/?id_number=%00", {}, 400, "invalid_input"),
    "control-in-language": ("GET", "/?lang=v%01i", {}, 400, "invalid_input"),
    "nul-in-form-field-name": ("POST", "/forgot", {"data": {"id\x00number": "1"}}, 400,
                               "invalid_input"),
    "nul-in-dev-captcha-path": ("GET", "/dev/captcha/%00", {}, 400, "invalid_input"),
    "huge-web-session-revoke": ("POST", f"/account/sessions/{HUGE}/revoke", {}, 404, "not_found"),
    "huge-desk-upgrade": ("POST", f"/desk/upgrade/{HUGE}", {}, 404, "not_found"),
    "nul-in-qr-status-query": ("GET", "/login/qr/status?tx=%00",
                               {"headers": {"Accept": "application/json"}}, 400, "invalid_input"),
    "surrogate-in-qr-rotate": ("POST", "/login/qr/rotate",
                               {"data": j(tx=SUR), "content_type": "application/json"}, 400,
                               "invalid_input"),
    "nul-in-qr-redeem-code": ("POST", "/login/qr/redeem",
                              {"data": j(tx="t", code=NUL, signature="s"),
                               "content_type": "application/json"}, 400, "invalid_input"),
    "surrogate-in-qr-start-key": ("POST", "/login/qr/start",
                                  {"data": j(jwk={"kty": "EC", "x": SUR}, signature="s"),
                                   "content_type": "application/json"}, 400, "invalid_input"),
    "qr-start-100000-deep": ("POST", "/login/qr/start",
                             {"data": DEEP_OBJECTS, "content_type": "application/json"}, 400,
                             "invalid_input"),
    "nul-in-user-agent": ("GET", "/login", {"headers": {"User-Agent": "x\x00y"}}, 400,
                          "invalid_input"),
}


@pytest.mark.usefixtures("fresh_limits")
@pytest.mark.parametrize("name", list(PAGE_CASES))
def test_malformed_page_or_desktop_request_is_refused_without_server_error(backend, name):
    method, path, kw, status, error = PAGE_CASES[name]
    client = BufferedFlows.client(backend)
    token = csrf_of(client)
    kw = dict(kw)
    headers = kw.pop("headers", {})
    if method == "POST":
        headers = {"X-CSRF-Token": token, **headers}
    if isinstance(kw.get("data"), dict):
        kw["data"] = {**kw["data"], "csrf_token": token}
    r = client.open(path, method=method, headers=headers, **kw)
    assert_refused(r, status, error)


@pytest.mark.usefixtures("fresh_limits")
def test_a_page_names_the_refused_field_in_words(backend):
    client = BufferedFlows.client(backend)
    token = csrf_of(client)
    r = client.post("/login", data={"csrf_token": token, "id_number": "0010" + NUL})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and r.mimetype == "text/html"
    assert "id_number" in page and "NUL" in page
    assert 'data-testid="error-page"' in page


@pytest.mark.usefixtures("fresh_limits")
def test_the_nul_cookie_is_refused(backend):
    client = BufferedFlows.client(backend)
    client.set_cookie("eid_browser", "b\x00")
    r = client.get("/login")
    assert_refused(r, 400, "invalid_input")


# ---------------------------------------------------------------- the one rule, where it lives

def request_schemas() -> list[Any]:
    from eid.mobile_api import schemas as S

    return [obj for obj in vars(S).values() if isinstance(obj, type) and issubclass(obj, S.Strict)]


def leaf_fields(field: Any) -> Any:
    from marshmallow import fields

    if isinstance(field, fields.Dict):
        yield from leaf_fields(field.key_field)
        yield from leaf_fields(field.value_field)
    elif isinstance(field, fields.List):
        yield from leaf_fields(field.inner)
    elif field is not None:
        yield field


@pytest.mark.parametrize("schema", request_schemas(), ids=lambda s: s.__name__)
def test_every_request_field_is_one_of_the_guarded_kinds(schema):
    """A plain String, Integer or Boolean would let the bad input back in."""
    from marshmallow import fields

    from eid.mobile_api import schemas as S

    for name, field in schema().fields.items():
        for leaf in leaf_fields(field):
            if isinstance(leaf, fields.String):
                assert isinstance(leaf, S.Text), f"{schema.__name__}.{name}"
            elif isinstance(leaf, fields.Integer):
                assert isinstance(leaf, S.Int), f"{schema.__name__}.{name}"
            elif isinstance(leaf, fields.Boolean):
                assert isinstance(leaf, S.Bool), f"{schema.__name__}.{name}"


@pytest.mark.parametrize(("text", "reason"), [
    ("a\x00b", "NUL"), ("\ud800", "surrogate"), ("\udfff", "surrogate"), ("\x1b[2J", "control"),
    ("\x7f", "control"), ("\x85", "control"), ("\x08", "control")])
def test_text_field_refuses_nul_controls_and_unpaired_surrogates(text, reason):
    from marshmallow import ValidationError

    from eid.mobile_api import schemas as S

    with pytest.raises(ValidationError) as err:
        S.ChallengeRef().load({"challenge_id": text})
    assert reason in err.value.messages["challenge_id"][0]


@pytest.mark.parametrize("text", ["Nguyễn Văn An", "line\nbreak\ttab\r", "😀 🇻🇳", "", "ﻛﺎﺭﺕ ملی"])
def test_text_field_keeps_every_printable_text_and_tab_and_newlines(text):
    from eid.mobile_api import schemas as S

    assert S.ChallengeRef().load({"challenge_id": text}) == {"challenge_id": text}


@pytest.mark.parametrize("value", [True, 1.0, "7", 2**31, 0, None])
def test_int_field_takes_only_json_integers_in_the_id_range(value):
    from marshmallow import ValidationError

    from eid.mobile_api import schemas as S

    if value is None:
        assert S.ActAsIn().load({"dependent_id": None}) == {"dependent_id": None, "company_id": None}
        return
    with pytest.raises(ValidationError):
        S.ActAsIn().load({"dependent_id": value})


@pytest.mark.parametrize("value", ["true", 1, "yes", None, []])
def test_bool_field_takes_only_json_booleans(value):
    from marshmallow import ValidationError

    from eid.mobile_api import schemas as S

    with pytest.raises(ValidationError):
        S.WebLoginIn().load({"enabled": value})
    assert S.WebLoginIn().load({"enabled": False}) == {"enabled": False}


@pytest.mark.parametrize(("text", "deep"), [
    ("[" * 32 + "]" * 32, False),
    ("[" * 33 + "]" * 33, True),
    ('{"a": "' + "[" * 100 + '"}', False),            # brackets inside a string do not count
    ('{"a": "\\"' + "[" * 100 + '"}', False),         # nor after an escaped quote
    ('{"a": "\\\\", "b": ' + "[" * 33 + "]" * 33 + "}", True),  # an escaped backslash ends it
    ('"' + "[" * 50, True),                          # an unterminated string: counted, refused
])
def test_json_depth_is_measured_outside_strings(text, deep):
    from eid.web.input_guard import json_depth_exceeds

    assert json_depth_exceeds(text) is deep


def test_the_depth_check_of_a_huge_body_takes_milliseconds():
    from eid.web.input_guard import JsonTooDeep, loads

    started = time.perf_counter()
    with pytest.raises(JsonTooDeep):
        loads(("[" * 1_000_000).encode())
    assert loads(b'{"image": "' + b"A" * 8_000_000 + b'"}')["image"][:1] == "A"
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(("path", "session_id"), [
    ("/api/mobile/v1/sessions/0", 0), ("/api/mobile/v1/sessions/2147483647", 2**31 - 1),
    ("/api/mobile/v1/sessions/" + "0" * 30 + "1", 1), ("/api/mobile/v1/sessions/2147483648", None),
    ("/api/mobile/v1/sessions/" + "9" * 5000, None), ("/api/mobile/v1/sessions/\u0663", None),
    ("/api/mobile/v1/sessions/-1", None)])
def test_int_routes_match_only_ascii_ids_in_range(app, path, session_id):
    from werkzeug.exceptions import NotFound

    adapter = app.url_map.bind("localhost")
    if session_id is None:
        with pytest.raises(NotFound):
            adapter.match(path, method="DELETE")
    else:
        assert adapter.match(path, method="DELETE") == ("mobile_api.revoke_session",
                                                         {"session_id": session_id})


@pytest.mark.usefixtures("fresh_limits")
@pytest.mark.parametrize(("event", "data", "field"), [
    ("rotate", {"tx": SUR}, "tx"),
    ("rotate", {"tx": "a" + NUL}, "tx"),
    ("start", {"jwk": {"kty": "EC", "x": SUR}, "signature": "s"}, "jwk.x"),
    ("start", {"jwk": {"kty": "EC"}, "signature": "s", "\x00": 1}, "\\u0000"),
])
def test_bad_text_in_a_socket_event_is_refused_like_in_a_request(backend, event, data, field):
    client = BufferedFlows.client(backend)
    client.get("/login")
    sock = qr_socket_client(backend, client)
    try:
        answer = sock.emit(event, data, namespace="/qr-login", callback=True)
    finally:
        sock.disconnect(namespace="/qr-login")
    assert answer["error"] == "invalid_input" and field in answer["message"], answer
