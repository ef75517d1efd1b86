"""``flask --app wsgi oidc ...``: relying parties and signing keys, for the operator.
Every client command prints JSON (a confidential client's secret only when it is made
or rotated)."""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from eid.oidc import clients, keys
from eid.oidc.web import keyring
from eid.web.db import db
from eid.web.unit_of_work import parts

group = AppGroup("oidc", help="The OpenID provider: relying parties and signing keys.")
client_group = AppGroup("client", help="Relying parties.")
keys_group = AppGroup("keys", help="Token-signing keys.")
group.add_command(client_group)
group.add_command(keys_group)


def _echo(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _jwks(value: str | None) -> dict[str, Any] | None:
    if not value:
        return None
    text = Path(value[1:]).read_text() if value.startswith("@") else value
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise click.BadParameter("--jwks must be a JSON Web Key Set (or @file)") from exc
    return data if isinstance(data, dict) else None


@client_group.command("add")
@click.option("--name", required=True)
@click.option("--redirect-uri", "redirect_uris", multiple=True, required=True)
@click.option("--public", is_flag=True, help="No secret; PKCE required.")
@click.option("--require-par", is_flag=True, help="Only pushed authorization requests (RFC 9126).")
@click.option("--dpop", is_flag=True, help="Tokens bound to a DPoP key (RFC 9449) required.")
@click.option("--fapi", is_flag=True, help="FAPI 2.0 security profile: PAR + PKCE + DPoP.")
@click.option("--post-logout-uri", "post_logout", multiple=True)
@click.option("--backchannel-logout-uri")
@click.option("--jwks", help="The client's public keys (JSON or @file): private_key_jwt.")
@click.option("--client-id", help="Choose the client_id (default: random).")
def add(name: str, redirect_uris: tuple[str, ...], public: bool, require_par: bool, dpop: bool, fapi: bool,
        post_logout: tuple[str, ...], backchannel_logout_uri: str | None, jwks: str | None,
        client_id: str | None) -> None:
    """Register a relying party and print it (with its secret, shown once)."""
    try:
        row, secret = clients.add(db.session, parts().clock.now(), name=name, redirect_uris=redirect_uris,
                                  public=public, require_par=require_par or fapi, dpop=dpop or fapi,
                                  post_logout_uris=post_logout, backchannel_logout_uri=backchannel_logout_uri,
                                  jwks=_jwks(jwks), client_id=client_id)
        db.session.commit()
    except clients.ClientError as exc:
        db.session.rollback()
        raise click.ClickException(exc.detail_message) from exc
    _echo(clients.as_json(row, secret))


def _get(client_id: str) -> Any:
    row = clients.find(db.session, client_id)
    if row is None:
        raise click.ClickException(f"no client {client_id!r}")
    return row


@client_group.command("list")
def list_() -> None:
    _echo([clients.as_json(c) for c in clients.all_clients(db.session)])


@client_group.command("show")
@click.argument("client_id")
def show(client_id: str) -> None:
    _echo(clients.as_json(_get(client_id)))


@client_group.command("rotate-secret")
@click.argument("client_id")
def rotate_secret(client_id: str) -> None:
    """A new secret; the old one stops working at once."""
    row = _get(client_id)
    try:
        secret = clients.rotate_secret(db.session, row, parts().clock.now())
    except clients.ClientError as exc:
        raise click.ClickException(exc.detail_message) from exc
    db.session.commit()
    _echo(clients.as_json(row, secret))


@client_group.command("remove")
@click.argument("client_id")
def remove(client_id: str) -> None:
    """Remove a client with its consents and grants (its tokens stop working)."""
    from sqlalchemy import delete

    from eid.models.oidc import OidcConsent, OidcGrant, OidcSpentRefresh

    row = _get(client_id)
    grant_ids = [g.id for g in db.session.query(OidcGrant.id).filter_by(client_id=client_id)]
    if grant_ids:
        db.session.execute(delete(OidcSpentRefresh).where(OidcSpentRefresh.grant_id.in_(grant_ids)))
    db.session.execute(delete(OidcGrant).where(OidcGrant.client_id == client_id))
    db.session.execute(delete(OidcConsent).where(OidcConsent.client_id == client_id))
    db.session.delete(row)
    db.session.commit()
    _echo({"removed": client_id})


def _retain() -> timedelta:
    cfg = current_app.config
    longest = int(cfg.get("OIDC_ID_TOKEN_SECONDS", 3600)) + int(cfg.get("OIDC_ACCESS_SECONDS", 300))
    return timedelta(seconds=longest + 300)


@keys_group.command("rotate")
def rotate() -> None:
    """The announced ``next`` key starts signing, a new ``next`` is announced, the old
    key is kept published until its tokens expire."""
    ring = keyring()
    signing = keys.rotate(db.session, ring.fernet, parts().clock.now(), retain=_retain())
    db.session.commit()
    ring.invalidate()
    _echo({"signing": signing, "keys": _key_list()})


@keys_group.command("list")
def list_keys() -> None:
    ring = keyring()
    if keys.ensure(db.session, ring.fernet, parts().clock.now()):
        db.session.commit()
    _echo(_key_list())


def _key_list() -> list[dict[str, Any]]:
    from eid.models.oidc import OidcSigningKey

    rows = db.session.query(OidcSigningKey).order_by(OidcSigningKey.alg, OidcSigningKey.created_at).all()
    return [{"kid": r.kid, "alg": r.alg, "state": r.state, "created_at": r.created_at.isoformat()}
            for r in rows]
