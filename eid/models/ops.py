"""Small database operations that must be atomic on SQLite and PostgreSQL alike."""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy.orm import Session


def insert_if_absent(session: Session, model: Any, values: dict[str, Any]) -> bool:
    """``INSERT ... ON CONFLICT DO NOTHING``: True if the row was new (one statement,
    safe under concurrency: the unique key decides)."""
    table = getattr(model, "__table__", model)
    stmt = _insert_ignoring_conflicts(session.get_bind().dialect.name, table)
    return bool(session.connection().execute(stmt, values).rowcount)


@lru_cache(maxsize=64)
def _insert_ignoring_conflicts(dialect: str, table: Any) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing()


def add_unique(session: Session, row: Any) -> bool:
    """Add ``row`` in a savepoint; False (and nothing written) if a unique key exists."""
    from sqlalchemy.exc import IntegrityError

    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True
