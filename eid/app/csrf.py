"""CSRF protection for the pages: a per-session token in every form, checked on
every unsafe request that is not a bearer-token API call.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, request, session

from eid.errors import EidError

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


class CsrfFailed(EidError):
    error = "csrf_failed"
    status = 400
    message = "The form has expired or did not come from this site. Reload the page and try again."


def token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return str(session["csrf"])


def exempt_path(path: str) -> bool:
    return path.startswith(("/api/", "/socket.io", *OIDC_EXEMPT))


# the OpenID provider's endpoints that relying parties (not our pages) post to
OIDC_EXEMPT = ("/oidc/token", "/oidc/par", "/oidc/userinfo", "/oidc/revoke", "/oidc/introspect",
               "/oidc/authorize", "/oidc/logout")


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csrf_token"] = token

    @app.before_request
    def _check() -> None:
        if request.method in ("GET", "HEAD", "OPTIONS") or exempt_path(request.path):
            return
        sent = request.form.get(FIELD) or request.headers.get(HEADER) or ""
        expected = session.get("csrf") or ""
        if not expected or not hmac.compare_digest(str(sent), str(expected)):
            raise CsrfFailed()
