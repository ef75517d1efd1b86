"""QR login use cases: load a transaction, apply a pure transition, save it with
compare-and-set, and tell the desktop what happened (through the ``notify``
callback, which the app wires to its Socket.IO room ``tx:<id>``).

The desktop learns only states, the number to match and, once approved, the
one-time redeem code: never who scanned (qr-login.md point 3).
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eid.clock import Rng
from eid.qr_login import context as ctx
from eid.qr_login import machine, tokens
from eid.qr_login.errors import AlreadyScanned, BadSignature, BadState, InvalidQr, Replayed, WebLoginDisabled
from eid.qr_login.machine import LoginTransaction
from eid.qr_login.states import State
from eid.qr_login.store import DecisionLog, Store

Notify = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class ShownQr:
    tx: LoginTransaction
    uri: str


@dataclass(frozen=True)
class Scanned:
    tx: LoginTransaction
    context: ctx.Context


class QrLogin:
    def __init__(self, store: Store, *, now: datetime, rng: Rng, audience: str,
                 notify: Notify, redeem_key: bytes, decisions: DecisionLog,
                 timing: machine.Timing | None = None) -> None:
        self.store, self.now, self.rng, self.decisions = store, now, rng, decisions
        self.audience, self.notify, self.redeem_key = audience, notify, redeem_key
        self.timing = timing or machine.Timing()

    def _redeem_code(self, tx_id: str) -> str:
        """Derived from a server key, so the polling fallback can hand it to the browser
        that owns the transaction without the code being stored anywhere."""
        return tokens.b64url(hmac.new(self.redeem_key, f"redeem:{tx_id}".encode(),
                                      hashlib.sha256).digest()[:16])

    # -- persistence ------------------------------------------------------------
    def load(self, tx_id: str) -> LoginTransaction:
        data = self.store.get(tx_id) if tx_id else None
        if data is None:
            raise InvalidQr()
        tx = LoginTransaction.from_dict(data)
        expired = machine.expire_if_due(tx, self.now)
        if expired is not tx:
            self._save(tx, expired)
        return expired

    def _save(self, old: LoginTransaction, new: LoginTransaction) -> LoginTransaction:
        if not self.store.cas(old.id, old.version, new.to_dict(), state=new.state.value,
                              version=new.version, expires_at=new.expires_at):
            raise BadState("Someone else changed this sign-in at the same moment.")
        return new

    def _shown(self, tx: LoginTransaction, secret: str) -> ShownQr:
        return ShownQr(tx, tokens.build_uri(tokens.QrPayload(tx.id, secret, tx.desktop_jkt)))

    # -- desktop ----------------------------------------------------------------
    def begin(self, *, desktop_jwk: dict[str, str], nonce: str, nonce_signature: str,
              cookie_hash: str, ip: str, user_agent: str, service: str,
              required_level: int = 1) -> ShownQr:
        """The desktop proves its key by signing the server's nonce (point 1)."""
        if not nonce:
            raise BadSignature("Reload the page: the sign-in nonce is missing.")
        tokens.verify_signature(desktop_jwk, nonce.encode(), nonce_signature)
        tx_id = tokens.b64url(self.rng.token_bytes(18))
        tx, secret = machine.start(tx_id, desktop_jwk=desktop_jwk, cookie_hash=cookie_hash, ip=ip,
                                   user_agent=user_agent, service=service, now=self.now, rng=self.rng,
                                   timing=self.timing, required_level=required_level)
        self.store.create(tx.id, tx.to_dict(), state=tx.state.value, version=tx.version,
                          expires_at=tx.expires_at)
        return self._shown(tx, secret)

    def _own(self, tx_id: str, cookie_hash: str) -> LoginTransaction:
        tx = self.load(tx_id)
        if not hmac.compare_digest(tx.cookie_hash, cookie_hash):
            raise InvalidQr()
        return tx

    def rotate(self, tx_id: str, cookie_hash: str) -> ShownQr:
        tx = self._own(tx_id, cookie_hash)
        new, secret = machine.rotate(tx, now=self.now, rng=self.rng)
        return self._shown(self._save(tx, new), secret)

    def status(self, tx_id: str, cookie_hash: str) -> dict[str, Any]:
        """For the polling fallback: the same events the socket would have pushed."""
        tx = self._own(tx_id, cookie_hash)
        return desktop_event(tx, self._redeem_code(tx.id) if tx.state is State.APPROVED else None)

    def redeem(self, tx_id: str, code: str, *, cookie_hash: str, signature: str) -> LoginTransaction:
        tx = self._own(tx_id, cookie_hash)
        return self._save(tx, machine.redeem(tx, code, cookie_hash=cookie_hash, signature=signature,
                                             now=self.now))

    # -- phone ------------------------------------------------------------------
    def scan(self, uri: str, *, account_id: int, device_id: int, phone_ip: str,
             web_login_enabled: bool) -> Scanned:
        """Raises:
            WebLoginDisabled: the account turned web sign-in off (in the app's settings).
            InvalidQr, AlreadyScanned, Expired: the code cannot be used."""
        if not web_login_enabled:
            raise WebLoginDisabled()
        qr = tokens.parse_uri(uri)
        tx = self.load(qr.tx_id)
        if qr.thumbprint != tx.desktop_jkt:
            raise InvalidQr()
        try:
            scanned = machine.scan(tx, qr.secret, account_id=account_id, device_id=device_id,
                                   now=self.now, rng=self.rng)
        except AlreadyScanned:
            self._save(tx, machine.flag(tx, f"second_scan:{account_id}"))
            raise
        shown = ctx.build(service=tx.service, desktop_ip=tx.desktop_ip, desktop_ua=tx.desktop_ua,
                          phone_ip=phone_ip, at=self.now, numbers=scanned.numbers)
        saved = self._save(tx, machine.attach_context(scanned, tokens.context_hash(shown.as_dict())))
        self.notify(saved.id, desktop_event(saved, None))
        return Scanned(saved, shown)

    def decide(self, raw_approval: str, signature: str, *, device_jwk: dict[str, str],
               account_id: int, device_id: int, account_level: int) -> LoginTransaction:
        """The phone's signed approval or denial (point 4), kept as evidence in the
        decision log. Returns the new state."""
        tokens.verify_signature(device_jwk, raw_approval.encode(), signature)
        approval = tokens.parse_approval(raw_approval)
        tx = self.load(approval.tx)
        if self.store.seen(f"qr-approval:{approval.jti}", tx.expires_at, self.now):
            raise Replayed()
        if approval.decision == "deny":
            new = machine.check_denial(tx, approval, account_id=account_id, device_id=device_id,
                                       audience=self.audience, now=self.now)
            code = None
        else:
            new, code = machine.approve(tx, approval, account_id=account_id, device_id=device_id,
                                        account_level=account_level, audience=self.audience,
                                        now=self.now, redeem_code=self._redeem_code(tx.id))
        saved = self._save(tx, new)
        self.decisions.record(tx_id=saved.id, account_id=account_id, device_id=device_id,
                              decision=saved.state.value, payload=raw_approval, signature=signature,
                              received_at=self.now)
        self.notify(saved.id, desktop_event(saved, code))
        return saved

    def report(self, tx_id: str, *, account_id: int) -> LoginTransaction:
        tx = self.load(tx_id)
        saved = self._save(tx, machine.report(tx, account_id=account_id, now=self.now))
        self.notify(saved.id, desktop_event(saved, None))
        return saved


def desktop_event(tx: LoginTransaction, redeem_code: str | None) -> dict[str, Any]:
    """What the desktop may know: state, the number to match, the redeem code."""
    event: dict[str, Any] = {"tx": tx.id, "state": tx.state.value}
    if tx.state is State.SCANNED and tx.correct_number is not None:
        event["number"] = tx.correct_number
    if tx.state is State.APPROVED and redeem_code:
        event["redeem_code"] = redeem_code
    if tx.state is State.DENIED and tx.deny_reason is not None:
        event["state"] = "step_up_required" if tx.deny_reason.value == "step_up_required" else "denied"
    return event


def cookie_hash(cookie: str) -> str:
    return tokens.hash_secret("qr-cookie:" + cookie)


