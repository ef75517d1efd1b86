"""Security headers on every page (eid.app.security): the CSP lets sockets reach only
the page's own origin."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from eid.app.security import content_security_policy, websocket_origin
from tests.conftest import make_env


def directives(header: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (d.split() for d in header.split(";") if d.strip())}


@pytest.fixture
def public_app(db_path: Any, tmp_path: Any, clock: Any) -> Iterator[Any]:
    from eid.app import create_app
    from eid.web.db import db

    env = {**make_env(f"sqlite:///{db_path}", tmp_path), "EID_PUBLIC_URL": "https://eid.example/"}
    app = create_app(env, clock=clock)
    yield app
    with app.app_context():
        db.engine.dispose()


def test_sockets_may_reach_only_the_public_origin(public_app):
    r = public_app.test_client().get("/login")
    connect = directives(r.headers["Content-Security-Policy"])["connect-src"]
    assert connect == ["'self'", "wss://eid.example"]


def test_the_development_origin_gets_its_plain_websocket_origin(client):
    csp = directives(client.get("/healthz").headers["Content-Security-Policy"])
    assert csp["connect-src"] == ["'self'", "ws://127.0.0.1:5000"]
    assert csp["default-src"] == ["'self'"] and csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["base-uri"] == ["'none'"]


@pytest.mark.parametrize("public_url,ws", [
    ("https://eid.example", "wss://eid.example"),
    ("https://EID.example:8443/portal/", "wss://eid.example:8443"),
    ("http://127.0.0.1:5000", "ws://127.0.0.1:5000"),
    ("http://[::1]:8080", "ws://[::1]:8080"),
])
def test_the_websocket_origin_follows_the_public_url(public_url, ws):
    assert websocket_origin(public_url) == ws


@pytest.mark.parametrize("public_url", ["", "eid.example", "ftp://eid.example",
                                        "https://u@eid.example", "https://a; script-src *",
                                        "https://eid.example, ws:"])
def test_a_public_url_that_is_no_origin_leaves_only_self(public_url):
    connect = directives(content_security_policy(public_url))["connect-src"]
    assert connect == ["'self'"]
