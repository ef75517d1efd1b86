"""Security headers and cookie settings for every response."""
from __future__ import annotations

from flask import Flask, Response


def session_cookie_name(secure: bool) -> str:
    return "__Host-eid_session" if secure else "eid_session"


def init_app(app: Flask) -> None:
    secure = app.config["COOKIE_SECURE"]
    app.config.update(
        SESSION_COOKIE_NAME="__Host-eid_pre" if secure else "eid_pre",
        SESSION_COOKIE_SECURE=secure, SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_PATH="/",
        EID_SESSION_COOKIE=session_cookie_name(secure),
    )

    @app.after_request
    def _headers(resp: Response) -> Response:
        h = resp.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        h.setdefault("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' data: blob:; media-src 'self' data: blob:; "
                     "style-src 'self'; script-src 'self'; connect-src 'self' ws: wss:; "
                     "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
        if secure:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if resp.mimetype == "text/html":
            h.setdefault("Cache-Control", "no-store")
        return resp
