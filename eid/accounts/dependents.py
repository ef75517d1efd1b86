"""Dependents: people under 14 (and other wards) registered by a parent or guardian.

Only someone the population register lists as the person's father, mother or
guardian may add them. The dependent's account has no password and no phone of
its own: the guardian acts for them, and every such action records both people.
"""
from __future__ import annotations

from sqlalchemy import select

from eid.accounts.context import Services
from eid.accounts.errors import Conflict, Forbidden, InvalidInput, NotFound
from eid.accounts.forms import age_on, parse_id_and_birth
from eid.accounts.signup import MIN_SELF_REGISTRATION_AGE
from eid.models.accounts import Account
from eid.models.ops import add_unique

NO_PASSWORD = "!"  # noqa: S105 - a marker that no argon2 hash equals


class NotGuardian(Forbidden):
    error = "not_guardian"
    message = "The population register does not list you as this person's parent or guardian."


class TooOldToBeDependent(Forbidden):
    error = "not_a_minor"
    message = "People aged 14 and over register themselves."


def add(svc: Services, guardian: Account, data: dict[str, str]) -> Account:
    id_number, birth = parse_id_and_birth(data)
    person = svc.registries.population.get(id_number)
    if person is None or person.birth_date != birth:
        raise InvalidInput("No person with this ID number and birth date is in the register.",
                           fields={"id_number": "not_in_register"})
    if guardian.id_number not in svc.registries.population.guardians_of(person.id_number):
        svc.audit("dependent.add", "not_guardian", actor_account_id=guardian.id,
                  id_number=person.id_number)
        raise NotGuardian()
    if age_on(person.birth_date, svc.now.date()) >= MIN_SELF_REGISTRATION_AGE and \
            person.guardian_id != guardian.id_number:
        raise TooOldToBeDependent()
    account = Account(id_number=person.id_number, full_name=person.full_name, phone=guardian.phone,
                      email=None, password_hash=NO_PASSWORD, level=guardian.level and 1,
                      role="dependent", locale=guardian.locale, guardian_account_id=guardian.id,
                      created_at=svc.now, password_changed_at=svc.now)
    if not add_unique(svc.session, account):
        raise Conflict("This person already has an account.")
    svc.audit("dependent.add", "ok", actor_account_id=guardian.id, acting_for=f"account:{account.id}",
              id_number=person.id_number)
    return account


def list_for(svc: Services, guardian: Account) -> list[Account]:
    return list(svc.session.scalars(select(Account).where(
        Account.guardian_account_id == guardian.id).order_by(Account.id)))


def get(svc: Services, guardian: Account, dependent_id: int) -> Account:
    dep = svc.session.get(Account, dependent_id)
    if dep is None or dep.guardian_account_id != guardian.id:
        raise NotFound("No such dependent.")
    return dep
