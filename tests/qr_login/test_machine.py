"""The pure state machine, with a frozen clock and seeded randomness."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from eid.clock import SeededRng
from eid.qr_login import machine, tokens
from eid.qr_login.errors import (
    AlreadyScanned,
    BadState,
    Expired,
    InvalidQr,
    RedeemInvalid,
    RotationLimit,
    Stale,
    ThumbprintMismatch,
)
from eid.qr_login.states import DenyReason, State

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
KEY = ec.derive_private_key(4242, ec.SECP256R1())
JWK = tokens.public_jwk(KEY.public_key())


def new() -> tuple[machine.LoginTransaction, str]:
    return machine.start("T" * 24, desktop_jwk=JWK, cookie_hash="c" * 64, ip="203.0.113.9",
                         user_agent="Mozilla/5.0 Chrome/126", service="Test", now=NOW, rng=SeededRng(7))


def scanned() -> machine.LoginTransaction:
    tx, secret = new()
    tx = machine.scan(tx, secret, account_id=1, device_id=2, now=NOW, rng=SeededRng(8))
    return machine.attach_context(tx, "ctx")


def approval(t: machine.LoginTransaction, **over: object) -> tokens.Approval:
    tx = t
    base = {"tx": tx.id, "thumbprint": tx.desktop_jkt, "number": tx.correct_number, "aud": "aud",
            "iat": int(NOW.timestamp()), "jti": "j" * 16, "decision": "approve", "context_hash": "ctx"}
    base.update(over)
    return tokens.Approval(**base)  # type: ignore[arg-type]


def test_round_trip_through_json():
    tx = scanned()
    assert machine.LoginTransaction.from_dict(tx.to_dict()) == tx


def test_happy_path_versions_increase():
    tx = scanned()
    assert tx.state is State.SCANNED and tx.version == 3
    tx2, code = machine.approve(tx, approval(tx), account_id=1, device_id=2, account_level=1,
                                audience="aud", now=NOW, redeem_code="R" * 22)
    assert tx2.state is State.APPROVED and code == "R" * 22
    sig = _sign(f"{tx2.id}.{code}")
    done = machine.redeem(tx2, code, cookie_hash="c" * 64, signature=sig, now=NOW)
    assert done.state is State.CONSUMED and done.version == tx2.version + 1
    with pytest.raises(RedeemInvalid):
        machine.redeem(done, code, cookie_hash="c" * 64, signature=sig, now=NOW)


def _sign(text: str) -> str:
    from cryptography.hazmat.primitives import hashes

    return tokens.b64url(KEY.sign(text.encode(), ec.ECDSA(hashes.SHA256())))


def test_second_scan_and_wrong_secret():
    tx, secret = new()
    with pytest.raises(InvalidQr):
        machine.scan(tx, "x" * 22, account_id=1, device_id=2, now=NOW, rng=SeededRng(1))
    tx = machine.scan(tx, secret, account_id=1, device_id=2, now=NOW, rng=SeededRng(1))
    with pytest.raises(AlreadyScanned):
        machine.scan(tx, secret, account_id=9, device_id=9, now=NOW, rng=SeededRng(1))


def test_rotation_kills_the_old_secret_and_is_capped():
    tx, first = new()
    tx, _ = machine.rotate(tx, now=NOW + timedelta(seconds=20), rng=SeededRng(2))
    with pytest.raises(InvalidQr):
        machine.scan(tx, first, account_id=1, device_id=2, now=NOW, rng=SeededRng(1))
    for _ in range(tx.max_rotations - 2):
        tx, _ = machine.rotate(tx, now=NOW, rng=SeededRng(3))
    with pytest.raises(RotationLimit):
        machine.rotate(tx, now=NOW, rng=SeededRng(3))


def test_qr_expires_after_its_ttl_and_the_transaction_after_its_lifetime():
    tx, secret = new()
    with pytest.raises(InvalidQr):
        machine.scan(tx, secret, account_id=1, device_id=2, now=NOW + machine.QR_TTL,
                     rng=SeededRng(1))
    with pytest.raises(Expired):
        machine.rotate(tx, now=NOW + machine.LIFETIME, rng=SeededRng(1))
    assert machine.expire_if_due(tx, NOW + machine.LIFETIME).state is State.EXPIRED


@pytest.mark.parametrize("over,error", [
    ({"thumbprint": "X" * 43}, ThumbprintMismatch), ({"aud": "other"}, BadState),
    ({"context_hash": "other"}, BadState), ({"tx": "other"}, BadState),
    ({"iat": int(NOW.timestamp()) - 3600}, Stale),
])
def test_approval_must_be_bound_and_fresh(over, error):
    tx = scanned()
    with pytest.raises(error):
        machine.approve(tx, approval(tx, **over), account_id=1, device_id=2, account_level=1,
                        audience="aud", now=NOW, redeem_code="R")


def test_wrong_number_and_low_level_deny():
    tx = scanned()
    wrong = next(n for n in tx.numbers if n != tx.correct_number)
    denied, code = machine.approve(tx, approval(tx, number=wrong), account_id=1, device_id=2,
                                   account_level=1, audience="aud", now=NOW, redeem_code="R")
    assert code is None and denied.deny_reason is DenyReason.WRONG_NUMBER
    tx2 = machine.LoginTransaction.from_dict({**tx.to_dict(), "required_level": 2})
    denied, _ = machine.approve(tx2, approval(tx2), account_id=1, device_id=2, account_level=1,
                                audience="aud", now=NOW, redeem_code="R")
    assert denied.deny_reason is DenyReason.STEP_UP_REQUIRED


def test_other_phone_cannot_decide():
    tx = scanned()
    with pytest.raises(BadState):
        machine.approve(tx, approval(tx), account_id=1, device_id=3, account_level=1,
                        audience="aud", now=NOW, redeem_code="R")


def test_report_after_end_is_only_flagged():
    tx = scanned()
    reported = machine.report(tx, account_id=1, now=NOW)
    assert reported.state is State.DENIED and "reported" in reported.flags
    again = machine.report(reported, account_id=1, now=NOW)
    assert again.state is State.DENIED and "reported_after_end" in again.flags
