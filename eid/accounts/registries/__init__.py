"""The state registries we only read: the national population database, the mobile
operators' subscriber register and the company register.

Each is a small Protocol (see ``interfaces``) with an embedded implementation on
our own tables (``embedded``, seeded with synthetic people) and an HTTP adapter
(``http``, contract in docs/registries.md). ``registries_from_config`` picks one.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from eid.accounts.registries.embedded import embedded_registries
from eid.accounts.registries.http import http_registries
from eid.accounts.registries.interfaces import (
    Citizen,
    Company,
    CompanyRegistry,
    PopulationRegistry,
    Registries,
    SubscriberRegistry,
)


def registries_from_config(config: Mapping[str, Any], session_factory: Callable[[], Any]) -> Registries:
    url = config.get("REGISTRY_URL")
    if url:

        return http_registries(str(url), token=config.get("REGISTRY_TOKEN"))

    return embedded_registries(session_factory)


__all__ = ["Citizen", "Company", "CompanyRegistry", "PopulationRegistry", "Registries",
           "SubscriberRegistry", "registries_from_config"]
