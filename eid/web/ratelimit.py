"""Rate limits: Flask-Limiter for per-IP limits on endpoints, and the same storage
(memory, or Redis when ``REDIS_URL`` is set, so every worker shares the counts)
for limits keyed by ID number or phone inside the use cases.
"""
from __future__ import annotations

import hashlib
import time

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse

from eid.accounts.errors import RateLimited

DEFAULT_LIMITS = {
    "signup_per_id": "5/hour",
    "signup_per_phone": "5/hour",
    "reset_per_id": "5/hour",
    "reset_per_phone": "5/hour",
    "mobile_otp_per_phone": "5/hour",
    "ip_forms": "60/minute",
}

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True,
                  strategy="moving-window")


def init_app(app: Flask) -> None:
    app.config.setdefault("RATE_LIMITS", dict(DEFAULT_LIMITS))
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    app.config["RATELIMIT_ENABLED"] = app.config["RATE_LIMIT_ENABLED"]
    app.config["RATELIMIT_KEY_PREFIX"] = app.config.get("RATELIMIT_KEY_PREFIX", "eid")
    limiter.init_app(app)


class KeyedLimiter:
    """Counts events per (scope, key) in the limiter's storage."""

    def hit(self, scope: str, key: str, limit: str) -> None:
        item = parse(limit)
        digest = hashlib.sha256(key.encode()).hexdigest()[:32]
        prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
        if not limiter.limiter.hit(item, prefix, "keyed", scope, digest):
            stats = limiter.limiter.get_window_stats(item, prefix, "keyed", scope, digest)
            wait = max(1, int(stats.reset_time - time.time()))
            raise RateLimited("Too many requests. Please try again later.", retry_after=wait)
