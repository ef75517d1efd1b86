"""A throw-away PostgreSQL database for one benchmark run (local server, trust auth)."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

ADMIN = os.environ.get("EID_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def temp_database() -> Iterator[str | None]:
    import psycopg

    name = "eid_bench_" + uuid.uuid4().hex[:10]
    try:
        with psycopg.connect(ADMIN, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        print(f"(PostgreSQL not reachable, skipped: {exc.__class__.__name__})")
        yield None
        return
    try:
        yield ADMIN.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
