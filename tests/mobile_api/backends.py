"""One app per backend for a whole test module (SQLite from the seeded template, and a
fresh PostgreSQL database), with a phone registered and activated on it: for the
bad-input and fuzz tests, whose requests are refused and change (almost) nothing.

Import the fixtures into a test module (``from tests.mobile_api.backends import
backend, fresh_limits, phone``) and mark the tests that send requests with
``@pytest.mark.usefixtures("fresh_limits")``; the PostgreSQL parameter is marked ``postgres`` and
kept on one xdist worker with the other PostgreSQL tests.
"""
from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eid.clock import FrozenClock, SeededRng
from tests.conftest import START, make_env
from tests.flows import BufferedFlows, Phone, register

PG_SEED_COUNT = 50
PHONE_OWNER = 3  # the demo citizen whose phone the tests use


def sqlite_app(tmp: Path, template_db: Path) -> Iterator[Any]:
    from eid.app import create_app

    path = tmp / "eid.sqlite3"
    shutil.copyfile(template_db, path)
    yield create_app(make_env(f"sqlite:///{path}", tmp), clock=FrozenClock(START, rng=SeededRng(7)),
                     overrides={"DEFER_INLINE": True})


def pg_app(tmp: Path, admin_url: str) -> Iterator[Any]:
    import psycopg

    from eid.app import create_app
    from eid.app.cli import upgrade

    name = "eid_t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
        # a test database: no waiting for the disk at each commit (fsync stays on)
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    url = f"{admin_url.rsplit('/', 1)[0]}/{name}"
    try:
        upgrade(url)
        app = create_app(make_env(url, tmp), clock=FrozenClock(START, rng=SeededRng(7)),
                         overrides={"DEFER_INLINE": True})
        res = app.test_cli_runner().invoke(args=["registry", "seed", "--count", str(PG_SEED_COUNT)])
        assert res.exit_code == 0, res.output
        yield app
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module", params=[
    "sqlite", pytest.param("postgres", marks=[pytest.mark.postgres, pytest.mark.xdist_group("postgres")])])
def backend(request: Any, tmp_path_factory: Any) -> Iterator[Any]:
    """The app on SQLite, then on PostgreSQL."""
    from eid.web.db import db

    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        gen = sqlite_app(tmp, request.getfixturevalue("template_db"))
    else:
        gen = pg_app(tmp, request.getfixturevalue("pg_admin_url"))
    app = next(gen)
    yield app
    with app.app_context():
        db.session.remove()
    app.extensions["eid.engine"].dispose()
    gen.close()


def signed_in_phone(app: Any, again: Phone | None = None) -> Phone:
    """Demo citizen :data:`PHONE_OWNER`'s activated phone (the account is registered on
    first use); ``again``: the same phone (same device key) signs in once more."""
    from tests.flows import demo

    if again is not None:
        again.tokens = {k: v for k, v in again.tokens.items() if k == "token_type"}
        return again.login(demo(PHONE_OWNER))
    client = BufferedFlows.client(app)
    if not app.extensions.get("tests.registered"):
        register(client, PHONE_OWNER)
        app.extensions["tests.registered"] = True
    return Phone(client, app).login(demo(PHONE_OWNER))


@pytest.fixture(scope="module")
def phone(backend: Any) -> Phone:
    return signed_in_phone(backend)


@pytest.fixture
def fresh_limits(backend: Any) -> None:
    """Rate limits start afresh for the test (the app lives for the module)."""
    from eid.web.ratelimit import limiter

    with backend.app_context():
        limiter.reset()
