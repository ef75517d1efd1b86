"""What eid has verified about an account, and when: the evidence behind its level
(Decision 34/2021/QĐ-TTg art. 5), for statements such as OpenID Connect for Identity
Assurance's ``verified_claims``. Only checks eid itself made are listed.

* ``register``: at sign-up the declared ID, name and birth date matched the population
  register and the phone line was the person's own (the account exists only then).
* ``chip``: the card's chip passed passive authentication (signatures up to the CSCA)
  and, where recorded, active authentication over a fresh challenge.
* ``officer``: an officer checked the person and the card in person and raised the
  account to level 2 (the desk's audit record).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from eid.models.accounts import Account
from eid.models.audit import AuditEvent
from eid.models.chip import ChipVerification


@dataclass(frozen=True)
class Check:
    kind: str  # register | chip | officer
    at: datetime
    detail: Mapping[str, str] = field(default_factory=dict)


def checks(session: Session, account: Account) -> list[Check]:
    """The account's evidence, oldest first: the register match, the latest chip read,
    the officer's upgrade (if any)."""
    out = [Check("register", account.created_at)]
    chip = session.scalar(select(ChipVerification).where(ChipVerification.account_id == account.id)
                          .order_by(ChipVerification.verified_at.desc()).limit(1))
    if chip is not None:
        detail = {"purpose": chip.purpose}
        if chip.active_auth:
            detail["active_auth"] = "verified"
        out.append(Check("chip", chip.verified_at, detail))
    if account.level >= 2:
        upgraded = session.scalar(select(AuditEvent.at).where(
            AuditEvent.action == "desk.upgrade", AuditEvent.outcome == "ok",
            AuditEvent.acting_for == f"account:{account.id}").order_by(AuditEvent.at.desc()).limit(1))
        if upgraded is not None:
            out.append(Check("officer", upgraded))
    return sorted(out, key=lambda c: c.at)
