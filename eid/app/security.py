"""Security headers and cookie settings for every response."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, Response, g

_HOST_PORT = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


def session_cookie_name(secure: bool) -> str:
    return "__Host-eid_session" if secure else "eid_session"


def websocket_origin(public_url: str) -> str | None:
    """The WebSocket origin of the public origin (``https://eid.example`` ->
    ``wss://eid.example``), or None when ``public_url`` is no http(s) origin."""
    parts = urlsplit(public_url.strip())
    scheme = {"http": "ws", "https": "wss"}.get(parts.scheme.lower())
    if scheme is None or not _HOST_PORT.fullmatch(parts.netloc):
        return None
    return f"{scheme}://{parts.netloc.lower()}"


def content_security_policy(public_url: str) -> str:
    """The pages' CSP. Sockets may reach only the page's own origin: 'self' (which
    covers ws/wss to the same host and port in CSP Level 3, §6.7.2.8) and, for
    browsers without that rule or behind a proxy, the exact WebSocket origin of
    ``EID_PUBLIC_URL``; never any ws:/wss: host."""
    ws = websocket_origin(public_url)
    connect = f"'self' {ws}" if ws else "'self'"
    return ("default-src 'self'; img-src 'self' data: blob:; media-src 'self' data: blob:; "
            f"style-src 'self'; script-src 'self'; connect-src {connect}; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


def init_app(app: Flask) -> None:
    secure = app.config["COOKIE_SECURE"]
    app.config.update(
        SESSION_COOKIE_NAME="__Host-eid_pre" if secure else "eid_pre",
        SESSION_COOKIE_SECURE=secure, SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_PATH="/",
        EID_SESSION_COOKIE=session_cookie_name(secure),
    )

    csp = content_security_policy(str(app.config["PUBLIC_URL"]))

    @app.after_request
    def _headers(resp: Response) -> Response:
        h = resp.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        extra = g.get("csp_form_action")  # origins a page's forms may end at (see eid.oidc.pages)
        policy = csp.replace("form-action 'self'", "form-action 'self' " + " ".join(extra)) if extra else csp
        h.setdefault("Content-Security-Policy", policy)
        if secure:
            h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if resp.mimetype == "text/html":
            h.setdefault("Cache-Control", "no-store")
        return resp
