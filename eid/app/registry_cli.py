"""``flask --app wsgi registry seed|import|show``: the CLI over
:mod:`eid.accounts.registries.loading` and the embedded registers."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from eid.accounts.registries import loading
from eid.accounts.registries.embedded import EmbeddedPopulation, EmbeddedSubscribers
from eid.accounts.registries.errors import ImportRejected
from eid.accounts.registries.generator import demo_citizen
from eid.web.db import db

group = AppGroup("registry", help="The synthetic population, subscriber and company registers.")


def _replace(registers: loading.Registers) -> None:
    try:
        loading.replace_all(db.session, registers)
    except ImportRejected as exc:
        raise click.ClickException(exc.detail_message) from exc


@group.command("seed")
@click.option("--count", default=3000, show_default=True, help="how many people")
@click.option("--seed", "seed_value", default=2026, show_default=True)
def seed(count: int, seed_value: int) -> None:
    """Replace the registers with reproducible synthetic people (idempotent)."""
    registers = loading.synthetic(count, seed_value)
    _replace(registers)
    click.echo(f"seeded {registers.counts()}")


@group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(path: Path) -> None:
    """Replace the registers with FILE.jsonl (see docs/registries.md); all or nothing."""
    try:
        registers = loading.parse_jsonl(path.read_text(encoding="utf-8"))
    except ImportRejected as exc:
        raise click.ClickException(exc.detail_message) from exc
    _replace(registers)
    click.echo(f"imported {registers.counts()}")


@group.command("show")
@click.argument("id_number", required=False)
@click.option("--demo", type=int, help="the N-th demo citizen (1-50)")
def show(id_number: str | None, demo: int | None) -> None:
    """Print a person (by ID number, or --demo N with their phone and card QR)."""
    out: dict[str, Any] = {}
    if demo:
        d = demo_citizen(demo)
        id_number = d.person.id_number
        out["card_qr"] = d.card_qr
    if not id_number:
        raise click.UsageError("give an ID number or --demo N")
    person = EmbeddedPopulation(lambda: db.session).get(id_number)
    if person is None:
        raise click.ClickException(f"{id_number} is not in the register")
    out = {**person.as_json(), "phones": EmbeddedSubscribers(lambda: db.session).lines_of(person.id_number),
           **out}
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))
