"""The registries over HTTP (the contract is in docs/registries.md).

Every call has a timeout; a network failure or a 5xx is ``RegistryUnavailable``;
a 404 is "not in the register" (``None`` / empty list).
"""
from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

import requests

from eid.accounts.registries.errors import RegistryUnavailable
from eid.accounts.registries.interfaces import Citizen, Company, Registries


class _Http:
    def __init__(self, base: str, token: str | None, timeout: float = 5,
                 session: requests.Session | None = None) -> None:
        self.base, self.timeout = base.rstrip("/"), timeout
        self.http = session or requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str, **params: Any) -> Any | None:
        try:
            r = self.http.get(self.base + path, params=params or None, timeout=self.timeout)
        except requests.RequestException as exc:
            raise RegistryUnavailable() from exc
        if r.status_code == 404:
            return None
        if r.status_code != 200:
            raise RegistryUnavailable(f"The registry answered HTTP {r.status_code}.")
        try:
            return r.json()
        except ValueError as exc:
            raise RegistryUnavailable("The registry sent an unreadable answer.") from exc


class HttpPopulation:
    def __init__(self, http: _Http) -> None:
        self.http = http

    def get(self, id_number: str) -> Citizen | None:
        data = self.http.get(f"/citizens/{quote(id_number)}")
        return Citizen.from_json(data) if data else None

    def guardians_of(self, id_number: str) -> list[str]:
        c = self.get(id_number)
        return [g for g in (c.father_id, c.mother_id, c.guardian_id) if g] if c else []

    def dependents_of(self, guardian_id: str) -> list[Citizen]:
        data = self.http.get(f"/citizens/{quote(guardian_id)}/dependents") or {"citizens": []}
        return [Citizen.from_json(x) for x in data["citizens"]]

    def search(self, *, name: str | None = None, birth_date: date | None = None,
               limit: int = 20) -> list[Citizen]:
        params: dict[str, Any] = {"limit": limit}
        if name:
            params["name"] = name
        if birth_date:
            params["birth_date"] = birth_date.isoformat()
        data = self.http.get("/citizens", **params) or {"citizens": []}
        return [Citizen.from_json(x) for x in data["citizens"]]


class HttpSubscribers:
    def __init__(self, http: _Http) -> None:
        self.http = http

    def owner_of(self, phone_e164: str) -> str | None:
        data = self.http.get(f"/subscribers/{quote(phone_e164)}")
        return str(data["owner_id"]) if data else None

    def lines_of(self, id_number: str) -> list[str]:
        data = self.http.get(f"/citizens/{quote(id_number)}/lines") or {"lines": []}
        return [str(x) for x in data["lines"]]


class HttpCompanies:
    def __init__(self, http: _Http) -> None:
        self.http = http

    def get(self, company_id: str) -> Company | None:
        data = self.http.get(f"/companies/{quote(company_id)}")
        return Company(**data) if data else None

    def represented_by(self, id_number: str) -> list[Company]:
        data = self.http.get(f"/citizens/{quote(id_number)}/companies") or {"companies": []}
        return [Company(**x) for x in data["companies"]]


def http_registries(base: str, token: str | None = None,
                    session: requests.Session | None = None) -> Registries:
    http = _Http(base, token, session=session)
    return Registries(HttpPopulation(http), HttpSubscribers(http), HttpCompanies(http))
