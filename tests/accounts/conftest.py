"""Fixtures for the accounts domain run without Flask.

* ``engine`` / ``session``: a fresh in-memory SQLite database per test
  (``eid.models.base.make_engine``), a copy of a template made once per run with
  ``Base.metadata.create_all`` and the seeded registers (SQLite's backup API: about a
  millisecond, where schema and seeding take fifty).
* ``registers``: what the embedded registers hold, a small synthetic population
  (the first 200 generated people: the 50 demo citizens, their children, households);
  ``registries`` reads them through the embedded adapters.
* ``outbox`` / ``mailbox``: SMS and e-mail recorders; ``audit``: the audit recorder.
* ``clock``: a :class:`~eid.clock.FrozenClock` at ``START`` with seeded randomness
  (the same instant and seed as ``tests/conftest.py``'s ``clock``, which the Flask
  ``app`` fixture of the older tests in this folder then picks up unchanged).
* ``svc``: builds the :class:`~eid.accounts.context.Services` of one "request" at the
  clock's current time (committing and expiring what the previous one left). Advance
  the clock, then call ``svc()`` again for the next one.

Nothing here imports Flask (``test_no_flask.py`` checks it in a clean interpreter).
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import eid.models  # noqa: F401 - registers every table on Base.metadata
from eid.accounts.context import Client, Services, Settings
from eid.accounts.passwords import Hasher, PasswordPolicy
from eid.accounts.registries import loading
from eid.accounts.registries.embedded import embedded_registries
from eid.accounts.registries.interfaces import Registries
from eid.clock import FrozenClock, SeededRng
from eid.models.base import Base, make_engine
from tests.accounts.support import AuditLog, Outbox

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SEED = 2026
POPULATION = 200
KEY = b"accounts-domain-test-hmac-key-32"
CLIENT = Client(ip="198.51.100.7", user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0",
                browser_id="browser-0001", locale="vi")

SvcFactory = Callable[..., Services]


@pytest.fixture(scope="session")
def hasher() -> Hasher:
    return Hasher.for_tests()


@pytest.fixture(scope="session")
def population() -> loading.Registers:
    return loading.synthetic(POPULATION, SEED)


@pytest.fixture(scope="session")
def template(population: loading.Registers) -> Iterator[sqlite3.Connection]:
    """The schema and the seeded registers, built once."""
    engine = make_engine("sqlite://")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        loading.replace_all(s, population)
    raw = engine.raw_connection()
    yield raw.driver_connection
    raw.close()
    engine.dispose()


@pytest.fixture
def engine(template: sqlite3.Connection) -> Iterator[Engine]:
    engine = make_engine("sqlite://")  # one connection per thread: the copy stays alive
    with engine.connect() as conn:
        template.backup(conn.connection.driver_connection)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def registers(population: loading.Registers) -> loading.Registers:
    return population


@pytest.fixture
def registries(session: Session) -> Registries:
    return embedded_registries(lambda: session)


@pytest.fixture
def outbox() -> Outbox:
    return Outbox()


@pytest.fixture
def mailbox() -> Outbox:
    return Outbox()


@pytest.fixture
def audit() -> AuditLog:
    return AuditLog()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START, rng=SeededRng(1234))


@pytest.fixture
def svc(session: Session, registries: Registries, outbox: Outbox, mailbox: Outbox, audit: AuditLog,
        clock: FrozenClock, hasher: Hasher) -> SvcFactory:
    """``svc(**overrides)``: the Services of one request at ``clock.now()``.

    Each call is a request boundary, as the web layer draws it: what the previous
    request wrote is committed (the app commits after a success and after a domain
    error alike), and every object is expired, so the new request reads the rows
    afresh instead of trusting objects an earlier request held.
    """
    def make(**over: Any) -> Services:
        session.commit()
        session.expire_all()
        kw: dict[str, Any] = {
            "session": session, "registries": registries, "sms": outbox, "mail": mailbox,
            "hasher": hasher, "policy": PasswordPolicy(), "audit": audit, "key": KEY,
            "now": clock.now(), "rng": clock.rng, "settings": Settings(), "client": CLIENT}
        kw.update(over)
        return Services(**kw)

    return make
