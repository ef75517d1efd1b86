"""One-time ids (DPoP ``jti``) seen recently, so a replayed proof is refused.

Single process (the embedded default): an in-memory map with expiry, no database
write on the hot path. Several workers (``REDIS_URL``): ``SET NX EX`` in Redis, so
every worker sees every id.
"""
from __future__ import annotations

import threading
from datetime import datetime
from typing import Any


class MemoryReplayCache:
    def __init__(self, limit: int = 200_000) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()
        self._limit = limit

    def seen(self, key: str, expires: datetime, now: datetime) -> bool:
        stamp = now.timestamp()
        with self._lock:
            if self._seen.get(key, 0.0) > stamp:
                return True
            if len(self._seen) >= self._limit:
                self._seen = {k: v for k, v in self._seen.items() if v > stamp}
            self._seen[key] = expires.timestamp()
            return False


class RedisReplayCache:
    def __init__(self, client: Any, prefix: str) -> None:
        self.r, self.prefix = client, prefix

    def seen(self, key: str, expires: datetime, now: datetime) -> bool:
        ttl = max(1, int((expires - now).total_seconds()) + 1)
        return not self.r.set(f"{self.prefix}:jti:{key}", b"1", ex=ttl, nx=True)


def replay_cache_for(config: Any) -> Any:
    if config.get("REDIS_URL"):
        import redis

        return RedisReplayCache(redis.Redis.from_url(config["REDIS_URL"]),
                                config.get("RATELIMIT_KEY_PREFIX", "eid"))
    return MemoryReplayCache()
