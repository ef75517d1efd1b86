"""Injected time and randomness.

Cores take ``now=`` and ``rng=`` keyword arguments; the web layer passes
``clock.now()`` and ``clock.rng``. Tests swap in :class:`FrozenClock` and
:class:`SeededRng` so results replay exactly.
"""
from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Rng(Protocol):
    def token_bytes(self, n: int) -> bytes: ...

    def randbelow(self, n: int) -> int: ...


class SystemRng:
    """The operating system's CSPRNG (``secrets``)."""

    def token_bytes(self, n: int) -> bytes:
        return secrets.token_bytes(n)

    def randbelow(self, n: int) -> int:
        return secrets.randbelow(n)


class SeededRng:
    """Deterministic randomness for tests and reproducible data. Never for secrets in use."""

    def __init__(self, seed: int) -> None:
        self._r = random.Random(seed)

    def token_bytes(self, n: int) -> bytes:
        return self._r.randbytes(n)

    def randbelow(self, n: int) -> int:
        return self._r.randrange(n)


class Clock:
    def __init__(self, rng: Rng | None = None) -> None:
        self.rng: Rng = rng or SystemRng()

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock(Clock):
    def __init__(self, at: datetime, rng: Rng | None = None) -> None:
        super().__init__(rng)
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, **kw: float) -> None:
        self.at = self.at + timedelta(**kw)
