"""SQLAlchemy 2 declarative base and the per-app session registry.

Models subclass :class:`Base`; the naming convention keeps Alembic migrations
identical on SQLite and PostgreSQL.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session

if TYPE_CHECKING:
    from flask import Flask

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def make_engine(url: str, **kw: Any) -> Engine:
    """An engine with SQLite made safe for threads and foreign keys enforced."""
    if url.startswith("sqlite"):
        kw.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kw)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # WAL: durable at checkpoints, never corrupt
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    kw.setdefault("pool_recycle", 300)  # no per-checkout ping: one round trip less per request
    return create_engine(url, **kw)


class Database:
    """Flask extension: ``db.init_app(app)``; ``db.session`` is scoped to the thread
    (greenlet under gevent) and bound to the current app's engine, so several apps
    (tests, a benchmark's baseline) can live in one process."""

    def __init__(self) -> None:
        self._fallback: Engine | None = None
        self.session: scoped_session[Session] = scoped_session(self._new_session)

    @property
    def engine(self) -> Engine | None:
        from flask import current_app, has_app_context

        if has_app_context() and "eid.engine" in current_app.extensions:
            return current_app.extensions["eid.engine"]  # type: ignore[no-any-return]
        return self._fallback

    def _new_session(self) -> Session:
        return Session(bind=self.engine, expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        app.extensions["eid.engine"] = engine
        app.extensions["eid.db"] = self
        self._fallback = engine
        self.session.remove()

        @app.teardown_appcontext
        def _remove_session(_exc: BaseException | None) -> None:
            self.session.remove()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Commit on success, roll back on any error: no half-written data."""
        s = self.session
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise


db = Database()
