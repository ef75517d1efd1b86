"""What an accounts use case needs from the outside world, passed in explicitly.

The web layer (pages and the mobile API) builds one :class:`Services` per request;
tests build it with a frozen clock, seeded randomness and a plain SQLAlchemy session
(see ``tests/accounts/conftest.py``). Every collaborator is a Protocol, so a test can
pass a recorder and the domain never learns which adapter it talks to.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from eid.accounts.registries.interfaces import Registries
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


class MessageSender(Protocol):
    """An SMS gateway, or a mailer (``to`` is then an e-mail address)."""

    def send(self, to: str, text: str, *, kind: str) -> None: ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, stored: str, password: str) -> None:
        """Raises ``InvalidCredentials`` on a mismatch."""

    def needs_rehash(self, stored: str) -> bool: ...

    def dummy_verify(self) -> None: ...


class PasswordRules(Protocol):
    def check(self, password: str, *, id_number: str | None = None, full_name: str | None = None,
              birth_date: date | None = None, phone: str | None = None) -> None:
        """Raises ``WeakPassword`` listing every rule the password breaks."""


class ReplayCache(Protocol):
    def seen(self, key: str, expires: datetime, now: datetime) -> bool:
        """Record ``key`` until ``expires``; True if it was recorded already."""


class NoRateLimit:
    def hit(self, scope: str, key: str, limit: str) -> None:
        return None


@dataclass(frozen=True)
class Settings:
    """The accounts' tunables (from the app's configuration, or a test's choice)."""

    session_idle_seconds: int = 15 * 60
    session_absolute_seconds: int = 8 * 3600
    otp_ttl_seconds: int = 300
    otp_resend_seconds: int = 60
    otp_max_attempts: int = 5
    login_max_failures: int = 5
    login_lock_seconds: int = 15 * 60  # the longest delay between password attempts
    login_backoff_seconds: int = 60  # the first delay, doubling with each failure after that
    login_hard_limit: int = 100  # consecutive failures after which a pool refuses every password
    login_failure_memory_seconds: int = 30 * 86400
    rate_limits: Mapping[str, str] = field(default_factory=dict)
    rate_limit_enabled: bool = True

    @classmethod
    def from_config(cls, cfg: Mapping[str, object]) -> Settings:
        """Read the ``SESSION_IDLE_SECONDS``-style keys of a Flask-like config."""
        ints = {name: int(str(cfg[name.upper()])) for name in (
            "session_idle_seconds", "session_absolute_seconds", "otp_ttl_seconds",
            "otp_resend_seconds", "otp_max_attempts", "login_max_failures", "login_lock_seconds",
            "login_backoff_seconds", "login_hard_limit", "login_failure_memory_seconds")
            if name.upper() in cfg}
        limits = cfg.get("RATE_LIMITS")
        return cls(**ints, rate_limits=dict(limits) if isinstance(limits, Mapping) else {},
                   rate_limit_enabled=bool(cfg.get("RATE_LIMIT_ENABLED", True)))


@dataclass
class Client:
    """Who is on the other end of the request."""

    ip: str = "0.0.0.0"  # noqa: S104 - a placeholder address, never bound
    user_agent: str = ""
    browser_id: str | None = None
    locale: str = "vi"


def _run_now(fn: Callable[[], None]) -> None:
    fn()


@dataclass
class Services:
    session: Session
    registries: Registries
    sms: MessageSender
    hasher: PasswordHasher
    policy: PasswordRules
    audit: Auditor
    key: bytes
    now: datetime
    rng: Rng
    settings: Settings = field(default_factory=Settings)
    limiter: RateLimiter = field(default_factory=NoRateLimit)
    client: Client = field(default_factory=Client)
    defer: Callable[[Callable[[], None]], None] = _run_now
    mail: MessageSender | None = None
    replay: ReplayCache | None = None  # None: the database decides

    def limit(self, scope: str, key: str, limit_name: str) -> None:
        limits = self.settings.rate_limits
        if self.settings.rate_limit_enabled and limit_name in limits:
            self.limiter.hit(scope, key, limits[limit_name])
