"""The JSON the phone API answers with, shared by the flow modules: an OTP challenge,
an account, a token pair, and the session list."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from eid.accounts import otp, tokens
from eid.accounts.phones import mask_phone
from eid.models.accounts import Account, WebSession
from eid.models.devices import TokenFamily
from eid.qr_login.context import browser_and_os, place_of


def challenge_json(issued: otp.Issued, masked: str | None = None) -> dict[str, Any]:
    """An OTP challenge; ``masked`` replaces the phone shown (the number the caller typed)."""
    return {"challenge_id": issued.challenge_id, "masked_phone": masked or issued.masked_phone,
            "expires_at": issued.expires_at.isoformat(), "resend_at": issued.resend_at.isoformat()}


def account_json(a: Account) -> dict[str, Any]:
    return {"id": a.id, "id_number": a.id_number, "full_name": a.full_name,
            "phone_masked": mask_phone(a.phone), "email": a.email, "level": a.level,
            "created_at": a.created_at.isoformat()}


def token_response(pair: tokens.TokenPair, account: Account) -> dict[str, Any]:
    return {**pair.as_json(), "account": account_json(account)}


def web_session_json(row: WebSession, *, described: bool = False) -> dict[str, Any]:
    """A browser session. ``described``: the user agent read as "browser · OS" and the
    coarse place of the IP, as the phone's list of signed-in browsers shows them."""
    out = {"id": row.id, "kind": row.kind, "created_at": row.created_at.isoformat(),
           "last_seen_at": row.last_seen_at.isoformat(), "ip": row.ip,
           "user_agent": row.user_agent, "current": False}
    if described:
        browser, system = browser_and_os(row.user_agent)
        out.update(place=place_of(row.ip).label, user_agent=f"{browser} · {system}")
    return out


def app_session_json(family: TokenFamily, current_family_id: int | None) -> dict[str, Any]:
    """One app sign-in (a token family); ``current`` marks the caller's own."""
    return {"id": family.id, "kind": "app", "created_at": family.created_at.isoformat(),
            "device_id": family.device_id, "act": family.act,
            "current": family.id == current_family_id}


def session_list_json(web: Iterable[WebSession], app: Iterable[TokenFamily] | None = None, *,
                      current_family_id: int | None = None, described: bool = False,
                      ) -> dict[str, Any]:
    """``{"sessions": [...]}`` for the browser sessions and, when ``app`` is given,
    ``"app_sessions": [...]`` for the app sign-ins (``current_family_id`` is the caller's)."""
    out: dict[str, Any] = {"sessions": [web_session_json(r, described=described) for r in web]}
    if app is not None:
        out["app_sessions"] = [app_session_json(f, current_family_id) for f in app]
    return out
