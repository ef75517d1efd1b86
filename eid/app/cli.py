"""``flask --app wsgi db upgrade|downgrade|revision|current``: Alembic, configured
from the app so the URL comes from the environment, never from a file;
``flask --app wsgi purge``: delete expired rows."""
from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import Flask, current_app, g
from flask.cli import AppGroup, with_appcontext

from eid.accounts import levels
from eid.web import housekeeping
from eid.web.db import db
from eid.web.unit_of_work import services

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)


def register_db_cli(app: Flask) -> None:
    group = AppGroup("db", help="Database migrations (Alembic).")

    @group.command("upgrade")
    @click.argument("revision", default="head")
    def _upgrade(revision: str) -> None:
        """Migrate the database to REVISION (default: the newest)."""
        upgrade(current_app.config["DATABASE_URL"], revision)
        click.echo(f"database at {revision}")

    @group.command("downgrade")
    @click.argument("revision")
    def _downgrade(revision: str) -> None:
        command.downgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)

    @group.command("revision")
    @click.option("-m", "--message", required=True)
    def _revision(message: str) -> None:
        """Autogenerate a migration from the models."""
        command.revision(alembic_config(current_app.config["DATABASE_URL"]), message=message,
                         autogenerate=True)

    @group.command("current")
    def _current() -> None:
        command.current(alembic_config(current_app.config["DATABASE_URL"]))

    app.cli.add_command(group)
    app.cli.add_command(accounts_group)
    app.cli.add_command(purge_command)


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete expired rows (captchas, OTP challenges, registrations, chip sessions, replay
    ids, QR logins, throttles, old sessions and tokens); the server also does it
    every EID_PURGE_INTERVAL_SECONDS."""
    counts = housekeeping.purge_all(current_app._get_current_object())  # type: ignore[attr-defined]
    for table, n in counts.items():
        click.echo(f"{table}: {n}")
    click.echo(f"purged {sum(counts.values())} rows")


accounts_group = AppGroup("accounts", help="Account administration.")


@accounts_group.command("make-officer")
@click.argument("id_number")
def make_officer(id_number: str) -> None:
    """Give the account of ID_NUMBER the officer role (the verification desk)."""
    with current_app.test_request_context("/cli"):
        try:
            account = levels.make_officer(services(), id_number)
        except Exception as exc:
            raise click.ClickException(str(exc)) from exc
        db.session.commit()
        g.pop("eid_services", None)
    click.echo(f"{account.full_name} is now an officer")
