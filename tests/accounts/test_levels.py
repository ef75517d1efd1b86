"""Assurance levels at the officer's desk (eid.accounts.levels)."""
from __future__ import annotations

import contextlib

import pytest

from eid.accounts import levels, tokens
from eid.accounts.errors import AccountsError, InvalidInput, NotFound
from eid.models.accounts import Account
from eid.models.chip import ChipVerification
from tests.accounts.support import add_account, demo

CHECKS = ["card_inspected", "portrait_matches", "details_confirmed"]


@pytest.fixture
def officer(svc):  # type: ignore[no-untyped-def]
    return add_account(svc(), demo(1), role="officer")


@pytest.fixture
def citizen(svc):  # type: ignore[no-untyped-def]
    return add_account(svc(), demo(2))


def test_an_officer_upgrades_a_citizen_to_level_2_after_every_check(svc, audit, officer, citizen):
    upgraded = levels.upgrade_to_level_2(svc(), officer, citizen.id, list(reversed(CHECKS)),
                                         chip_verification_id=None)
    assert upgraded.id == citizen.id and upgraded.level == 2
    entry = audit.last("desk.upgrade")
    assert (entry.actor_account_id, entry.acting_for, entry.id_number) == (
        officer.id, f"account:{citizen.id}", citizen.id_number)
    assert entry.details == {"from": 1, "to": 2, "checks": sorted(CHECKS),
                             "chip_verification_id": None}


def test_the_upgrade_applies_to_sign_ins_made_after_it(svc, officer, citizen):
    before = tokens.issue(svc(), citizen, None)
    levels.upgrade_to_level_2(svc(), officer, citizen.id, CHECKS)
    after = tokens.issue(svc(), citizen, None)
    assert (before.family.level, after.family.level) == (1, 2)


@pytest.mark.parametrize("missing", [["card_inspected"], ["portrait_matches", "details_confirmed"],
                                     CHECKS])
def test_every_in_person_check_must_be_ticked(svc, officer, citizen, missing):
    with pytest.raises(InvalidInput) as info:
        levels.upgrade_to_level_2(svc(), officer, citizen.id, [c for c in CHECKS if c not in missing])
    assert info.value.details["fields"] == {c: "required" for c in missing}
    assert svc().session.get(Account, citizen.id).level == 1


@pytest.mark.parametrize("role", ["citizen", "dependent"])
def test_only_an_officer_may_look_up_or_upgrade(svc, audit, citizen, role):
    not_officer = add_account(svc(), demo(3), role=role)
    with pytest.raises(levels.OfficerOnly) as info:
        levels.upgrade_to_level_2(svc(), not_officer, citizen.id, CHECKS)
    assert (info.value.error, info.value.status) == ("officer_only", 403)
    with pytest.raises(levels.OfficerOnly):
        levels.find(svc(), not_officer, citizen.id_number)
    assert citizen.level == 1 and audit.entries == []


def test_upgrading_an_unknown_account_is_not_found(svc, officer):
    with pytest.raises(NotFound):
        levels.upgrade_to_level_2(svc(), officer, 999_999, CHECKS)


def test_the_officer_finds_the_person_and_their_account(svc, audit, officer, citizen):
    person, account = levels.find(svc(), officer, f" {citizen.id_number} ")
    assert (person.id_number, account.id) == (citizen.id_number, citizen.id)
    assert audit.actions() == [("desk.lookup", "found")]


def test_a_person_without_an_account_is_found_without_one(svc, officer):
    person, account = levels.find(svc(), officer, demo(4).person.id_number)
    assert person.full_name == demo(4).person.full_name and account is None


def test_the_old_cmnd_number_finds_the_person(svc, officer):
    d = next(demo(n) for n in range(1, 51) if demo(n).person.old_id_number)
    person, _ = levels.find(svc(), officer, d.person.old_id_number)
    assert person.id_number == d.person.id_number


def test_an_id_the_register_does_not_know_is_looked_up_and_audited(svc, audit, officer):
    assert levels.find(svc(), officer, "079199000123") == (None, None)
    assert audit.actions() == [("desk.lookup", "not_found")]


@pytest.mark.parametrize("raw", ["", "12", "abcdefghijkl", "999199000123"])
def test_a_malformed_id_is_refused(svc, officer, raw):
    with pytest.raises(InvalidInput) as info:
        levels.find(svc(), officer, raw)
    assert info.value.details["fields"] == {"id_number": "id_number_invalid"}


def test_a_signed_up_person_can_be_made_an_officer(svc, audit, citizen):
    assert levels.make_officer(svc(), citizen.id_number).role == "officer"
    levels.require_officer(citizen)
    assert audit.actions() == [("role.officer", "granted")]


def test_making_an_officer_of_someone_without_an_account_is_not_found(svc):
    with pytest.raises(NotFound, match="Sign the person up first"):
        levels.make_officer(svc(), demo(4).person.id_number)


def test_an_upgrade_cannot_cite_someone_elses_chip_read(svc, audit, officer, citizen):
    other = add_account(svc(), demo(5))
    theirs = ChipVerification(account_id=other.id, chip_session_id="c" * 32, purpose="desk",
                              id_number=other.id_number, document_signer="DS", csca="CSCA",
                              document_signer_serial="101", verified_at=svc().now, level=1)
    session = svc().session
    session.add(theirs)
    session.flush()
    with contextlib.suppress(AccountsError):
        levels.upgrade_to_level_2(svc(), officer, citizen.id, CHECKS,
                                  chip_verification_id=theirs.id)
    assert all(e.details.get("chip_verification_id") != theirs.id for e in audit.entries)


def _chip_read(svc, account, purpose="desk"):  # type: ignore[no-untyped-def]
    read = ChipVerification(account_id=account.id, chip_session_id=f"{purpose[:1]}{account.id:031d}",
                            purpose=purpose, id_number=account.id_number, document_signer="DS",
                            csca="CSCA", document_signer_serial="101", verified_at=svc().now,
                            level=1)
    svc().session.add(read)
    svc().session.flush()
    return read


def test_an_upgrade_cites_the_desks_chip_read_of_this_card(svc, audit, officer, citizen):
    read = _chip_read(svc, citizen)
    levels.upgrade_to_level_2(svc(), officer, citizen.id, CHECKS, chip_verification_id=read.id)
    assert audit.last("desk.upgrade").details["chip_verification_id"] == read.id


@pytest.mark.parametrize("cited", ["someone_else", "not_at_the_desk", 999_999, 0, -1, 2**63])
def test_an_upgrade_citing_a_read_that_is_not_this_cards_at_the_desk_changes_nothing(
        svc, audit, officer, citizen, cited):
    if cited == "someone_else":
        cited = _chip_read(svc, add_account(svc(), demo(5))).id
    elif cited == "not_at_the_desk":
        cited = _chip_read(svc, citizen, purpose="level1_online").id
    with pytest.raises(InvalidInput) as info:
        levels.upgrade_to_level_2(svc(), officer, citizen.id, CHECKS, chip_verification_id=cited)
    assert info.value.details["fields"] == {"chip_verification_id": "chip_read_invalid"}
    assert svc().session.get(Account, citizen.id).level == 1
    assert "desk.upgrade" not in [a for a, _ in audit.actions()]
