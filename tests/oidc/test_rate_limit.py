"""Over a limit, the provider's machine endpoints (token, PAR, introspection, revocation,
userinfo) answer 429 as an OAuth error body relying parties can parse (RFC 6749 has no
code for it: ``temporarily_unavailable``) with ``Retry-After``; its browser pages keep the
readable "too many requests" page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BufferedClient, make_env
from tests.oidc.support import ISSUER, add_client, auth_params, basic

LIMITS = {
    "the token endpoint's own limit": {"EID_OIDC_TOKEN_RATE_LIMIT": "3/minute"},
    "the per-IP client limit": {"EID_RATE_LIMIT_IP_OIDC_CLIENT": "3/minute"},
}


def limited_app(db_path: Path, tmp_path: Path, clock: Any, **env: str) -> Any:
    from eid.app import create_app
    from eid.web.ratelimit import limiter

    app = create_app(make_env(f"sqlite:///{db_path}", tmp_path, EID_OIDC_ISSUER=ISSUER, **env), clock=clock)
    app.test_client_class = BufferedClient
    with app.app_context():
        limiter.reset()
    return app


@pytest.fixture
def cleanup() -> Iterator[None]:
    yield
    from eid.web.db import db

    db.session.remove()


@pytest.mark.parametrize("env", LIMITS.values(), ids=LIMITS.keys())
@pytest.mark.parametrize("path", ["/oidc/token", "/oidc/introspect", "/oidc/revoke", "/oidc/par"])
def test_over_the_limit_a_machine_endpoint_answers_an_oauth_error_with_retry_after(
    db_path, tmp_path, clock, cleanup, env, path
):
    app = limited_app(db_path, tmp_path, clock, **env)
    rp = add_client(app)
    c = app.test_client()
    data = {"grant_type": "authorization_code", "code": "nope", "token": "nope", **auth_params(rp)}
    answers = [c.post(path, data=data, headers=basic(rp)) for _ in range(4)]
    assert [r.status_code for r in answers[:3]] != [429] * 3
    r = answers[3]
    assert r.status_code == 429 and r.mimetype == "application/json"
    body = r.get_json()
    assert body["error"] == "temporarily_unavailable"
    assert body["error_description"] and body["message"] == body["error_description"]
    wait = int(r.headers["Retry-After"])
    assert 1 <= wait <= 61 and abs(body["retry_after"] - wait) <= 1  # Flask-Limiter re-reads the clock
    assert r.headers["Cache-Control"] == "no-store"


def test_over_the_limit_userinfo_answers_an_oauth_error(db_path, tmp_path, clock, cleanup):
    app = limited_app(db_path, tmp_path, clock, EID_RATE_LIMIT_IP_OIDC_CLIENT="2/minute")
    c = app.test_client()
    answers = [c.get("/oidc/userinfo", headers={"Authorization": "Bearer nope"}) for _ in range(3)]
    assert answers[0].status_code == 401
    assert answers[2].status_code == 429 and answers[2].get_json()["error"] == "temporarily_unavailable"


def test_over_the_limit_the_authorization_page_stays_a_page(db_path, tmp_path, clock, cleanup):
    app = limited_app(db_path, tmp_path, clock, EID_RATE_LIMIT_IP_PAGES="2/minute")
    rp = add_client(app)
    c = app.test_client()
    answers = [c.get("/oidc/authorize", query_string=auth_params(rp)) for _ in range(3)]
    assert answers[2].status_code == 429 and answers[2].mimetype == "text/html"
    assert "temporarily_unavailable" not in answers[2].get_data(as_text=True)
    assert answers[2].headers["Retry-After"]
