"""Recorders and plain factory functions for the accounts domain tests (no Flask).

The recorders stand in for the outside world a use case talks to: :class:`Outbox`
is an SMS gateway or a mailer (``eid.accounts.context.MessageSender``),
:class:`AuditLog` is the auditor. The factories put synthetic people's accounts,
sessions and phones straight into the database, so a test of one use case does not
run every other use case first.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from joserfc.jwk import ECKey

from eid.accounts import proof
from eid.accounts.context import Services
from eid.accounts.registries.generator import DemoCitizen, demo_citizen
from eid.models.accounts import Account
from eid.models.devices import Device

STRONG = "Rv#9-Tq!Wz4k"
OTHER_STRONG = "Hoa-Sen#2027vn"
SECRET_KEYS = ("password", "otp", "code", "secret", "token", "captcha")


class Outbox(list[tuple[str, str, str]]):
    """Every message sent, as ``(to, text, kind)``, oldest first."""

    def send(self, to: str, text: str, *, kind: str) -> None:
        self.append((to, text, kind))

    def to(self, address: str) -> list[tuple[str, str, str]]:
        return [m for m in self if m[0] == address]

    def kinds(self, address: str | None = None) -> list[str]:
        return [kind for to, _, kind in self if address is None or to == address]

    def codes(self) -> list[str]:
        """The codes of the messages carrying one, oldest first."""
        return [m.group(1) for _, text, _ in self if (m := re.search(r"\b(\d{6,8})\b", text))]

    def last_code(self, address: str) -> str:
        """The code in the newest message to ``address`` carrying one."""
        for to, text, _ in reversed(self):
            found = re.search(r"\b(\d{6,8})\b", text)
            if to == address and found:
                return found.group(1)
        raise AssertionError(f"no code was sent to {address}")


@dataclass(frozen=True)
class AuditEntry:
    action: str
    outcome: str
    actor_account_id: int | None
    acting_for: str | None
    id_number: str | None
    details: Mapping[str, Any]


@dataclass
class AuditLog:
    """The auditor; refuses secret-looking detail keys as the real writer does."""

    entries: list[AuditEntry] = field(default_factory=list)

    def __call__(self, action: str, outcome: str, *, actor_account_id: int | None = None,
                 acting_for: str | None = None, id_number: str | None = None,
                 details: Mapping[str, Any] | None = None) -> None:
        bad = [k for k in (details or {}) if any(s in k.lower() for s in SECRET_KEYS)]
        if bad:
            raise ValueError(f"audit details may not carry {bad}")
        self.entries.append(AuditEntry(action, outcome, actor_account_id, acting_for, id_number,
                                       dict(details or {})))

    def actions(self) -> list[tuple[str, str]]:
        return [(e.action, e.outcome) for e in self.entries]

    def last(self, action: str) -> AuditEntry:
        found = [e for e in self.entries if e.action == action]
        assert found, f"nothing audited as {action}: {self.actions()}"
        return found[-1]


def wrong_code(code: str) -> str:
    """Another code of the same length (so only its value is wrong)."""
    return f"{(int(code) + 1) % 10**len(code):0{len(code)}d}"


def demo(n: int) -> DemoCitizen:
    return demo_citizen(n)


def add_account(svc: Services, d: DemoCitizen, *, password: str = STRONG, level: int = 1,
                role: str = "citizen", email: str | None = None) -> Account:
    """Demo citizen ``d``'s account, as sign-up would have left it."""
    p = d.person
    account = Account(id_number=p.id_number, full_name=p.full_name, phone=d.phone, email=email,
                      password_hash=svc.hasher.hash(password), level=level, role=role, locale="vi",
                      created_at=svc.now, password_changed_at=svc.now)
    svc.session.add(account)
    svc.session.flush()
    return account


def phone_key(seed: int) -> ECKey:
    """A reproducible P-256 device key (synthetic; derived from ``seed``)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.derive_private_key(10_000 + seed, ec.SECP256R1())
    return ECKey.import_key(private)


def device_proof(key: ECKey, now: datetime, jti: str = "activation-proof-0001") -> proof.Proof:
    """The verified proof of possession a phone sends when it activates ``key``."""
    url = "https://eid.example/api/mobile/v1/devices/activate/complete"
    compact = proof.make(key, method="POST", url=url, now=now, jti=jti)
    return proof.verify(compact, method="POST", url=url, now=now, seen=lambda _k, _e: False)


def add_device(svc: Services, account: Account, key: ECKey, *, name: str = "Old phone") -> Device:
    """An active phone already bound to ``account``."""
    jwk = key.as_dict(private=False)
    device = Device(account_id=account.id, name=name, platform="android", jwk=jwk,
                    jkt=proof.thumbprint(jwk), created_at=svc.now, bound_by="first")
    svc.session.add(device)
    svc.session.flush()
    return device
