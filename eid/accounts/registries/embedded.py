"""The registries on our own tables (synthetic data in development and tests)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from eid.accounts.registries.interfaces import Citizen, Company, Registries
from eid.models.registries import RegistryCitizen, RegistryCompany, RegistrySubscriber

_CITIZEN_FIELDS = [f.name for f in fields(Citizen)]


def to_citizen(row: RegistryCitizen) -> Citizen:
    return Citizen(**{k: getattr(row, k) for k in _CITIZEN_FIELDS})


class EmbeddedPopulation:
    def __init__(self, session: Callable[[], Session]) -> None:
        self._s = session

    def get(self, id_number: str) -> Citizen | None:
        s = self._s()
        row = s.get(RegistryCitizen, id_number) if len(id_number) in (10, 12) else None
        if row is None and len(id_number) == 9:
            row = s.scalar(select(RegistryCitizen).where(RegistryCitizen.old_id_number == id_number))
        return to_citizen(row) if row is not None else None

    def guardians_of(self, id_number: str) -> list[str]:
        c = self.get(id_number)
        return [g for g in (c.father_id, c.mother_id, c.guardian_id) if g] if c else []

    def dependents_of(self, guardian_id: str) -> list[Citizen]:
        rows = self._s().scalars(select(RegistryCitizen).where(or_(
            RegistryCitizen.father_id == guardian_id, RegistryCitizen.mother_id == guardian_id,
            RegistryCitizen.guardian_id == guardian_id)).order_by(RegistryCitizen.birth_date))
        return [to_citizen(r) for r in rows]

    def search(self, *, name: str | None = None, birth_date: date | None = None,
               limit: int = 20) -> list[Citizen]:
        stmt = select(RegistryCitizen)
        if name:
            stmt = stmt.where(RegistryCitizen.full_name.ilike(f"%{name.strip()}%"))
        if birth_date:
            stmt = stmt.where(RegistryCitizen.birth_date == birth_date)
        return [to_citizen(r) for r in self._s().scalars(stmt.limit(min(limit, 100)))]


class EmbeddedSubscribers:
    def __init__(self, session: Callable[[], Session]) -> None:
        self._s = session

    def owner_of(self, phone_e164: str) -> str | None:
        row = self._s().get(RegistrySubscriber, phone_e164)
        return row.owner_id if row is not None else None

    def lines_of(self, id_number: str) -> list[str]:
        return list(self._s().scalars(select(RegistrySubscriber.phone)
                                      .where(RegistrySubscriber.owner_id == id_number)))


class EmbeddedCompanies:
    def __init__(self, session: Callable[[], Session]) -> None:
        self._s = session

    @staticmethod
    def _company(row: RegistryCompany) -> Company:
        return Company(row.company_id, row.name, row.legal_representative_id, row.address)

    def get(self, company_id: str) -> Company | None:
        row = self._s().get(RegistryCompany, company_id)
        return self._company(row) if row is not None else None

    def represented_by(self, id_number: str) -> list[Company]:
        rows = self._s().scalars(select(RegistryCompany).where(
            RegistryCompany.legal_representative_id == id_number).order_by(RegistryCompany.company_id))
        return [self._company(r) for r in rows]


def embedded_registries(session_factory: Callable[[], Any]) -> Registries:
    return Registries(EmbeddedPopulation(session_factory), EmbeddedSubscribers(session_factory),
                      EmbeddedCompanies(session_factory))
