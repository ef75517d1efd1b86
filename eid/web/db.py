"""The Flask side of the database: the per-app session registry and teardown.

Tables, ``Base`` and engine construction live in :mod:`eid.models` (no Flask there).
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session

from eid.models.base import Base, make_engine

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["Base", "Database", "db", "make_engine"]


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
