"""Who is signed in on this request (pages: the session cookie; API: bearer token)."""
from __future__ import annotations

from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, redirect, request, url_for

from eid.accounts import sessions
from eid.accounts.errors import NotAuthenticated, SessionExpired
from eid.web.unit_of_work import services

F = TypeVar("F")


def session_token() -> str | None:
    return request.cookies.get(current_app.config["EID_SESSION_COOKIE"])


def current() -> tuple[Any, Any] | None:
    if "eid_current" not in g:
        try:
            g.eid_current = sessions.authenticate(services(), session_token())
        except (NotAuthenticated, SessionExpired):
            g.eid_current = None
    return cast("tuple[Any, Any] | None", g.eid_current)


def login_required(view: F) -> F:
    @wraps(view)  # type: ignore[arg-type]
    def wrapped(*args: Any, **kw: Any) -> Any:
        if current() is None:
            return redirect(url_for("portal.login", next=request.path))
        return view(*args, **kw)  # type: ignore[operator]

    return cast(F, wrapped)


def set_session_cookie(resp: Any, token: str) -> None:
    cfg = current_app.config
    resp.set_cookie(cfg["EID_SESSION_COOKIE"], token, httponly=True, secure=cfg["COOKIE_SECURE"],
                    samesite="Lax", path="/", max_age=int(cfg["SESSION_ABSOLUTE_SECONDS"]))


def clear_session_cookie(resp: Any) -> None:
    cfg = current_app.config
    resp.delete_cookie(cfg["EID_SESSION_COOKIE"], path="/", secure=cfg["COOKIE_SECURE"],
                       httponly=True, samesite="Lax")
