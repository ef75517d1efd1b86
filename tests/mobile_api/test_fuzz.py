"""Schema-driven fuzzing of the phone API (schemathesis over ``/api/openapi.json``),
in-process over WSGI, on SQLite and on PostgreSQL: every operation gets valid and
invalid requests generated from its schema; authenticated operations are signed by a
registered phone (access token + a DPoP proof per request, as eid.phone does).

Passes only with 0 server errors and 0 schema violations: the response's status,
content type and body conform to the document, a 405 carries ``Allow``, invalid data
is refused, and auth is not ignored. ``positive_data_acceptance`` is off: a request
valid by the schema may still be refused by the domain (an unknown challenge, a wrong
captcha), which the schema cannot express. Bounded: a few examples per operation, no
shrinking, no deadline, the whole run well under a minute.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.flows import API, Phone
from tests.mobile_api.backends import backend, signed_in_phone

__all__ = ["backend"]  # fixture

MAX_EXAMPLES = 5
FUZZ_CONFIG = {
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "no-shrink": True,
                   "deterministic": True, "database": "none"},
    # coverage: every field missing, mistyped, too long, past its range...; one method
    # the path does not have (405 + Allow); no stateful links in this document
    "phases": {"coverage": {"unexpected-methods": ["patch"]}, "stateful": {"enabled": False}},
    "checks": {"positive_data_acceptance": {"enabled": False}},
}
# Calls after which the phone's tokens are gone: sign the phone in again.
ENDS_THE_SIGN_IN = {("POST", "/api/mobile/v1/signout"), ("POST", "/api/mobile/v1/signout/everywhere"),
                    ("POST", "/api/mobile/v1/devices/activate/complete"),
                    ("DELETE", "/api/mobile/v1/devices/{device_id}"),
                    ("DELETE", "/api/mobile/v1/app-sessions/{family_id}"),
                    ("POST", "/api/mobile/v1/token/refresh")}


class SigningPhone:
    """Signs each authenticated case as the phone app does. A fuzzed call may end the
    phone's sign-in (sign-out, revoking its own token family, deactivating its device
    by a guessed id): the phone then gets its device back and a fresh token pair
    straight from the tables and the domain (no SMS, whose caps the fuzzing would hit)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.phone: Phone = signed_in_phone(app)
        self.account = dict(self.phone.tokens["account"])

    def headers(self, case: Any) -> dict[str, str]:
        """The case's auth headers; the rate limits start afresh, so that every case
        reaches the checks it was made for instead of a 429."""
        from eid.web.ratelimit import limiter

        with self.app.app_context():
            limiter.reset()
        if not case.operation.security:
            return {}
        return self.phone.headers(case.method.upper(), unquote(case.formatted_path), sign=True)

    def after(self, case: Any, response: Any) -> None:
        """Renew after a call that ended the sign-in, or a 401 to a signed request."""
        status, signed = response.status_code, "DPoP" in response.request.headers
        ended = (case.method.upper(), case.operation.path) in ENDS_THE_SIGN_IN
        if (status == 401 and signed) or (status < 400 and ended):
            self.renew()

    def renew(self) -> None:
        from sqlalchemy import select

        from eid.accounts import tokens
        from eid.accounts.proof import thumbprint
        from eid.models.accounts import Account
        from eid.models.devices import Device
        from eid.web.db import db
        from eid.web.unit_of_work import services

        jkt = thumbprint(self.phone.key.as_dict(private=False))
        with self.app.test_request_context():
            svc = services()
            account = svc.session.get_one(Account, self.account["id"])
            device = svc.session.scalar(select(Device).where(Device.jkt == jkt))
            assert device is not None and device.account_id == account.id
            device.deactivated_at = device.deactivated_reason = None
            self.phone.tokens = {**tokens.issue(svc, account, device).as_json(), "account": self.account}
            db.session.commit()


@pytest.fixture(scope="module")
def api_schema(backend: Any) -> Any:
    config = schemathesis.Config.from_dict(FUZZ_CONFIG)
    return schemathesis.openapi.from_wsgi("/api/openapi.json", backend, config=config)


@pytest.fixture(scope="module")
def signer(backend: Any) -> SigningPhone:
    return SigningPhone(backend)


@pytest.fixture
def _node_id_for_schemathesis(request: Any) -> None:
    """schemathesis 4's lazy loader renames the test per operation through
    ``node._nodeid``, which pytest 9 no longer has: give it one."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_phone_api_under_fuzzing_has_no_server_error_and_no_schema_violation(
        case, signer, _node_id_for_schemathesis):
    response = case.call_and_validate(headers=signer.headers(case),
                                      excluded_checks=[positive_data_acceptance])
    signer.after(case, response)


# ---------------------------------------------------------------- the answers of a real session

class Recorder:
    """Every phone-API answer the app gives while connected (Flask's ``request_finished``)."""

    def __init__(self, app: Any) -> None:
        from flask import request, request_finished

        self.seen: list[tuple[str, str, Any]] = []

        def record(sender: Any, response: Any, **_: Any) -> None:
            if request.path.startswith(API):
                self.seen.append((request.method, request.path, response))

        self._record = record  # the signal keeps a weak reference
        request_finished.connect(record, app)


def as_checked(method: str, path: str, response: Any) -> Any:
    """A Flask response as schemathesis's checks read it."""
    import requests
    from schemathesis.core.transport import Response

    headers: dict[str, list[str]] = {}
    for name, value in response.headers:
        headers.setdefault(name.lower(), []).append(value)
    return Response(status_code=response.status_code, headers=headers, content=response.get_data(),
                    request=requests.Request(method, f"http://localhost{path}").prepare(),
                    elapsed=0.0, verify=False)


def test_the_document_describes_every_answer_of_a_full_phone_session(app, client):
    """Fuzzing rarely gets past the checks to a 2xx; here each flow runs for real and
    every answer is checked against /api/openapi.json (status declared, body by the
    schema, no undocumented field: the response schemas are closed)."""
    from tests.flows import Desktop, approval, captcha, demo, last_otp, register, signin

    rec = Recorder(app)
    d = register(client, 5)
    token = signin(client, d)
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    phone = Phone(client, app).login(d)
    for path in ("me", "sessions", "web-sessions", "devices", "dependents", "companies",
                 "address-requests"):
        assert phone.call("GET", path).status_code == 200, path
    assert phone.call("POST", "devices/transfer-code").status_code == 200
    assert phone.call("PUT", "settings/web-login", {"enabled": True}).status_code == 200
    assert phone.call("POST", "chip/sessions", {"purpose": "level1_online"}).status_code == 201
    desk = Desktop(app)
    desk.start()
    scanned = phone.call("POST", "qr-login/scan", {"uri": desk.uri}).get_json()
    number = desk.status().get_json()["number"]
    assert phone.call("POST", "qr-login/decision", approval(phone, scanned, number)).status_code == 200
    assert desk.redeem(desk.status().get_json()["redeem_code"]).status_code == 200
    other = Desktop(app)
    other.start()
    phone.call("POST", "qr-login/scan", {"uri": other.uri})
    assert phone.call("POST", "qr-login/report", {"tx": other.tx}).status_code == 200
    web = phone.call("GET", "web-sessions").get_json()["sessions"]
    assert phone.call("DELETE", f"web-sessions/{web[0]['id']}").status_code == 200
    r = phone.call("POST", "token/refresh", {"refresh_token": phone.tokens["refresh_token"]}, sign=True)
    assert r.status_code == 200
    phone.tokens = r.get_json()
    r = client.post(f"{API}/password/forgot/start",
                    json={"id_number": d.person.id_number, "phone": d.phone, **captcha(client)})
    assert r.status_code == 202, r.get_json()
    cid = r.get_json()["challenge_id"]
    assert client.post(f"{API}/password/forgot/verify",
                       json={"challenge_id": cid, "code": last_otp(client, d.phone)}).status_code == 200
    stranger = demo(44)
    r = client.post(f"{API}/signin/mobile/start", json={"phone": stranger.phone, **captcha(client)})
    assert r.status_code == 202, r.get_json()
    cid = r.get_json()["challenge_id"]
    client.post(f"{API}/signin/mobile/verify", json={"challenge_id": cid,
                                                     "code": last_otp(client, stranger.phone)})
    client.post(f"{API}/signin/mobile/identity", json={
        "challenge_id": cid, "national_code": stranger.person.id_number,
        "birth_date": stranger.person.birth_date.isoformat()})
    assert client.post(f"{API}/signin/mobile/finish",
                       json={"challenge_id": cid, "confirm": True}).status_code == 200
    assert client.post(f"{API}/register/start", json={"id_number": "1", "phone": "2"}).status_code == 400
    assert phone.call("POST", "signout/everywhere").status_code == 200
    assert phone.call("GET", "me").status_code == 401

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    checked = set()
    for method, path, response in rec.seen:
        operation = schema.find_operation_by_path(method, path)
        assert operation is not None, f"{method} {path} is not in the document"
        declared = set(operation.definition.raw["responses"])
        assert str(response.status_code) in declared or f"{str(response.status_code)[0]}XX" in declared, \
            (method, path, response.status_code, declared)
        schema.validate_response(operation, as_checked(method, path, response))
        checked.add((method, operation.path, response.status_code // 100))
    assert {(m, p) for m, p, s in checked if s == 2} >= {
        ("GET", f"{API}/me"), ("GET", f"{API}/web-sessions"), ("POST", f"{API}/devices/activate/complete")}
