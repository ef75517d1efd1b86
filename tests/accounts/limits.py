"""A rate limiter for the domain tests that follows the frozen clock.

The web layer's ``KeyedLimiter`` counts in the ``limits`` package's storage by the
wall clock; this one keeps a moving window per (scope, key, limit) by the test's
``FrozenClock``, so a test can spend a budget, advance an hour and see it refilled.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from limits import parse_many

from eid.accounts.errors import RateLimited
from eid.clock import FrozenClock


class WindowLimiter:
    """``eid.accounts.context.RateLimiter`` on a moving window of the frozen clock."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.hits: dict[tuple[str, str, str], list[datetime]] = defaultdict(list)
        self.calls: list[tuple[str, str]] = []

    def hit(self, scope: str, key: str, limit: str) -> None:
        self.calls.append((scope, key))
        now = self.clock.now()
        for item in parse_many(limit):
            window = timedelta(seconds=item.get_expiry())
            seen = self.hits[(scope, key, str(item))]
            seen[:] = [t for t in seen if now - t < window]
            if len(seen) >= item.amount:
                wait = int((seen[0] + window - now).total_seconds()) + 1
                raise RateLimited("Too many requests. Please try again later.", retry_after=wait)
        for item in parse_many(limit):
            self.hits[(scope, key, str(item))].append(now)

    def scopes(self) -> list[str]:
        return [scope for scope, _ in self.calls]
