"""Password hashing off the event loop.

argon2id at the production parameters takes ~100 ms of CPU. Under gunicorn's gevent
worker every greenlet shares one OS thread, so a hash run in the request's greenlet
stalls every other request and every push to a waiting desktop for that long (8
parallel sign-ins held /healthz for up to 322 ms). :class:`OffLoopHasher` runs the
hasher's calls in a gevent thread pool when the process is monkey-patched by gevent
(argon2-cffi releases the GIL while it hashes, so the loop keeps serving), at the
lowest CPU priority (``SCHED_IDLE``: off the loop is not enough on a machine whose
cores the hashes fill), and calls it directly otherwise (the threaded development
server, the CLI, tests). Measured in docs/benchmarks.md (``python -m bench.hash_push``).

One exception: a request whose SQLite connection holds a write transaction (the
sign-in has marked its captcha used) hashes on the loop. SQLite has one writer; had
that greenlet yielded, the next writer would wait for the lock in SQLite's own busy
loop, which blocks the whole event loop, so the lock holder could never finish (a
30-second stall, then "database is locked"). PostgreSQL's lock waits go through
gevent (psycopg waits with the patched ``select``), so there the hash always leaves
the loop: serve production from PostgreSQL.
"""
from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from eid.accounts.context import PasswordHasher

T = TypeVar("T")


def on_gevent() -> bool:
    """Whether this process runs on gevent's loop (``threading`` monkey-patched)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("threading"))


def sqlite_write_open() -> bool:
    """Whether this request's database session holds an SQLite write transaction
    (pysqlite begins one before the first INSERT/UPDATE/DELETE)."""
    from eid.web.db import db

    try:
        session = db.session()
        if not session.in_transaction() or session.get_bind().dialect.name != "sqlite":
            return False
        return bool(session.connection().connection.dbapi_connection.in_transaction)  # type: ignore[union-attr]
    except RuntimeError:  # no app context (a script): nothing of the request's to hold up
        return False


# Hashes at once per worker: one per four cores (a production hash runs four lanes), at
# least one; each holds 64 MiB at the production parameters.
HASH_THREADS = max(1, (os.cpu_count() or 1) // 4)
_pool: Any = None
_pool_pid = 0


def _hash_pool() -> Any:
    """This process's pool of hashing threads (a new one after a fork). Not the hub's
    shared pool: its threads (which also resolve host names) keep their priority."""
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        from gevent.threadpool import ThreadPool

        _pool, _pool_pid = ThreadPool(HASH_THREADS), os.getpid()
    return _pool


def _at_idle_priority(fn: Callable[..., T], args: tuple[Any, ...]) -> T:
    """``fn(*args)`` with this thread scheduled ``SCHED_IDLE`` (else at nice 19).

    On Linux the policy and the nice value belong to the thread, and argon2's lanes,
    started from it, inherit them: the hash gets the CPU the event loop (and every
    other normal thread) leaves, so neither a crowd of sign-ins nor a flood of
    password guesses slows the pushes, pages and API calls. Under CPU saturation
    the sign-ins are what waits.
    """
    if sys.platform.startswith("linux"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, 0, 19)
    return fn(*args)


def run_off_loop(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a gevent thread pool under gevent, else in this thread (also
    under gevent while an SQLite write lock is held: see the module's docstring).

    The caller's greenlet waits; exceptions raised by ``fn`` are raised here.
    """
    if not on_gevent() or sqlite_write_open():
        return fn(*args)
    return _hash_pool().apply(_at_idle_priority, (fn, args))  # type: ignore[no-any-return]


class OffLoopHasher:
    """A :class:`eid.accounts.context.PasswordHasher` that runs ``inner``'s CPU-bound
    calls with :func:`run_off_loop`. ``needs_rehash`` only parses the stored string and
    stays in the caller's thread."""

    def __init__(self, inner: PasswordHasher,
                 run: Callable[..., Any] = run_off_loop) -> None:
        self.inner, self._run = inner, run

    def hash(self, password: str) -> str:
        return str(self._run(self.inner.hash, password))

    def verify(self, stored: str, password: str) -> None:
        """Raises ``InvalidCredentials`` on a mismatch (raised by ``inner`` in the pool)."""
        self._run(self.inner.verify, stored, password)

    def needs_rehash(self, stored: str) -> bool:
        return self.inner.needs_rehash(stored)

    def dummy_verify(self) -> None:
        self._run(self.inner.dummy_verify)
