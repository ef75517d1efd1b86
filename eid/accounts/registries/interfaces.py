"""What the registries answer, as frozen records and three small Protocols."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date
from typing import Any, Protocol


@dataclass(frozen=True)
class Citizen:
    id_number: str
    old_id_number: str | None
    full_name: str
    birth_date: date
    sex: str  # M | F
    nationality: str
    ethnicity: str
    religion: str
    hometown: str
    permanent_address: str
    postal_code: str | None
    issue_date: date | None
    expiry_date: date | None
    father_id: str | None
    mother_id: str | None
    guardian_id: str | None
    spouse: str | None
    country: str  # VN | IR
    email: str | None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = v.isoformat() if isinstance(v, date) else v
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Citizen:
        kw: dict[str, Any] = {}
        for f in fields(cls):
            v = data.get(f.name)
            if f.name in ("birth_date", "issue_date", "expiry_date") and v:
                v = date.fromisoformat(v)
            kw[f.name] = v
        return cls(**kw)


@dataclass(frozen=True)
class Company:
    company_id: str
    name: str
    legal_representative_id: str
    address: str


class PopulationRegistry(Protocol):
    def get(self, id_number: str) -> Citizen | None:
        """By 12-digit CCCD, old 9-digit CMND, or Iranian national code."""

    def guardians_of(self, id_number: str) -> list[str]: ...

    def dependents_of(self, guardian_id: str) -> list[Citizen]: ...

    def search(self, *, name: str | None = None, birth_date: date | None = None,
               limit: int = 20) -> list[Citizen]: ...


class SubscriberRegistry(Protocol):
    def owner_of(self, phone_e164: str) -> str | None: ...

    def lines_of(self, id_number: str) -> list[str]: ...


class CompanyRegistry(Protocol):
    def get(self, company_id: str) -> Company | None: ...

    def represented_by(self, id_number: str) -> list[Company]: ...


@dataclass(frozen=True)
class Registries:
    population: PopulationRegistry
    subscribers: SubscriberRegistry
    companies: CompanyRegistry
