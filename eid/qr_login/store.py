"""Where login transactions live: the database or Redis, never one process's memory,
so the desktop's socket and the phone's approval may be on different workers.

Both stores keep the pure core's JSON (``LoginTransaction.to_dict()``) and update it
by compare-and-set on ``version``: two racing transitions (two scans, two redeems)
cannot both win. ``seen(key, ttl)`` records one-time ids (approval ``jti``) for replay
checks.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from eid.models.devices import UsedProof
from eid.models.ops import insert_if_absent
from eid.models.qr import QrApprovalRecord, QrLoginTx


class Store(Protocol):
    def create(self, tx_id: str, data: dict[str, Any], *, state: str, version: int,
               expires_at: datetime) -> None: ...

    def get(self, tx_id: str) -> dict[str, Any] | None: ...

    def cas(self, tx_id: str, expected_version: int, data: dict[str, Any], *, state: str,
            version: int, expires_at: datetime) -> bool: ...

    def seen(self, key: str, expires_at: datetime, now: datetime) -> bool: ...


class Purgeable(Protocol):
    """A store whose ended transactions must be deleted by someone (the SQL store;
    Redis drops them itself, by their TTL)."""

    def purge(self, now: datetime) -> int: ...


PURGE_AFTER = timedelta(hours=1)  # as long as RedisStore keeps a transaction past its end


class DecisionLog(Protocol):
    """Where the phone's signed approvals and denials are kept as evidence (always the
    database, whichever store holds the transactions)."""

    def record(self, *, tx_id: str, account_id: int, device_id: int, decision: str, payload: str,
               signature: str, received_at: datetime) -> None: ...


class SqlDecisionLog:
    """Rows of ``qr_approval_record``, one INSERT built once."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session = session_factory

    def record(self, *, tx_id: str, account_id: int, device_id: int, decision: str, payload: str,
               signature: str, received_at: datetime) -> None:
        self._session().connection().execute(_record_statement(), {
            "tx_id": tx_id, "account_id": account_id, "device_id": device_id, "decision": decision,
            "payload": payload, "signature": signature, "received_at": received_at})


@lru_cache(maxsize=1)
def _record_statement() -> Any:
    return insert(cast(Table, QrApprovalRecord.__table__))


class SqlStore:
    """Transactions as rows of ``qr_login_tx``; CAS is ``UPDATE ... WHERE version = ?``."""

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session = session_factory

    def create(self, tx_id: str, data: dict[str, Any], *, state: str, version: int,
               expires_at: datetime) -> None:
        s = self._session()
        s.add(QrLoginTx(id=tx_id, version=version, state=state, data=data, expires_at=expires_at))
        s.flush()

    def get(self, tx_id: str) -> dict[str, Any] | None:
        t = cast(Table, QrLoginTx.__table__)
        data = self._session().connection().execute(
            select(t.c.data).where(t.c.id == tx_id)).scalar_one_or_none()
        return dict(data) if data is not None else None

    def cas(self, tx_id: str, expected_version: int, data: dict[str, Any], *, state: str,
            version: int, expires_at: datetime) -> bool:
        result = self._session().connection().execute(_cas_statement(), {
            "tx_id": tx_id, "expected": expected_version, "data": data, "state": state,
            "version": version, "expires_at": expires_at})
        return bool(result.rowcount)

    def seen(self, key: str, expires_at: datetime, now: datetime) -> bool:
        return not insert_if_absent(self._session(), UsedProof, {"jti": key, "expires_at": expires_at})

    def purge(self, now: datetime) -> int:
        """Delete the transactions that ended over ``PURGE_AFTER`` ago; returns how many.
        (Their approvals stay in ``qr_approval_record``; the caller commits.)"""
        s = self._session()
        result = s.execute(delete(QrLoginTx).where(QrLoginTx.expires_at < now - PURGE_AFTER))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def _cas_statement() -> Any:
    """``UPDATE qr_login_tx SET data, state, version, expires_at WHERE id = :tx_id AND
    version = :expected``, built once (the SET columns come from the parameters)."""
    t = cast(Table, QrLoginTx.__table__)
    return update(t).where(t.c.id == bindparam("tx_id"), t.c.version == bindparam("expected"))


_CAS = """
local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local v = cjson.decode(cur)['_v']
if tonumber(v) ~= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""


class RedisStore:
    """Transactions as Redis strings with a TTL; CAS in a Lua script (atomic)."""

    def __init__(self, client: Any, prefix: str = "eid:qr:") -> None:
        self.r, self.prefix = client, prefix
        self._cas = client.register_script(_CAS)

    def _key(self, tx_id: str) -> str:
        return f"{self.prefix}tx:{tx_id}"

    @staticmethod
    def _ttl_ms(expires_at: datetime, now: datetime | None = None) -> int:
        ref = now or datetime.now(UTC)
        return max(1000, int((expires_at - ref).total_seconds() * 1000) + 3_600_000)

    def create(self, tx_id: str, data: dict[str, Any], *, state: str, version: int,
               expires_at: datetime) -> None:
        blob = json.dumps({**data, "_v": version, "_state": state})
        if not self.r.set(self._key(tx_id), blob, px=self._ttl_ms(expires_at), nx=True):
            raise KeyError(f"transaction {tx_id} exists")

    def get(self, tx_id: str) -> dict[str, Any] | None:
        raw = self.r.get(self._key(tx_id))
        if raw is None:
            return None
        data = json.loads(raw)
        data.pop("_v", None)
        data.pop("_state", None)
        return dict(data)

    def cas(self, tx_id: str, expected_version: int, data: dict[str, Any], *, state: str,
            version: int, expires_at: datetime) -> bool:
        blob = json.dumps({**data, "_v": version, "_state": state})
        return bool(self._cas(keys=[self._key(tx_id)],
                              args=[expected_version, blob, self._ttl_ms(expires_at)]))

    def purge(self, now: datetime) -> int:
        """Nothing to do: every key carries its TTL."""
        return 0

    def seen(self, key: str, expires_at: datetime, now: datetime) -> bool:
        ttl = max(1, int((expires_at - now).total_seconds()) + 60)
        return not self.r.set(f"{self.prefix}seen:{key}", b"1", ex=ttl, nx=True)
