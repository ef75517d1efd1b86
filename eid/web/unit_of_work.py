"""Request-scoped wiring: builds the :class:`~eid.accounts.context.Services` a use
case needs, and commits or rolls back at the end of the request.

Commit policy: a successful response commits; an expected domain error (an
``EidError``) commits too, because the use cases raise only after their own
writes are complete (OTP attempt counters, sign-in failure counters, a used
captcha); any other exception rolls back, so nothing is half-written. Work put
off with ``defer`` (SMS sending) is handed to a small worker pool once the
commit succeeded, so the answer's timing does not depend on whether an SMS went
out. (``DEFER_INLINE`` runs it in the request instead, for the unit tests.)
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, request

from eid.accounts.context import Client, Services, Settings
from eid.clock import Clock
from eid.web import proxies
from eid.web.audit import AuditWriter
from eid.web.db import db
from eid.web.ratelimit import KeyedLimiter

BROWSER_COOKIE = "eid_browser"


@dataclass
class AppParts:
    """Long-lived collaborators built once per app."""

    clock: Clock
    hasher: Any
    policy: Any
    sms: Any
    registries_factory: Callable[[Any], Any]
    replay: Any = None
    mail: Any = None


def parts(app: Flask | None = None) -> AppParts:
    return (app or current_app).extensions["eid.parts"]  # type: ignore[no-any-return]


def derive_key(secret: str, purpose: str) -> bytes:
    return hashlib.sha256(f"eid:{purpose}:".encode() + secret.encode()).digest()


def client_ip() -> str:
    """The client's address: the socket's peer, or what a trusted proxy recorded
    (``EID_TRUSTED_PROXIES``, see :mod:`eid.web.proxies`); never a header as sent."""
    return proxies.client_ip()


def services() -> Services:
    if "eid_services" in g:
        return g.eid_services  # type: ignore[no-any-return]
    app = current_app
    p = parts()
    now = p.clock.now()
    key = derive_key(app.config["SECRET_KEY"], "hmac")
    s = db.session
    locale = getattr(g, "locale", "vi")
    svc = Services(
        session=s, registries=p.registries_factory(s), sms=p.sms, hasher=p.hasher, policy=p.policy,
        audit=AuditWriter(s, key, now, client_ip(), request.headers.get("User-Agent")),
        key=key, now=now, rng=p.clock.rng, settings=Settings.from_config(app.config), limiter=KeyedLimiter(),
        client=Client(ip=client_ip(), user_agent=request.headers.get("User-Agent", "")[:300],
                      browser_id=request.cookies.get(BROWSER_COOKIE), locale=locale),
        defer=_defer, replay=p.replay, mail=p.mail,
    )
    g.eid_services = svc
    return svc


def _defer(fn: Callable[[], None]) -> None:
    g.setdefault("eid_deferred", []).append(fn)


def after_commit(fn: Callable[[], None]) -> None:
    """Run ``fn`` in this request right after its commit succeeds (never on rollback):
    for quick notifications, such as a Socket.IO emit, that must follow the commit
    without the hand-off to the worker pool."""
    g.setdefault("eid_after_commit", []).append(fn)


def mark_expected_error() -> None:
    g.eid_expected_error = True


_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="eid-deferred")
    return _pool


def init_app(app: Flask) -> None:
    timing = bool(app.config.get("SERVER_TIMING"))

    if timing:
        def _started() -> None:
            g.eid_t0 = time.perf_counter()

        app.before_request_funcs.setdefault(None, []).insert(0, _started)  # before any other

    @app.after_request
    def _finish(resp: Response) -> Response:
        if "eid_services" not in g:
            return resp
        _settle(app, resp)
        if timing and "eid_emit_at" in g and "eid_t0" in g:  # request start -> event emitted
            resp.headers["Server-Timing"] = f"emit;dur={(g.eid_emit_at - g.eid_t0) * 1000:.3f}"
        return resp


def _settle(app: Flask, resp: Response) -> None:
    """Commit (then run what waited for the commit) or roll back, by the response."""
    if resp.status_code < 400 or g.get("eid_expected_error"):
        db.session.commit()
        for fn in g.pop("eid_after_commit", []):
            _guarded(fn)()
        for fn in g.pop("eid_deferred", []):
            if app.config.get("DEFER_INLINE"):
                _guarded(fn)()
            else:
                _executor().submit(_guarded(fn))
    else:
        db.session.rollback()
        g.pop("eid_after_commit", None)


def _guarded(fn: Callable[[], None]) -> Callable[[], None]:
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> None:
        try:
            fn()
        except Exception:
            app.logger.exception("deferred task failed")

    return run
