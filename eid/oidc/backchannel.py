"""Back-channel logout (OpenID Connect Back-Channel Logout 1.0): when a web session
ends — signed out, revoked from the phone, idle sessions aside — or the password
changes, every relying party that signed in through that session gets a logout token.

Nothing in the rest of the app calls this: SQLAlchemy session events notice a web
session's ``revoked_at`` being set (one row, or ``revoke_all``'s bulk UPDATE) and an
account's ``password_changed_at`` changing. After the commit, the work goes to a small
pool (inline under ``DEFER_INLINE``): the grants of those sessions are revoked and
marked logged out, and each client's ``backchannel_logout_uri`` gets one POST with a
short timeout. A relying party that is down is logged and not retried.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from flask import Flask, current_app, has_app_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, sessionmaker

from eid.models.accounts import Account, WebSession
from eid.models.oidc import OidcClient, OidcGrant
from eid.oidc import people, tokens
from eid.oidc.context import Context, OidcSettings

log = logging.getLogger(__name__)
KEY = "eid.oidc_backchannel"
_pool: ThreadPoolExecutor | None = None
_installed = False


def init_app(app: Flask) -> None:
    global _installed
    app.extensions[KEY] = sessionmaker(bind=app.extensions["eid.engine"], expire_on_commit=False)
    if not _installed:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _bulk_update)
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)
        _installed = True


def _enabled() -> bool:
    return has_app_context() and KEY in current_app.extensions


def _after_flush(session: Session, _ctx: Any) -> None:
    if not _enabled():
        return
    for obj in session.dirty:
        if isinstance(obj, WebSession) and obj.revoked_at is not None and \
                inspect(obj).attrs.revoked_at.history.added:
            session.info.setdefault("oidc_logout_sessions", set()).add(obj.id)
        elif isinstance(obj, Account) and inspect(obj).attrs.password_changed_at.history.added:
            session.info.setdefault("oidc_logout_accounts", set()).add(obj.id)


def _bulk_update(state: Any) -> None:
    if not _enabled() or not state.is_update:
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) == "web_session":
        state.session.info["oidc_logout_sweep"] = True


def _after_rollback(session: Session) -> None:
    for k in ("oidc_logout_sessions", "oidc_logout_accounts", "oidc_logout_sweep"):
        session.info.pop(k, None)


def _after_commit(session: Session) -> None:
    ws = session.info.pop("oidc_logout_sessions", None)
    accounts = session.info.pop("oidc_logout_accounts", None)
    sweep = session.info.pop("oidc_logout_sweep", None)
    if not (ws or accounts or sweep) or not _enabled():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    args = (set(ws or ()), set(accounts or ()), bool(sweep))
    if app.config.get("DEFER_INLINE"):  # the tests: in this request, in its app context
        try:
            deliver(app, *args)
        except Exception:
            log.exception("back-channel logout failed")
    else:
        _executor().submit(_job(app, *args))


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="eid-oidc-logout")
    return _pool


def _job(app: Flask, sessions: set[int], accounts: set[int], sweep: bool) -> Any:
    def run() -> None:
        try:
            with app.app_context():
                deliver(app, sessions, accounts, sweep)
        except Exception:
            log.exception("back-channel logout failed")

    return run


def _targets(s: Session, sessions: Iterable[int], accounts: Iterable[int], sweep: bool) -> list[OidcGrant]:
    q = select(OidcGrant).where(OidcGrant.logged_out_at.is_(None))
    found: dict[int, OidcGrant] = {}
    ids, accs = list(sessions), list(accounts)
    if ids:
        found.update({g.id: g for g in s.scalars(q.where(OidcGrant.web_session_id.in_(ids)))})
    if accs:
        found.update({g.id: g for g in s.scalars(q.where(OidcGrant.account_id.in_(accs)))})
    if sweep:
        ended = q.join(WebSession, WebSession.id == OidcGrant.web_session_id).where(
            WebSession.revoked_at.is_not(None))
        found.update({g.id: g for g in s.scalars(ended)})
    return list(found.values())


def deliver(app: Flask, sessions: Iterable[int], accounts: Iterable[int] = (), sweep: bool = False) -> int:
    """Revoke the grants of the ended sessions and tell their clients; returns how many
    logout tokens were sent."""
    from eid.oidc.web import issuer, keyring, store

    maker: sessionmaker[Session] = app.extensions[KEY]
    parts = app.extensions["eid.parts"]
    with maker() as s:
        grants = _targets(s, sessions, accounts, sweep)
        if not grants:
            return 0
        now = parts.clock.now()
        ctx = Context(session=s, now=now, rng=parts.clock.rng, issuer=issuer(), keyring=keyring(),
                      store=store(), key=b"", settings=OidcSettings.from_config(app.config))
        pairs: dict[tuple[str, str], OidcGrant] = {}
        for g in grants:
            g.logged_out_at = now
            if g.revoked_at is None:
                g.revoked_at, g.revoked_reason, g.refresh_hash = now, "logged_out", None
            pairs.setdefault((g.client_id, g.sid), g)
        s.commit()
        sent = 0
        for (client_id, sid), g in pairs.items():
            client = s.get(OidcClient, client_id)
            if client is None or not client.backchannel_logout_uri:
                continue
            token = logout_token(ctx, client_id, people.sub_for(s, g.account_id, ctx.rng), sid)
            s.commit()
            sent += _post(client.backchannel_logout_uri, token, ctx.settings.logout_timeout_seconds)
        return sent


def logout_token(ctx: Context, client_id: str, sub: str, sid: str) -> str:
    now = int(ctx.now.timestamp())
    return tokens.sign(ctx, {"iss": ctx.issuer, "aud": client_id, "iat": now, "exp": now + 120,
                             "jti": ctx.token(16), "sub": sub, "sid": sid,
                             "events": {tokens.BACKCHANNEL_EVENT: {}}}, typ="logout+jwt")


def _post(uri: str, token: str, timeout: float) -> int:
    try:
        r = requests.post(uri, data={"logout_token": token}, timeout=timeout,
                          headers={"Cache-Control": "no-store"})
        if r.status_code >= 400:
            log.warning("back-channel logout to %s answered %s", uri, r.status_code)
        return 1
    except requests.RequestException as exc:
        log.warning("back-channel logout to %s failed: %s", uri, exc)
        return 0
