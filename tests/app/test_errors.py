"""The one place that maps errors to answers (eid.app.errors): JSON for the API, the
error page for pages, and the headers the HTTP error carries kept on both."""
from __future__ import annotations

import re

import pytest
from werkzeug.exceptions import TooManyRequests, Unauthorized

from eid.mobile_api import schemas as S
from tests.flows import API


def allowed(r) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.strip() for m in r.headers.get("Allow", "").split(",") if m.strip()}


@pytest.mark.parametrize(("method", "path", "expected"), [
    ("PATCH", f"{API}/me", {"GET", "HEAD", "OPTIONS"}),
    ("PUT", f"{API}/signin/start", {"POST", "OPTIONS"}),
    ("GET", f"{API}/sessions/1", {"DELETE", "OPTIONS"}),
    ("POST", "/api/openapi.json", {"GET", "HEAD", "OPTIONS"}),
])
def test_method_not_allowed_on_the_api_keeps_the_allow_header(client, method, path, expected):
    r = client.open(path, method=method)
    assert r.status_code == 405
    assert r.get_json()["error"] == "method_not_allowed" and r.get_json()["message"]
    assert allowed(r) == expected


def csrf_of(client) -> str:  # type: ignore[no-untyped-def]
    page = client.get("/login?tab=password").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def test_method_not_allowed_on_a_page_keeps_the_allow_header_and_shows_the_error_page(client):
    r = client.delete("/login", headers={"X-CSRF-Token": csrf_of(client)})
    assert r.status_code == 405 and r.mimetype == "text/html"
    assert 'data-code="method_not_allowed"' in r.get_data(as_text=True)
    assert allowed(r) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_headers_of_other_http_errors_are_kept_and_the_body_is_still_json(app):
    @app.get("/api/test-retry")
    def _retry():  # type: ignore[no-untyped-def]
        raise TooManyRequests(retry_after=30)

    @app.get("/api/test-unauthorized")
    def _unauthorized():  # type: ignore[no-untyped-def]
        raise Unauthorized(www_authenticate=None)

    r = app.test_client().get("/api/test-retry")
    assert r.status_code == 429 and r.headers["Retry-After"] == "30"
    assert r.mimetype == "application/json" and r.get_json()["error"] == "too_many_requests"
    r = app.test_client().get("/api/test-unauthorized")
    assert r.status_code == 401 and r.mimetype == "application/json"


def test_an_unknown_id_past_the_id_range_is_not_found_not_a_server_error(client):
    r = client.post(f"/account/sessions/{2**31}/revoke", headers={"X-CSRF-Token": csrf_of(client)})
    assert r.status_code == 404
    assert 'data-code="not_found"' in r.get_data(as_text=True)


def test_every_public_detail_of_an_error_is_in_the_documented_error_shape():
    from eid.app.errors import PUBLIC_DETAILS

    documented = {f.data_key or name for name, f in S.Error().fields.items()}
    assert documented == {"error", "message", *PUBLIC_DETAILS}
