"""The anti-automation layer: limits per client address on every endpoint a stranger
can reach, and the storage for the limits the use cases key by ID number, phone or
account (``Services.limit``).

One table (:data:`ENDPOINT_LIMITS`) names the limits of each endpoint; one
``before_request`` hook applies it, before the request does any work. Endpoints
outside the table are listed in :data:`NOT_LIMITED` with the reason (signed in,
static, development only); ``tests/app/test_rate_limits.py`` fails on an endpoint
in neither. Counters are shared per limit name, not per endpoint, so moving from one
sign-in form to the other does not buy a stranger a fresh budget.

Storage: Flask-Limiter's (the ``limits`` package, moving window), in Redis when
``REDIS_URL`` is set, so every worker shares the counts, in memory otherwise. Each
limit's value ("20/minute;200/hour") is ``RATE_LIMITS[name]``, set from
``EID_RATE_LIMIT_<NAME>`` (docs/rate-limits.md). A refused request raises
:class:`~eid.accounts.errors.RateLimited` (429, ``retry_after``), which
``eid.app.errors`` turns into ``Retry-After`` and JSON or the "too many requests" page.
"""
from __future__ import annotations

import hashlib
import ipaddress
import time
from collections.abc import Iterable, Mapping

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse_many

from eid.accounts.errors import RateLimited
from eid.web.proxies import client_ip

DEFAULT_LIMITS = {
    # inside the use cases (svc.limit), keyed by ID number / phone / account
    "signup_per_id": "5/hour",
    "signup_per_phone": "5/hour",
    "reset_per_id": "5/hour",
    "reset_per_phone": "5/hour",
    "mobile_otp_per_phone": "5/hour",
    # app registration: card-QR checks (and 3 per registration, in its row)
    "register_qr_per_id": "10/hour",
    "register_qr_per_phone": "10/hour",
    "register_qr_per_ip": "30/hour",
    # every SMS or e-mail code (eid.accounts.messaging); decoys are charged alike
    "sms_per_phone": "10/hour;20/day",
    "sms_per_prefix": "200/hour",
    "sms_per_country": "300/hour;1000/day",
    "sms_per_country_84": "20000/hour",
    "sms_per_country_98": "20000/hour",
    "sms_global": "50000/hour",
    "mail_per_address": "10/hour;20/day",
    "mail_global": "50000/hour",
    "notice_per_recipient": "10/hour;30/day",
    # wrong OTP codes per ID number and per phone, across challenges (eid.accounts.otp)
    "otp_guesses_per_subject": "10/hour;20/day",
    # per client address, by endpoint (ENDPOINT_LIMITS)
    "ip_pages": "300/minute",
    "ip_captcha": "30/minute;300/hour",
    "ip_signin": "20/minute;200/hour",
    "ip_register": "10/minute;100/hour",
    "ip_otp": "30/minute;300/hour",
    "ip_forms": "60/minute",
    "ip_qr": "30/minute;300/hour",
    "ip_qr_poll": "300/minute",
    "ip_token": "60/minute;1000/hour",
    "ip_oidc_client": "600/minute",
}

#: endpoint (or "METHOD endpoint", which wins) -> the per-IP limits it counts against
ENDPOINT_LIMITS: Mapping[str, tuple[str, ...]] = {
    # pages anyone may open; those that draw a captcha also count against ip_captcha
    "portal.home": ("ip_pages",),
    "portal.login": ("ip_pages", "ip_captcha"),
    "portal.register": ("ip_pages", "ip_captcha"),
    "portal.forgot": ("ip_pages", "ip_captcha"),
    "GET portal.register_otp": ("ip_pages",),
    "GET portal.login_otp": ("ip_pages",),
    "GET portal.forgot_otp": ("ip_pages",),
    "GET portal.register_password": ("ip_pages",),
    "GET portal.forgot_password": ("ip_pages",),
    "openapi.openapi_json": ("ip_pages",),
    "captcha.audio": ("ip_captcha",),
    "mobile_api.new_captcha": ("ip_captcha",),
    # a password guess
    "portal.login_post": ("ip_signin",),
    "mobile_api.signin_start": ("ip_signin",),
    # start a flow: creates rows, may send an SMS
    "portal.register_post": ("ip_register",),
    "portal.forgot_post": ("ip_register",),
    "mobile_api.signup_start": ("ip_register",),
    "mobile_api.forgot_start": ("ip_register",),
    "mobile_api.register_start": ("ip_register",),
    "mobile_api.register_qr": ("ip_register",),
    "mobile_api.register_confirm": ("ip_register",),
    "mobile_api.mobile_start": ("ip_register",),
    "mobile_api.mobile_email": ("ip_register",),
    "mobile_api.mobile_identity": ("ip_register",),
    # a code guess or a new code
    "POST portal.register_otp": ("ip_otp",),
    "POST portal.login_otp": ("ip_otp",),
    "POST portal.forgot_otp": ("ip_otp",),
    "portal.register_resend": ("ip_otp",),
    "portal.login_resend": ("ip_otp",),
    "portal.forgot_resend": ("ip_otp",),
    "mobile_api.signup_verify": ("ip_otp",),
    "mobile_api.signup_resend": ("ip_otp",),
    "mobile_api.signin_verify": ("ip_otp",),
    "mobile_api.signin_resend": ("ip_otp",),
    "mobile_api.forgot_verify": ("ip_otp",),
    "mobile_api.forgot_resend": ("ip_otp",),
    "mobile_api.register_verify": ("ip_otp",),
    "mobile_api.register_resend": ("ip_otp",),
    "mobile_api.mobile_verify": ("ip_otp",),
    # finish a flow started above
    "POST portal.register_password": ("ip_forms",),
    "POST portal.forgot_password": ("ip_forms",),
    "portal.logout": ("ip_forms",),
    "mobile_api.signup_complete": ("ip_forms",),
    "mobile_api.forgot_complete": ("ip_forms",),
    "mobile_api.register_complete": ("ip_forms",),
    "mobile_api.mobile_finish": ("ip_forms",),
    # desktop QR login (the Socket.IO events count against the same budget)
    "qr.http_start": ("ip_qr",),
    "qr.http_rotate": ("ip_qr",),
    "qr.http_redeem": ("ip_qr",),
    "qr.http_status": ("ip_qr_poll",),
    # a refresh token is a bearer secret anyone may send
    "mobile_api.refresh": ("ip_token",),
    # the OpenID provider: the browser's side, then the relying portals' servers (one
    # address serves many citizens, hence the larger budget)
    "oidc.discovery": ("ip_pages",),
    "oidc.jwks": ("ip_pages",),
    "oidc.authorize": ("ip_pages",),
    "oidc.resume": ("ip_pages",),
    "oidc.end_session": ("ip_pages",),
    "oidc.consent": ("ip_forms",),
    "oidc.confirm_logout": ("ip_forms",),
    "oidc.token": ("ip_oidc_client",),
    "oidc.par": ("ip_oidc_client",),
    "oidc.introspect": ("ip_oidc_client",),
    "oidc.revoke": ("ip_oidc_client",),
    "oidc.userinfo": ("ip_oidc_client",),
}

#: Socket.IO events ("namespace event") -> limits, applied by :func:`limit_event`
SOCKET_LIMITS: Mapping[str, tuple[str, ...]] = {
    "/qr-login start": ("ip_qr",),
    "/qr-login rotate": ("ip_qr",),
}

SIGNED_IN = "needs a signed-in session or token (256-bit, not guessable); limited per account"
#: endpoints without a per-IP limit, and why
NOT_LIMITED: Mapping[str, str] = {
    "static": "static files", "vendor.vendor": "static files",
    "health.healthz": "the load balancer's probe",
    **{name: SIGNED_IN for name in (
        "portal.account", "portal.change_password", "portal.account_sessions",
        "portal.revoke_session", "desk.search", "desk.find", "desk.read_card", "desk.upgrade",
        "oidc.connected", "oidc.revoke_consent",
        "mobile_api.act_as", "mobile_api.address_requests", "mobile_api.revoke_app_session",
        "mobile_api.chip_start", "mobile_api.chip_read", "mobile_api.list_companies",
        "mobile_api.list_dependents", "mobile_api.add_dependent", "mobile_api.list_devices",
        "mobile_api.deactivate", "mobile_api.activate_complete", "mobile_api.activate_start",
        "mobile_api.transfer_code", "mobile_api.me", "mobile_api.change_password",
        "mobile_api.decision", "mobile_api.report", "mobile_api.scan",
        "mobile_api.list_sessions", "mobile_api.revoke_session", "mobile_api.web_login_setting",
        "mobile_api.signout", "mobile_api.signout_everywhere", "mobile_api.web_sessions",
        "mobile_api.revoke_web_session", "mobile_api.list_connected_services",
        "mobile_api.withdraw_connected_service")},
}
NOT_LIMITED_PREFIXES = {"dev.": "development only (not registered in production)"}

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True,
                  strategy="moving-window")


def init_app(app: Flask) -> None:
    app.config.setdefault("RATE_LIMITS", {**DEFAULT_LIMITS, **app.config.get("RATE_LIMIT_OVERRIDES", {})})
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    app.config["RATELIMIT_ENABLED"] = app.config["RATE_LIMIT_ENABLED"]
    app.config["RATELIMIT_KEY_PREFIX"] = app.config.get("RATELIMIT_KEY_PREFIX", "eid")
    limiter.init_app(app)
    app.before_request(_limit_endpoint)


def limits_for(method: str, endpoint: str | None) -> tuple[str, ...]:
    """The per-IP limits a request to ``endpoint`` counts against."""
    if endpoint is None:
        return ()
    return ENDPOINT_LIMITS.get(f"{method} {endpoint}") or ENDPOINT_LIMITS.get(endpoint, ())


def address_key(address: str) -> str:
    """An IPv4 address, or the /64 of an IPv6 one (a single subscriber gets a whole /64)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _limit_endpoint() -> None:
    method = "GET" if request.method == "HEAD" else request.method
    names = limits_for(method, request.endpoint)
    if names:
        enforce(names)


def limit_event(namespace: str, event: str) -> None:
    """The per-IP limits of a Socket.IO event (no ``before_request`` runs for those).

    Raises:
        RateLimited: over one of its limits."""
    enforce(SOCKET_LIMITS.get(f"{namespace} {event}", ()))


def enforce(names: Iterable[str]) -> None:
    """Count this request against each named per-IP limit.

    Raises:
        RateLimited: over one of them (``retry_after``: seconds until a slot frees up)."""
    cfg = current_app.config
    if not cfg["RATE_LIMIT_ENABLED"]:
        return
    who = address_key(client_ip())
    for name in names:
        _hit(parse_many(cfg["RATE_LIMITS"].get(name) or DEFAULT_LIMITS[name]), "ip", name, who)


def _hit(items: list[RateLimitItem], scope: str, name: str, key: str) -> None:
    prefix = current_app.config["RATELIMIT_KEY_PREFIX"]
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    for item in items:
        if not limiter.limiter.hit(item, prefix, scope, name, digest):
            stats = limiter.limiter.get_window_stats(item, prefix, scope, name, digest)
            wait = max(1, int(stats.reset_time - time.time()) + 1)
            raise RateLimited("Too many requests. Please try again later.", retry_after=wait)


class KeyedLimiter:
    """Counts events per (scope, key) in the limiter's storage (``Services.limit``)."""

    def hit(self, scope: str, key: str, limit: str) -> None:
        _hit(parse_many(limit), "keyed", scope, key)
