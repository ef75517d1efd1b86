"""The phone's device key: one active device per account, as VNeID keeps it.

Activating a phone needs an SMS OTP and a proof of possession of the new key.
When another phone is active, binding a new one also needs either the 8-digit
code shown on the old phone or a fresh verified read of the card's chip; the
old phone is then deactivated and its tokens revoked.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from eid.accounts import otp, tokens
from eid.accounts.context import Services
from eid.accounts.errors import AccountsError, Conflict, Forbidden, InvalidInput, NotFound
from eid.accounts.proof import Proof
from eid.models.accounts import Account, OtpChallenge
from eid.models.devices import Device, UsedProof
from eid.models.ops import add_unique, insert_if_absent

PLATFORMS = ("android", "ios", "cli", "other")


class OldDeviceOrChipRequired(Forbidden):
    error = "old_device_or_chip_required"
    message = ("Another phone is active for this account. Enter the code shown on that phone, "
               "or verify your ID card's chip with NFC.")


def active_device(svc: Services, account_id: int) -> Device | None:
    return svc.session.scalar(select(Device).where(Device.account_id == account_id,
                                                   Device.deactivated_at.is_(None)))


def start_activation(svc: Services, account: Account) -> otp.Issued:
    return otp.issue(svc, "device", account.id_number, account.phone, {"account_id": account.id})


def transfer_code(svc: Services, account: Account,
                  device: Device | tokens.BoundDevice) -> tuple[str, datetime]:
    """A code the old phone shows so a new phone can take over (5-minute life)."""
    issued, code = otp.issue_displayed(svc, "transfer", account.id_number,
                                       {"account_id": account.id, "device_id": device.id})
    svc.audit("device.transfer_code", "ok", actor_account_id=account.id,
              details={"device_id": device.id})
    return code, issued.expires_at


def _transfer_challenge(svc: Services, account: Account, old: Device,
                        code: str) -> OtpChallenge:
    """The pending transfer challenge that ``old`` (the active phone) showed with ``code``.

    A code shown by any other phone (one replaced since, e.g. a stolen one) is not
    tried. Verification only: the caller consumes it once the new key is bound.

    Raises:
        OldDeviceOrChipRequired: no such code, or it has expired.
    """
    for ch in otp.pending_for(svc, account.id_number, "transfer"):
        if otp.payload(ch).get("device_id") != old.id:
            continue
        try:
            return otp.verify(svc, ch.id, "transfer", code)
        except AccountsError:
            continue  # not this one: try the next pending code
    raise OldDeviceOrChipRequired("The code from the old phone is not correct or has expired.")


def complete_activation(svc: Services, account: Account, *, challenge_id: str, code: str,
                        proof: Proof, name: str, platform: str, transfer: str | None = None,
                        chip_verified: bool = False) -> Device:
    """Bind the key that signed ``proof``; deactivate the previous phone.

    Every check comes before the first change: a refused key or code leaves the old
    phone active with its tokens and codes (the web layer commits after a domain error).

    Raises:
        OtpInvalid/OtpExpired: the SMS code. OldDeviceOrChipRequired: another
        phone is active and neither its code nor a chip read was given.
        Conflict: this key is already registered.
    """
    name, platform = (name or "").strip()[:100], (platform or "other").lower()
    if not name or platform not in PLATFORMS:
        raise InvalidInput("Name the phone and say its platform.",
                           fields={"name" if not name else "platform": "invalid"})
    ch = otp.verify(svc, challenge_id, "device", code)
    old = active_device(svc, account.id)
    bound_by, shown = "first", None
    if old is not None:
        if chip_verified:
            bound_by = "chip"
        elif transfer:
            shown = _transfer_challenge(svc, account, old, transfer.strip())
            bound_by = "old_device_code"
        else:
            raise OldDeviceOrChipRequired()
    device = Device(account_id=account.id, name=name, platform=platform, jwk=dict(proof.jwk),
                    jkt=proof.jkt, created_at=svc.now, bound_by=bound_by)
    if not add_unique(svc.session, device):
        raise Conflict("This device key is already registered.")
    if old is not None:
        deactivate(svc, account, old.id, reason="replaced")  # voids ``shown`` with its other codes
    if shown is not None:
        otp.consume(svc, shown)
    otp.consume(svc, ch)
    svc.audit("device.activate", "ok", actor_account_id=account.id,
              details={"device_id": device.id, "bound_by": bound_by,
                       "replaced": old.id if old else None})
    return device


def _void_transfer_codes(svc: Services, account: Account, device_id: int) -> None:
    for ch in otp.pending_for(svc, account.id_number, "transfer"):
        if otp.payload(ch).get("device_id") == device_id:
            otp.consume(svc, ch)


def deactivate(svc: Services, account: Account, device_id: int, *, reason: str) -> Device:
    device = svc.session.get(Device, device_id)
    if device is None or device.account_id != account.id:
        raise NotFound("No such device.")
    if device.deactivated_at is None:
        device.deactivated_at, device.deactivated_reason = svc.now, reason
        tokens.revoke_all(svc, account.id, f"device_{reason}", device_id=device.id)
        _void_transfer_codes(svc, account, device.id)
        svc.audit("device.deactivate", "ok", actor_account_id=account.id,
                  details={"device_id": device.id, "reason": reason})
    svc.session.flush()
    return device


def list_for(svc: Services, account_id: int) -> list[Device]:
    return list(svc.session.scalars(select(Device).where(Device.account_id == account_id)
                                    .order_by(Device.id.desc())))


def by_jkt(svc: Services, jkt: str) -> Device | None:
    return svc.session.scalar(select(Device).where(Device.jkt == jkt))


def proof_seen(svc: Services):  # type: ignore[no-untyped-def]
    """A ``seen(jti, expires)`` callback for ``proof.verify`` backed by the database."""
    def seen(jti: str, expires: datetime) -> bool:
        if svc.replay is not None:
            return bool(svc.replay.seen(jti, expires, svc.now))
        return not insert_if_absent(svc.session, UsedProof, {"jti": jti, "expires_at": expires})

    return seen


def purge_used_proofs(svc: Services) -> int:
    result = svc.session.execute(delete(UsedProof).where(UsedProof.expires_at < svc.now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
