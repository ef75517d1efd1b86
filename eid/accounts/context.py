"""What an accounts use case needs from the outside world, passed in explicitly.

The web layer (pages and the mobile API) builds one :class:`Services` per request;
tests build it with a frozen clock and seeded randomness.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from eid.clock import Rng


class Auditor(Protocol):
    def __call__(
        self,
        action: str,
        outcome: str,
        *,
        actor_account_id: int | None = None,
        acting_for: str | None = None,
        id_number: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None: ...


class RateLimiter(Protocol):
    def hit(self, scope: str, key: str, limit: str) -> None:
        """Count one event; raise ``RateLimited`` when ``limit`` ("5/hour") is exceeded."""


class NoRateLimit:
    def hit(self, scope: str, key: str, limit: str) -> None:
        return None


@dataclass
class Client:
    """Who is on the other end of the request."""

    ip: str = "0.0.0.0"  # noqa: S104 - a placeholder address, never bound
    user_agent: str = ""
    browser_id: str | None = None
    locale: str = "vi"


@dataclass
class Services:
    session: Session
    registries: Any
    sms: Any
    hasher: Any
    policy: Any
    audit: Auditor
    key: bytes
    now: datetime
    rng: Rng
    cfg: Mapping[str, Any]
    limiter: RateLimiter = field(default_factory=NoRateLimit)
    client: Client = field(default_factory=Client)
    defer: Callable[[Callable[[], None]], None] = field(default=lambda fn: fn())
    mail: Any = None
    replay: Any = None  # .seen(key, expires, now) -> bool; None: the database decides

    def limit(self, scope: str, key: str, limit_name: str) -> None:
        limits = self.cfg.get("RATE_LIMITS", {})
        if self.cfg.get("RATE_LIMIT_ENABLED", True) and limit_name in limits:
            self.limiter.hit(scope, key, limits[limit_name])
