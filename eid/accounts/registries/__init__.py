"""The state registries we only read: the national population database, the mobile
operators' subscriber register and the company register.

Each is a small Protocol (see ``interfaces``) with an embedded implementation on
our own tables (``embedded``, seeded with synthetic people) and an HTTP adapter
(``http``, contract in docs/registries.md). ``adapters.registries_from_config`` picks one.
"""
from __future__ import annotations

from eid.accounts.registries.interfaces import (
    Citizen,
    Company,
    CompanyRegistry,
    PopulationRegistry,
    Registries,
    SubscriberRegistry,
)

__all__ = ["Citizen", "Company", "CompanyRegistry", "PopulationRegistry", "Registries",
           "SubscriberRegistry"]
