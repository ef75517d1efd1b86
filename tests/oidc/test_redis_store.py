"""Codes and PAR request_uris in Redis: two app instances (two workers) sharing one Redis
and one database, each step served by either; every record is taken once, whichever
worker asks, and lives only as long as its setting."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BufferedClient, make_env
from tests.flows import register
from tests.oidc.support import (
    ISSUER,
    add_client,
    auth_params,
    basic,
    code_flow,
    exchange,
    follow,
    query,
    web_signin,
)

pytestmark = pytest.mark.redis


@pytest.fixture
def workers(db_path: Path, tmp_path: Path, clock: Any, redis_url: str) -> Iterator[tuple[Any, Any, str]]:
    import redis

    from eid.app import create_app
    from eid.web.db import db
    from eid.web.ratelimit import limiter

    prefix = f"eid-test-oidc-{uuid.uuid4().hex[:8]}"
    env = make_env(
        f"sqlite:///{db_path}", tmp_path, EID_OIDC_ISSUER=ISSUER, REDIS_URL=redis_url, EID_REDIS_PREFIX=prefix
    )
    apps = [create_app(env, clock=clock, overrides={"DEFER_INLINE": True}) for _ in range(2)]
    for app in apps:
        app.test_client_class = BufferedClient
        with app.app_context():
            limiter.reset()
    yield apps[0], apps[1], prefix
    r = redis.Redis.from_url(redis_url)
    for key in r.scan_iter(f"{prefix}*"):
        r.delete(key)
    db.session.remove()


def _keys(redis_url: str, pattern: str) -> list[bytes]:
    import redis

    return list(redis.Redis.from_url(redis_url).scan_iter(pattern))


def _ephemeral_rows(app: Any) -> int:
    from sqlalchemy import func, select

    from eid.models.oidc import OidcEphemeral
    from eid.web.db import db

    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(OidcEphemeral)) or 0)


def test_a_code_issued_by_one_worker_is_redeemed_once_across_both(workers, redis_url):
    import redis

    a, b, prefix = workers
    rp = add_client(a)
    ca, cb_ = a.test_client(), b.test_client()
    citizen = register(ca, 3)
    assert web_signin(ca, citizen).status_code == 302
    cb, _ = code_flow(ca, rp)
    [code_key] = _keys(redis_url, f"{prefix}:oidc:code:*")
    assert 0 < redis.Redis.from_url(redis_url).ttl(code_key) <= 60
    assert _ephemeral_rows(a) == 0  # nothing of the flow went to the SQL fallback
    first = exchange(cb_, rp, cb["code"])  # the other worker redeems it
    assert first.status_code == 200 and first.get_json()["id_token"]
    again = exchange(ca, rp, cb["code"])  # and the first worker no longer can
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
    r = cb_.get("/oidc/userinfo", headers={"Authorization": f"Bearer {first.get_json()['access_token']}"})
    assert r.status_code == 401  # the reuse revoked what the code issued, seen by both workers


def test_a_par_request_uri_pushed_to_one_worker_is_used_once_across_both(workers):
    a, b, _prefix = workers
    rp = add_client(a)
    ca, cb_ = a.test_client(), b.test_client()
    citizen = register(ca, 4)
    assert web_signin(cb_, citizen).status_code == 302
    assert web_signin(ca, citizen).status_code == 302
    data = auth_params(rp)
    pushed = ca.post("/oidc/par", data=data, headers=basic(rp))
    assert pushed.status_code == 201
    uri = pushed.get_json()["request_uri"]
    asked = {"client_id": rp["client_id"], "request_uri": uri}
    resp = follow(cb_, cb_.get("/oidc/authorize", query_string=asked))  # pushed to A, used at B
    assert resp.status_code == 302 and query(resp.headers["Location"])["state"] == data["state"]
    for c in (ca, cb_):
        again = c.get("/oidc/authorize", query_string=asked)
        assert again.status_code == 400 and 'data-code="invalid_request_uri"' in again.get_data(as_text=True)


def test_an_expired_request_uri_is_gone_from_redis(workers, redis_url):
    import redis

    a, _b, prefix = workers
    rp = add_client(a)
    pushed = a.test_client().post("/oidc/par", data=auth_params(rp), headers=basic(rp))
    assert pushed.status_code == 201 and pushed.get_json()["expires_in"] <= 90
    [key] = _keys(redis_url, f"{prefix}:oidc:par:*")
    assert 0 < redis.Redis.from_url(redis_url).ttl(key) <= 90
    assert pushed.get_json()["request_uri"].split(":")[-1] not in key.decode()  # stored hashed
