"""The one-time-id caches behind DPoP replay detection: memory (one process) and Redis."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from eid.web.replay import MemoryReplayCache, RedisReplayCache

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_an_id_is_refused_until_it_expires_then_free_again() -> None:
    cache = MemoryReplayCache()
    assert cache.seen("k:1", T0 + timedelta(minutes=2), T0) is False
    assert cache.seen("k:1", T0 + timedelta(minutes=3), T0 + timedelta(minutes=1)) is True
    assert cache.seen("k:2", T0 + timedelta(minutes=2), T0) is False
    assert cache.seen("k:1", T0 + timedelta(minutes=5), T0 + timedelta(minutes=2, seconds=1)) is False


def test_a_full_cache_drops_only_expired_ids() -> None:
    cache = MemoryReplayCache(limit=3)
    cache.seen("old", T0 + timedelta(seconds=10), T0)
    cache.seen("live-1", T0 + timedelta(minutes=5), T0)
    cache.seen("live-2", T0 + timedelta(minutes=5), T0)
    later = T0 + timedelta(minutes=1)
    assert cache.seen("new", later + timedelta(minutes=2), later) is False  # purges "old"
    assert cache.seen("live-1", later + timedelta(minutes=2), later) is True
    assert cache.seen("live-2", later + timedelta(minutes=2), later) is True
    assert cache.seen("new", later + timedelta(minutes=2), later) is True


@pytest.mark.redis
def test_redis_ids_are_shared_and_expire(redis_url: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_url)
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    a, b = RedisReplayCache(client, prefix), RedisReplayCache(client, prefix)  # two workers
    assert a.seen("k:1", T0 + timedelta(seconds=90), T0) is False
    assert b.seen("k:1", T0 + timedelta(seconds=90), T0) is True
    ttl = client.ttl(f"{prefix}:jti:k:1")
    assert 60 < ttl <= 91
    client.delete(f"{prefix}:jti:k:1")
