"""Dependents (eid.accounts.dependents) and acting for a dependent or a company
(eid.accounts.acting): who may, what is recorded, what the tokens carry."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eid.accounts import acting, dependents, tokens
from eid.accounts.errors import Conflict, InvalidInput, NotFound
from eid.accounts.forms import age_on
from eid.models.accounts import Account
from tests.accounts.conftest import START
from tests.accounts.support import add_account, demo


def age(person) -> int:  # type: ignore[no-untyped-def]
    return age_on(person.birth_date, START.date())


PARENT = next(demo(n) for n in range(1, 51) if any(age(c) < 14 for c in demo(n).children))
CHILD = next(c for c in PARENT.children if age(c) < 14)
TEEN_PARENT = next(demo(n) for n in range(1, 51) if any(14 <= age(c) < 18 for c in demo(n).children))
TEEN = next(c for c in TEEN_PARENT.children if 14 <= age(c) < 18)
STRANGER = next(demo(n) for n in range(1, 51)
                if demo(n).person.id_number not in (CHILD.father_id, CHILD.mother_id)
                and not demo(n).companies)
CEO = next(demo(n) for n in range(1, 51) if demo(n).companies)


def child_form(child=CHILD, **over):  # type: ignore[no-untyped-def]
    return {"id_number": child.id_number, "birth_date": child.birth_date.isoformat(), **over}


@pytest.fixture
def guardian(svc):  # type: ignore[no-untyped-def]
    return add_account(svc(), PARENT)


def test_a_parent_adds_a_child_under_14_as_a_dependent(svc, session, audit, guardian, clock):
    dep = dependents.add(svc(), guardian, child_form())
    assert (dep.id_number, dep.full_name, dep.role, dep.level) == (
        CHILD.id_number, CHILD.full_name, "dependent", 1)
    assert (dep.phone, dep.guardian_account_id, dep.password_hash) == (
        guardian.phone, guardian.id, dependents.NO_PASSWORD)
    entry = audit.last("dependent.add")
    assert (entry.outcome, entry.actor_account_id, entry.acting_for, entry.id_number) == (
        "ok", guardian.id, f"account:{dep.id}", CHILD.id_number)
    assert [d.id for d in dependents.list_for(svc(), guardian)] == [dep.id]
    assert dependents.get(svc(), guardian, dep.id).id == dep.id


@pytest.mark.parametrize("over", [{"birth_date": "2001-01-01"}, {"id_number": "079199000123"}])
def test_a_child_the_register_does_not_know_so_is_refused(svc, session, guardian, over):
    with pytest.raises(InvalidInput) as info:
        dependents.add(svc(), guardian, child_form(**over))
    assert info.value.details["fields"] == {"id_number": "not_in_register"}
    assert session.scalar(select(func.count()).select_from(Account)) == 1


@pytest.mark.parametrize("data,fields", [
    ({}, {"id_number": "id_number_required", "birth_date": "birth_date_required"}),
    ({"id_number": "x", "birth_date": "x"}, {"id_number": "id_number_invalid",
                                             "birth_date": "birth_date_invalid"}),
])
def test_a_bad_dependent_form_names_each_field(svc, guardian, data, fields):
    with pytest.raises(InvalidInput) as info:
        dependents.add(svc(), guardian, data)
    assert info.value.details["fields"] == fields


def test_only_a_parent_or_guardian_in_the_register_may_add_a_child(svc, session, audit):
    stranger = add_account(svc(), STRANGER)
    with pytest.raises(dependents.NotGuardian) as info:
        dependents.add(svc(), stranger, child_form())
    assert (info.value.error, info.value.status) == ("not_guardian", 403)
    assert audit.actions() == [("dependent.add", "not_guardian")]
    assert session.scalar(select(func.count()).select_from(Account)) == 1


def test_a_child_of_14_or_over_registers_themselves(svc):
    parent = add_account(svc(), TEEN_PARENT)
    with pytest.raises(dependents.TooOldToBeDependent) as info:
        dependents.add(svc(), parent, child_form(TEEN))
    assert info.value.error == "not_a_minor"


def test_a_child_is_added_once(svc, guardian):
    dependents.add(svc(), guardian, child_form())
    with pytest.raises(Conflict):
        dependents.add(svc(), guardian, child_form())
    assert len(dependents.list_for(svc(), guardian)) == 1


def test_no_one_reaches_someone_elses_dependent(svc, guardian):
    dep = dependents.add(svc(), guardian, child_form())
    stranger = add_account(svc(), STRANGER)
    for who, dependent_id in ((stranger, dep.id), (guardian, guardian.id), (guardian, 999_999)):
        with pytest.raises(NotFound):
            dependents.get(svc(), who, dependent_id)
    with pytest.raises(NotFound):
        acting.for_dependent(svc(), stranger, dep.id)


def test_the_guardian_acts_for_the_dependent_and_both_are_recorded(svc, audit, guardian):
    dep = dependents.add(svc(), guardian, child_form())
    act = acting.for_dependent(svc(), guardian, dep.id)
    assert act == {"type": "dependent", "id": str(dep.id), "name": CHILD.full_name,
                   "actor": str(guardian.id)}
    entry = audit.last("act_as.dependent")
    assert (entry.actor_account_id, entry.acting_for, entry.id_number) == (
        guardian.id, f"account:{dep.id}", CHILD.id_number)
    pair = tokens.issue(svc(), guardian, None, act=act)
    assert tokens.authenticate(svc(), pair.access_token).act == act


def test_the_legal_representative_acts_for_the_company(svc, audit):
    ceo = add_account(svc(), CEO)
    company = CEO.companies[0]
    assert [c.company_id for c in acting.companies_of(svc(), ceo)] == [
        c.company_id for c in CEO.companies]
    act = acting.for_company(svc(), ceo, f"  {company.company_id} ")
    assert act == {"type": "company", "id": company.company_id, "name": company.name,
                   "actor": str(ceo.id)}
    entry = audit.last("act_as.company")
    assert (entry.outcome, entry.actor_account_id, entry.acting_for) == (
        "ok", ceo.id, f"company:{company.company_id}")


def test_someone_else_may_not_act_for_the_company(svc, audit):
    other = add_account(svc(), STRANGER)
    company = CEO.companies[0]
    with pytest.raises(acting.NotLegalRepresentative) as info:
        acting.for_company(svc(), other, company.company_id)
    assert (info.value.error, info.value.status) == ("not_legal_representative", 403)
    assert audit.actions() == [("act_as.company", "refused")]
    assert acting.companies_of(svc(), other) == []


@pytest.mark.parametrize("company_id", ["", "   ", "0999999999"])
def test_a_company_the_register_does_not_know_is_not_found(svc, audit, company_id):
    ceo = add_account(svc(), CEO)
    with pytest.raises(NotFound):
        acting.for_company(svc(), ceo, company_id)
    assert audit.entries == []


def test_acting_is_one_level_deep(svc, guardian):
    dep = dependents.add(svc(), guardian, child_form())
    already = acting.for_dependent(svc(), guardian, dep.id)
    with pytest.raises(InvalidInput) as info:
        acting.start(svc(), guardian, act=already, company_id=None, dependent_id=dep.id)
    assert info.value.details["fields"] == {"act": "already_acting"}
    with pytest.raises(InvalidInput):
        acting.require_self(already)
    acting.require_self(None)


def test_starting_to_act_names_whom(svc, guardian):
    dep = dependents.add(svc(), guardian, child_form())
    assert acting.start(svc(), guardian, act=None, company_id=None, dependent_id=dep.id)["id"] == str(dep.id)
    with pytest.raises(InvalidInput) as info:
        acting.start(svc(), guardian, act=None, company_id="", dependent_id=None)
    assert info.value.details["fields"] == {"company_id": "required"}
