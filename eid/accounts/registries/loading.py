"""Filling the embedded registers: seeding synthetic people or importing a JSON Lines
file (contract in docs/registries.md). All or nothing: a bad row or an inconsistent
file leaves the registers as they were."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from eid.accounts.errors import InvalidInput
from eid.accounts.ids import parse_id_number
from eid.accounts.registries.errors import ImportRejected
from eid.accounts.registries.generator import generate
from eid.accounts.registries.interfaces import Citizen, Company
from eid.models.registries import RegistryCitizen, RegistryCompany, RegistrySubscriber

_REQUIRED = ("id_number", "full_name", "birth_date", "sex", "nationality", "permanent_address", "country")
_OPTIONAL_TEXT = ("ethnicity", "religion", "hometown")


@dataclass
class Registers:
    """The contents of the three embedded registers."""

    people: list[Citizen] = field(default_factory=list)
    lines: list[dict[str, str]] = field(default_factory=list)
    companies: list[Company] = field(default_factory=list)

    def counts(self) -> str:
        return f"{len(self.people)} people, {len(self.lines)} lines, {len(self.companies)} companies"


def synthetic(count: int, seed: int) -> Registers:
    pop = generate(count, seed)
    return Registers(list(pop.people),
                     [{"phone": ln.phone, "owner_id": ln.owner_id, "operator": ln.operator}
                      for ln in pop.lines], list(pop.companies))


def parse_jsonl(text: str) -> Registers:
    """Raises:
        ImportRejected: naming the first bad line; nothing is kept."""
    out = Registers()
    for n, raw in enumerate(text.splitlines(), start=1):
        if raw.strip():
            _add_record(out, n, raw)
    return out


def _add_record(out: Registers, n: int, raw: str) -> None:
    try:
        rec = json.loads(raw)
        kind = rec.pop("type")
        if kind == "citizen":
            out.people.append(_citizen(rec))
        elif kind == "line":
            out.lines.append({"phone": str(rec["phone"]), "owner_id": str(rec["owner_id"]),
                              "operator": str(rec.get("operator", ""))})
        elif kind == "company":
            out.companies.append(Company(**rec))
        else:
            raise ValueError(f"unknown type {kind!r}")
    except (ValueError, KeyError, TypeError, AttributeError, InvalidInput) as exc:
        raise ImportRejected(f"line {n}: {exc}; nothing was imported") from exc


def _citizen(rec: dict[str, Any]) -> Citizen:
    missing = [k for k in _REQUIRED if not rec.get(k)]
    if missing:
        raise ValueError("missing " + ", ".join(missing))
    parse_id_number(str(rec["id_number"]))
    return Citizen.from_json({k: rec.get(k, "") if k in _OPTIONAL_TEXT else rec.get(k)
                              for k in (f.name for f in fields(Citizen))})


def replace_all(session: Session, registers: Registers) -> None:
    """Replace the registers' rows in one transaction.

    Raises:
        ImportRejected: the rows contradict each other (a line of an unknown person, a
            repeated ID); nothing was changed."""
    try:
        for model in (RegistrySubscriber, RegistryCompany, RegistryCitizen):
            session.execute(delete(model))
        if registers.people:
            session.execute(insert(RegistryCitizen), [asdict(p) for p in registers.people])
        if registers.lines:
            session.execute(insert(RegistrySubscriber), registers.lines)
        if registers.companies:
            session.execute(insert(RegistryCompany), [asdict(c) for c in registers.companies])
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ImportRejected(f"the file is inconsistent ({exc.orig}); nothing was imported") from exc
    except Exception:
        session.rollback()
        raise
