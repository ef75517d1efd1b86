"""Shared fixtures.

* ``app`` / ``client``: a test app on its own SQLite file, copied from a template
  that was migrated with Alembic and seeded with the synthetic registries once
  per test session (so every test starts from the same data, fast).
* ``clock``: the frozen clock the app uses; tests advance it.
* ``pg_url`` / ``redis_url``: the real local PostgreSQL and Redis. Outside CI a
  missing server skips those tests; with ``CI=true`` it fails them.
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from eid.clock import FrozenClock, SeededRng

REGISTRY_COUNT = int(os.environ.get("EID_TEST_REGISTRY_COUNT", "600"))
PG_ADMIN_URL = os.environ.get("EID_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("EID_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def unavailable(what: str, why: object) -> None:
    msg = f"{what} is not reachable ({why}); the suite needs it"
    if os.environ.get("CI"):
        pytest.fail(msg + " — CI must not skip it", pytrace=False)
    pytest.skip(msg)


def make_env(db_url: str, tmp: Path, **extra: str) -> dict[str, str]:
    env = {"EID_ENV": "test", "DATABASE_URL": db_url, "EID_INSTANCE_PATH": str(tmp),
           "EID_SECRET_KEY": "t" * 40}
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, seeded SQLite file; each test gets a copy."""
    from eid.app import create_app
    from eid.app.cli import upgrade

    root = tmp_path_factory.mktemp("template")
    path = root / "template.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    app = create_app(make_env(url, root))
    result = app.test_cli_runner().invoke(args=["registry", "seed", "--count", str(REGISTRY_COUNT)])
    assert result.exit_code == 0, result.output
    from eid.web.db import db

    assert db.engine is not None
    db.engine.dispose()
    return path


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START, rng=SeededRng(1234))


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "eid.sqlite3"
    shutil.copyfile(template_db, path)
    return path


@pytest.fixture
def app(db_path: Path, tmp_path: Path, clock: FrozenClock) -> Iterator[Any]:
    from eid.app import create_app
    from eid.web.db import db
    from eid.web.ratelimit import limiter

    app = create_app(make_env(f"sqlite:///{db_path}", tmp_path), clock=clock,
                     overrides={"DEFER_INLINE": True})
    with app.app_context():
        limiter.reset()
    yield app
    db.session.remove()
    if db.engine is not None:
        db.engine.dispose()


class BufferedClient(FlaskClient):
    """Reads each response fully, as a browser does."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Any) -> Any:
    app.test_client_class = BufferedClient
    return app.test_client()


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("select 1")
    except Exception as exc:
        unavailable("PostgreSQL", exc)
    return PG_ADMIN_URL


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    name = "eid_t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = pg_admin_url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:
        unavailable("Redis", exc)
    return REDIS_URL
