"""``flask --app wsgi registry seed|import|show``."""
from __future__ import annotations

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from eid.accounts.errors import InvalidInput
from eid.accounts.ids import parse_id_number
from eid.accounts.registries.interfaces import Citizen, Company
from eid.accounts.registries.models import RegistryCitizen, RegistryCompany, RegistrySubscriber

group = AppGroup("registry", help="The synthetic population, subscriber and company registers.")


def _replace_all(people: list[Citizen], lines: list[dict[str, str]], companies: list[Company]) -> None:
    from eid.app.db import db

    s = db.session
    try:
        for model in (RegistrySubscriber, RegistryCompany, RegistryCitizen):
            s.execute(delete(model))
        if people:
            s.execute(insert(RegistryCitizen), [asdict(p) for p in people])
        if lines:
            s.execute(insert(RegistrySubscriber), lines)
        if companies:
            s.execute(insert(RegistryCompany), [asdict(c) for c in companies])
        s.commit()
    except Exception:
        s.rollback()
        raise


@group.command("seed")
@click.option("--count", default=3000, show_default=True, help="how many people")
@click.option("--seed", "seed_value", default=2026, show_default=True)
def seed(count: int, seed_value: int) -> None:
    """Replace the registers with reproducible synthetic people (idempotent)."""
    from eid.accounts.registries.generator import generate

    pop = generate(count, seed_value)
    lines = [{"phone": ln.phone, "owner_id": ln.owner_id, "operator": ln.operator} for ln in pop.lines]
    _replace_all(pop.people, lines, pop.companies)
    click.echo(f"seeded {len(pop.people)} people, {len(lines)} lines, {len(pop.companies)} companies")


def _row(n: int, raw: str) -> tuple[str, Any]:
    try:
        rec = json.loads(raw)
        kind = rec.pop("type")
        if kind == "citizen":
            names = {f.name for f in fields(Citizen)}
            missing = [k for k in ("id_number", "full_name", "birth_date", "sex", "nationality",
                                   "permanent_address", "country") if not rec.get(k)]
            if missing:
                raise ValueError("missing " + ", ".join(missing))
            parse_id_number(str(rec["id_number"]))
            return kind, Citizen.from_json({k: rec.get(k, "") if k in (
                "ethnicity", "religion", "hometown") else rec.get(k) for k in names})
        if kind == "line":
            return kind, {"phone": str(rec["phone"]), "owner_id": str(rec["owner_id"]),
                          "operator": str(rec.get("operator", ""))}
        if kind == "company":
            return kind, Company(**rec)
        raise ValueError(f"unknown type {kind!r}")
    except (ValueError, KeyError, TypeError, InvalidInput) as exc:
        raise click.ClickException(f"line {n}: {exc}; nothing was imported") from exc


@group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(path: Path) -> None:
    """Replace the registers with FILE.jsonl (see docs/registries.md); all or nothing."""
    people: list[Citizen] = []
    lines: list[dict[str, str]] = []
    companies: list[Company] = []
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        kind, value = _row(n, raw)
        {"citizen": people, "line": lines, "company": companies}[kind].append(value)
    try:
        _replace_all(people, lines, companies)
    except IntegrityError as exc:
        raise click.ClickException(f"the file is inconsistent ({exc.orig}); nothing was imported") from exc
    click.echo(f"imported {len(people)} people, {len(lines)} lines, {len(companies)} companies")


@group.command("show")
@click.argument("id_number", required=False)
@click.option("--demo", type=int, help="the N-th demo citizen (1-50)")
def show(id_number: str | None, demo: int | None) -> None:
    """Print a person (by ID number, or --demo N with their phone and card QR)."""
    from eid.accounts.registries.embedded import EmbeddedPopulation, EmbeddedSubscribers
    from eid.app.db import db

    out: dict[str, Any] = {}
    if demo:
        from eid.accounts.registries.generator import demo_citizen

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


def register_cli(app: Flask) -> None:
    app.cli.add_command(group)
