"""The person behind an account as the claims rules see it: the opaque ``sub``, the
account, the population register's record and the evidence eid holds."""
from __future__ import annotations

import base64
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from eid.accounts import assurance
from eid.accounts.registries.interfaces import PopulationRegistry
from eid.clock import Rng
from eid.models.accounts import Account
from eid.models.oidc import OidcSubject
from eid.oidc.claims import Evidence, Person


def sub_for(session: Session, account_id: int, rng: Rng) -> str:
    """A random, stable ``sub`` per account (made on first use)."""
    sub = session.scalar(select(OidcSubject.sub).where(OidcSubject.account_id == account_id))
    if sub is None:
        sub = base64.urlsafe_b64encode(rng.token_bytes(24)).rstrip(b"=").decode()
        session.add(OidcSubject(account_id=account_id, sub=sub))
        session.flush()
    return sub


def account_of(session: Session, sub: str) -> Account | None:
    account_id = session.scalar(select(OidcSubject.account_id).where(OidcSubject.sub == sub))
    return session.get(Account, account_id) if account_id is not None else None


def person(session: Session, account: Account, population: PopulationRegistry, rng: Rng, *,
           act: Mapping[str, str] | None = None) -> Person:
    rec = population.get(account.id_number)
    evidence = tuple(Evidence(c.kind, c.at, c.detail) for c in assurance.checks(session, account))
    return Person(
        sub=sub_for(session, account.id, rng), id_number=account.id_number, full_name=account.full_name,
        phone=account.phone, email=account.email, locale=account.locale, level=account.level,
        birth_date=rec.birth_date if rec else None, sex=rec.sex if rec else None,
        address=rec.permanent_address if rec else None, postal_code=rec.postal_code if rec else None,
        country="IR" if rec is not None and rec.country == "IR" else "VN", evidence=evidence, act=act)
