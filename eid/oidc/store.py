"""Short-lived, single-use records shared by every worker: authorization codes, PAR
``request_uri``s, pending authorizations, spent client-assertion ids and revoked
access-token ids. Redis when ``REDIS_URL`` is set (``GETDEL`` takes a record once),
the ``oidc_ephemeral`` table otherwise (``DELETE ... RETURNING`` in the request's
transaction). Keys are hashed before they are stored."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from eid.models.oidc import OidcEphemeral


def hashed(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class Store(Protocol):
    def put(self, kind: str, key: str, value: dict[str, Any], ttl: int, now: datetime) -> None: ...

    def take(self, kind: str, key: str, now: datetime) -> dict[str, Any] | None:
        """The record, removed (None if absent or expired): only one caller gets it."""

    def get(self, kind: str, key: str, now: datetime) -> dict[str, Any] | None: ...

    def add(self, kind: str, key: str, ttl: int, now: datetime) -> bool:
        """Record ``key``; False if it was there already (replay check)."""


class SqlStore:
    def __init__(self, session: Callable[[], Session]) -> None:
        self._session = session

    def put(self, kind: str, key: str, value: dict[str, Any], ttl: int, now: datetime) -> None:
        s = self._session()
        s.merge(OidcEphemeral(kind=kind, key=hashed(key), value=json.dumps(value),
                              expires_at=now + timedelta(seconds=ttl)))
        s.flush()

    def take(self, kind: str, key: str, now: datetime) -> dict[str, Any] | None:
        s = self._session()
        raw = s.scalar(delete(OidcEphemeral).where(
            OidcEphemeral.kind == kind, OidcEphemeral.key == hashed(key),
            OidcEphemeral.expires_at > now).returning(OidcEphemeral.value))
        return json.loads(raw) if raw is not None else None

    def get(self, kind: str, key: str, now: datetime) -> dict[str, Any] | None:
        raw = self._session().scalar(select(OidcEphemeral.value).where(
            OidcEphemeral.kind == kind, OidcEphemeral.key == hashed(key), OidcEphemeral.expires_at > now))
        return json.loads(raw) if raw is not None else None

    def add(self, kind: str, key: str, ttl: int, now: datetime) -> bool:
        if self.get(kind, key, now) is not None:
            return False
        self.put(kind, key, {}, ttl, now)
        return True

    def sweep(self, now: datetime) -> int:
        result = self._session().execute(delete(OidcEphemeral).where(OidcEphemeral.expires_at <= now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class RedisStore:
    def __init__(self, client: Any, prefix: str) -> None:
        self.r, self.prefix = client, prefix

    def _k(self, kind: str, key: str) -> str:
        return f"{self.prefix}{kind}:{hashed(key)}"

    def put(self, kind: str, key: str, value: dict[str, Any], ttl: int, now: datetime) -> None:
        self.r.set(self._k(kind, key), json.dumps(value), ex=max(1, ttl))

    def take(self, kind: str, key: str, now: datetime) -> dict[str, Any] | None:
        raw = self.r.getdel(self._k(kind, key))
        return json.loads(raw) if raw is not None else None

    def get(self, kind: str, key: str, now: datetime) -> dict[str, Any] | None:
        raw = self.r.get(self._k(kind, key))
        return json.loads(raw) if raw is not None else None

    def add(self, kind: str, key: str, ttl: int, now: datetime) -> bool:
        return bool(self.r.set(self._k(kind, key), b"{}", ex=max(1, ttl), nx=True))
