"""The same flows on the scale-out backends: PostgreSQL (psycopg 3) and Redis."""
from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import text

from tests.conftest import make_env
from tests.flows import API, BufferedFlows, Phone, register, signin

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("postgres")]


@pytest.fixture
def pg_app(pg_url: str, redis_url: str, tmp_path: Any, clock: Any) -> Any:
    from eid.app import create_app
    from eid.app.cli import upgrade
    from eid.web.db import db

    upgrade(pg_url)
    prefix = f"eid-test-{uuid.uuid4().hex}"
    app = create_app(make_env(pg_url, tmp_path, REDIS_URL=redis_url), clock=clock,
                     overrides={"RATELIMIT_KEY_PREFIX": prefix, "DEFER_INLINE": True})
    res = app.test_cli_runner().invoke(args=["registry", "seed", "--count", "200"])
    assert res.exit_code == 0, res.output
    yield app
    db.session.remove()
    app.extensions["eid.engine"].dispose()


def test_migrations_match_the_models_on_postgresql(pg_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import eid.models  # noqa: F401  (registers every table)
    from eid.app.cli import upgrade
    from eid.models.base import Base, make_engine

    upgrade(pg_url)
    engine = make_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                Base.metadata)
    engine.dispose()
    assert diff == []


def test_signup_signin_and_device_flow_on_postgresql_and_redis(pg_app):
    client = BufferedFlows.client(pg_app)
    d = register(client, 1)
    token = signin(client, d)
    assert client.get(f"{API}/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    phone = Phone(client, pg_app).login(d)
    assert phone.call("GET", "me").get_json()["id_number"] == d.person.id_number
    first = phone.tokens["refresh_token"]
    phone.tokens = phone.call("POST", "token/refresh", {"refresh_token": first}, sign=True).get_json()
    r = phone.call("POST", "token/refresh", {"refresh_token": first}, sign=True)
    assert r.get_json()["error"] == "refresh_token_reused"


def test_postgresql_refuses_changes_to_the_audit_log(pg_app):
    from eid.web.db import db

    client = BufferedFlows.client(pg_app)
    register(client, 2)
    with pg_app.app_context():
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text("UPDATE audit_event SET outcome = 'x'"))
        db.session.rollback()
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text("DELETE FROM audit_event"))
        db.session.rollback()


def test_rate_limits_are_shared_through_redis_by_two_workers(pg_url, redis_url, tmp_path, clock):
    from eid.app import create_app
    from eid.app.cli import upgrade
    from eid.web.db import db
    from tests.flows import captcha, demo, signup_body

    upgrade(pg_url)
    prefix = f"eid-test-shared-{uuid.uuid4().hex}"
    apps = [create_app(make_env(pg_url, tmp_path, REDIS_URL=redis_url), clock=clock,
                       overrides={"RATELIMIT_KEY_PREFIX": prefix, "DEFER_INLINE": True}) for _ in range(2)]
    apps[0].test_cli_runner().invoke(args=["registry", "seed", "--count", "200"])
    for a in apps:
        a.config["RATE_LIMITS"] = {**a.config["RATE_LIMITS"], "signup_per_id": "2/hour"}
    d = demo(3)
    codes = []
    for i in range(3):
        c = BufferedFlows.client(apps[i % 2])
        r = c.post(f"{API}/signup/start", json={**signup_body(d.person, d.phone), **captcha(c)})
        codes.append(r.status_code)
    assert codes == [202, 202, 429]
    db.session.remove()
    for a in apps:
        a.extensions["eid.engine"].dispose()
