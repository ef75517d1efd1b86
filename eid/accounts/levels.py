"""Assurance levels (Decision 34/2021/QĐ-TTg, art. 5, as VNeID applies it).

Level 1: the declared details matched the population register automatically.
Level 2: an officer verified the person in person (portrait and card, later the
chip) and upgraded the account. Only officers may upgrade; each step is audited.
"""
from __future__ import annotations

from sqlalchemy import select

from eid.accounts.context import Services
from eid.accounts.errors import Forbidden, InvalidInput, NotFound
from eid.accounts.ids import parse_id_number
from eid.models.accounts import Account
from eid.models.chip import ChipVerification

CHECKS = ("card_inspected", "portrait_matches", "details_confirmed")


class OfficerOnly(Forbidden):
    error = "officer_only"
    message = "Only an officer at a verification desk may do this."


def require_officer(account: Account) -> None:
    if account.role != "officer":
        raise OfficerOnly()


def find(svc: Services, officer: Account, raw_id: str) -> tuple[object | None, Account | None]:
    """The register's record and the account (if any) for an ID number."""
    require_officer(officer)
    idn = parse_id_number(raw_id)
    person = svc.registries.population.get(idn.value)
    account = svc.session.scalar(select(Account).where(
        Account.id_number == (person.id_number if person else idn.value)))
    svc.audit("desk.lookup", "found" if person else "not_found", actor_account_id=officer.id,
              id_number=idn.value)
    return person, account


def _check_chip_read(svc: Services, account: Account, chip_verification_id: int) -> None:
    """The cited chip read must be one the desk made of this account's card: the id
    comes back from the page as a hidden field, so it is checked, not trusted."""
    read = (svc.session.get(ChipVerification, chip_verification_id)
            if 0 < chip_verification_id < 2**31 else None)  # an INTEGER primary key
    if read is None or read.account_id != account.id or read.purpose != "desk":
        raise InvalidInput("The chip read cited is not one of this person's card at the desk.",
                           fields={"chip_verification_id": "chip_read_invalid"})


def upgrade_to_level_2(svc: Services, officer: Account, account_id: int, checks: list[str],
                       *, chip_verification_id: int | None = None) -> Account:
    """Raise ``account_id`` to level 2 after the officer's in-person checks.

    Raises:
        OfficerOnly: ``officer`` is no officer. InvalidInput: a check is not ticked,
        or ``chip_verification_id`` is not a desk read of this account's card.
        NotFound: no such account.
    """
    require_officer(officer)
    missing = [c for c in CHECKS if c not in checks]
    if missing:
        raise InvalidInput("Tick every in-person check before upgrading.",
                           fields={c: "required" for c in missing})
    account = svc.session.get(Account, account_id)
    if account is None:
        raise NotFound("No such account.")
    if chip_verification_id is not None:
        _check_chip_read(svc, account, chip_verification_id)
    before = account.level
    account.level = 2
    svc.session.flush()
    svc.audit("desk.upgrade", "ok", actor_account_id=officer.id, acting_for=f"account:{account.id}",
              id_number=account.id_number,
              details={"from": before, "to": 2, "checks": sorted(checks),
                       "chip_verification_id": chip_verification_id})
    return account


def make_officer(svc: Services, id_number: str) -> Account:
    account = svc.session.scalar(select(Account).where(Account.id_number == id_number))
    if account is None:
        raise NotFound("Sign the person up first; then make them an officer.")
    account.role = "officer"
    svc.audit("role.officer", "granted", actor_account_id=None, id_number=id_number)
    return account
