"""The one place that turns exceptions into HTTP answers.

API paths (``/api/``, ``/dev/`` JSON) get ``{"error": code, "message": text}``
plus any public details; pages get a readable error page. Unexpected exceptions
are logged and answered with a generic 500 body that leaks nothing.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from eid.errors import EidError

log = logging.getLogger(__name__)
PUBLIC_DETAILS = ("fields", "reasons", "attempts_left", "retry_after", "until")


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/dev/")) or request.is_json or \
        request.accept_mimetypes.best == "application/json"


def body(exc: EidError) -> dict[str, Any]:
    out: dict[str, Any] = {"error": exc.error, "message": exc.detail_message}
    for key in PUBLIC_DETAILS:
        if key in exc.details and exc.details[key] is not None:
            value = exc.details[key]
            out[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def _oauth_429(payload: dict[str, Any], headers: dict[str, str] | None) -> Any:
    """A 429 at an endpoint a relying party calls (the OpenID provider lists them in
    ``app.extensions["eid.oauth_endpoints"]``): an RFC 6749 §5.2-shaped body, since RFC
    6749 has no code for it ``temporarily_unavailable``, plus the house's ``message``."""
    text = str(payload.get("message") or "Too many requests. Please try again later.")
    out: dict[str, Any] = {"error": "temporarily_unavailable", "error_description": text, "message": text}
    wait = (headers or {}).get("Retry-After") or payload.get("retry_after")
    if wait is not None and str(wait).isdigit():
        out["retry_after"] = int(wait)
    resp = jsonify(out)
    resp.status_code = 429
    resp.headers.update({**(headers or {}), "Cache-Control": "no-store", "Pragma": "no-cache"})
    if "retry_after" in out:
        resp.headers["Retry-After"] = str(out["retry_after"])
    return resp


def _respond(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    if status == 429 and request.endpoint in current_app.extensions.get("eid.oauth_endpoints", ()):
        return _oauth_429(payload, headers)
    page = "rate_limited.html" if status == 429 else "error.html"
    resp = jsonify(payload) if wants_json() else render_template(page, error=payload, status=status)
    resp = resp if not isinstance(resp, str) else (resp, status)
    if isinstance(resp, tuple):
        return resp[0], status, headers or {}
    resp.status_code = status
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def http_headers(exc: HTTPException) -> dict[str, str]:
    """The headers Werkzeug's exception carries (``Allow`` on a 405, ``Retry-After``,
    ``WWW-Authenticate``), without its HTML content type: they belong to the answer
    whatever its body (RFC 9110 §15.5.6: a 405 MUST send ``Allow``)."""
    return {k: v for k, v in exc.get_headers() if k.lower() not in ("content-type", "content-length")}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(EidError)
    def _eid(exc: EidError) -> Any:
        g.eid_expected_error = True  # the use case finished its own writes: commit them
        headers = {}
        if "retry_after" in exc.details:
            headers["Retry-After"] = str(exc.details["retry_after"])
        return _respond(exc.status, body(exc), headers)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        code = (exc.name or "error").lower().replace(" ", "_")
        headers = http_headers(exc)
        if exc.code == 429 and "Retry-After" not in headers:  # a Flask-Limiter decorator's limit
            from eid.web.ratelimit import limiter

            hit = limiter.current_limit
            if hit is not None:
                headers["Retry-After"] = str(max(1, int(hit.reset_at - time.time()) + 1))
        return _respond(exc.code or 500, {"error": code, "message": exc.description or exc.name}, headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Any:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _respond(500, {"error": "internal_error",
                              "message": "Something went wrong on our side. Please try again."})
