"""Password hashing off the event loop.

argon2id at the production parameters takes ~100 ms of CPU. Under gunicorn's gevent
worker every greenlet shares one OS thread, so a hash run in the request's greenlet
stalls every other request and every push to a waiting desktop for that long (8
parallel sign-ins held /healthz for up to 322 ms). :class:`OffLoopHasher` runs the
hasher's calls in gevent's thread pool when the process is monkey-patched by gevent
(argon2-cffi releases the GIL while it hashes, so the loop keeps serving), and calls it
directly otherwise (the threaded development server, the CLI, tests).
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

from eid.accounts.context import PasswordHasher

T = TypeVar("T")


def on_gevent() -> bool:
    """Whether this process runs on gevent's loop (``threading`` monkey-patched)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("threading"))


def run_off_loop(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in the gevent hub's thread pool under gevent, else in this thread.

    The caller's greenlet waits; exceptions raised by ``fn`` are raised here.
    """
    if not on_gevent():
        return fn(*args)
    import gevent

    return gevent.get_hub().threadpool.apply(fn, args)  # type: ignore[no-any-return]


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
