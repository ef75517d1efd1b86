"""Acting for someone else: a company (as its legal representative / CEO, as the
company register says) or a dependent (as their guardian).

The result is the ``act`` record carried by the tokens and the audit log:
``{"type": "company"|"dependent", "id": ..., "name": ..., "actor": <account id>}``.
"""
from __future__ import annotations

from collections.abc import Mapping

from eid.accounts import dependents
from eid.accounts.context import Services
from eid.accounts.errors import Forbidden, InvalidInput, NotFound
from eid.models.accounts import Account


class NotLegalRepresentative(Forbidden):
    error = "not_legal_representative"
    message = "Only the company's chief executive (legal representative) may act for it."


def require_self(act: Mapping[str, str] | None) -> None:
    """Acting is one level deep: switch back to yourself before acting for someone else
    or adding a dependent.

    Raises:
        InvalidInput: the token already acts for someone (``act`` is set)."""
    if act:
        raise InvalidInput("Switch back to yourself first.", fields={"act": "already_acting"})


def start(svc: Services, person: Account, *, act: Mapping[str, str] | None, company_id: str | None,
          dependent_id: int | None) -> dict[str, str]:
    """Act for the company or the dependent named (one of the two).

    Raises:
        InvalidInput: already acting, or neither named.
        NotFound, NotLegalRepresentative: see :func:`for_company`, :func:`for_dependent`."""
    require_self(act)
    if company_id:
        return for_company(svc, person, company_id)
    if dependent_id:
        return for_dependent(svc, person, dependent_id)
    raise InvalidInput("Name a company_id or a dependent_id.", fields={"company_id": "required"})


def for_company(svc: Services, person: Account, company_id: str) -> dict[str, str]:
    company = svc.registries.companies.get((company_id or "").strip())
    if company is None:
        raise NotFound("No company with this ID is in the company register.")
    if company.legal_representative_id != person.id_number:
        svc.audit("act_as.company", "refused", actor_account_id=person.id,
                  acting_for=f"company:{company.company_id}")
        raise NotLegalRepresentative()
    act = {"type": "company", "id": company.company_id, "name": company.name,
           "actor": str(person.id)}
    svc.audit("act_as.company", "ok", actor_account_id=person.id,
              acting_for=f"company:{company.company_id}")
    return act


def for_dependent(svc: Services, guardian: Account, dependent_id: int) -> dict[str, str]:
    dep = dependents.get(svc, guardian, dependent_id)
    act = {"type": "dependent", "id": str(dep.id), "name": dep.full_name, "actor": str(guardian.id)}
    svc.audit("act_as.dependent", "ok", actor_account_id=guardian.id,
              acting_for=f"account:{dep.id}", id_number=dep.id_number)
    return act


def companies_of(svc: Services, person: Account) -> list[object]:
    return list(svc.registries.companies.represented_by(person.id_number))


__all__ = ["NotLegalRepresentative", "companies_of", "for_company", "for_dependent"]
