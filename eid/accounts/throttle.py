"""Backoff and temporary lock after repeated sign-in failures, per account and per IP.

Keys are the ID number *as typed* (so an unknown ID locks exactly like a real one
and the lock is no oracle) and the client IP. The counter window slides: the
first failure opens a window of ``LOGIN_LOCK_SECONDS``; reaching the limit inside
it locks until the window's end plus the lock time.
"""
from __future__ import annotations

import hashlib
from datetime import timedelta

from eid.accounts.context import Services
from eid.accounts.errors import AccountLocked
from eid.models.accounts import Throttle

IP_FACTOR = 4  # an IP may fail this many times more than one account


def _key(scope: str, value: str) -> str:
    return f"{scope}:" + hashlib.sha256(value.encode()).hexdigest()[:40]


def _limits(svc: Services, scope: str) -> tuple[int, timedelta]:
    n = svc.settings.login_max_failures
    lock = timedelta(seconds=svc.settings.login_lock_seconds)
    return (n * IP_FACTOR if scope == "ip" else n), lock


def check(svc: Services, scope: str, value: str) -> None:
    """Raises AccountLocked while ``value`` is locked."""
    row = svc.session.get(Throttle, _key(scope, value))
    if row is not None and row.locked_until is not None and svc.now < row.locked_until:
        wait = int((row.locked_until - svc.now).total_seconds()) + 1
        raise AccountLocked(
            f"Too many failed attempts. Try again in {max(1, wait // 60)} minute(s).",
            retry_after=wait)


def fail(svc: Services, scope: str, value: str) -> int:
    """Count a failure; lock when the limit is reached. Returns attempts left."""
    limit, lock = _limits(svc, scope)
    key = _key(scope, value)
    row = svc.session.get(Throttle, key)
    if row is None or svc.now - row.window_start > lock:
        if row is None:
            row = Throttle(key=key, failures=0, window_start=svc.now)
            svc.session.add(row)
        row.failures, row.window_start, row.locked_until = 0, svc.now, None
    row.failures += 1
    if row.failures >= limit:
        row.locked_until = svc.now + lock
    svc.session.flush()
    return max(0, limit - row.failures)


def clear(svc: Services, scope: str, value: str) -> None:
    row = svc.session.get(Throttle, _key(scope, value))
    if row is not None:
        svc.session.delete(row)
        svc.session.flush()
