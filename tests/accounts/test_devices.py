"""The phone's device key (eid.accounts.devices): one active phone, transfer, deactivation."""
from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from sqlalchemy import select

from eid.accounts import devices, otp, tokens
from eid.accounts.errors import (
    AccountsError,
    Conflict,
    InvalidInput,
    NotFound,
    OtpExpired,
    OtpInvalid,
)
from eid.models.accounts import OtpChallenge
from eid.models.devices import Device, UsedProof
from tests.accounts.support import add_account, add_device, demo, device_proof, phone_key


@pytest.fixture
def person():  # type: ignore[no-untyped-def]
    return demo(9)


@pytest.fixture
def account(svc, person):  # type: ignore[no-untyped-def]
    return add_account(svc(), person)


def activate(svc, outbox, account, seed, **kw):  # type: ignore[no-untyped-def]
    issued = devices.start_activation(svc(), account)
    now = svc().now
    return devices.complete_activation(
        svc(), account, challenge_id=issued.challenge_id, code=outbox.last_code(account.phone),
        proof=device_proof(phone_key(seed), now, jti=f"activation-{seed:016d}"),
        name=kw.pop("name", f"Phone {seed}"), platform=kw.pop("platform", "Android"), **kw)


def active(session, account):  # type: ignore[no-untyped-def]
    return session.scalars(select(Device).where(Device.account_id == account.id,
                                                Device.deactivated_at.is_(None))).all()


def test_the_first_phone_is_bound_with_an_sms_code_and_its_key(svc, session, outbox, audit, account,
                                                              clock):
    issued = devices.start_activation(svc(), account)
    assert outbox.kinds(account.phone) == ["otp_device"]
    key = phone_key(1)
    device = devices.complete_activation(
        svc(), account, challenge_id=issued.challenge_id, code=outbox.last_code(account.phone),
        proof=device_proof(key, clock.now()), name="  Galaxy A54  ", platform="Android")
    assert (device.name, device.platform, device.bound_by) == ("Galaxy A54", "android", "first")
    assert device.jwk == key.as_dict(private=False)
    assert device.jkt == device_proof(key, clock.now()).jkt
    assert active(session, account) == [device]
    assert session.get(OtpChallenge, issued.challenge_id).consumed_at == clock.now()
    assert audit.last("device.activate").details == {"device_id": device.id, "bound_by": "first",
                                                     "replaced": None}


@pytest.mark.parametrize("name,platform,field", [
    ("", "android", "name"), ("   ", "ios", "name"), ("Phone", "windows-phone", "platform"),
])
def test_a_phone_needs_a_name_and_a_known_platform(svc, outbox, account, name, platform, field):
    with pytest.raises(InvalidInput) as info:
        activate(svc, outbox, account, 1, name=name, platform=platform)
    assert info.value.details["fields"] == {field: "invalid"}


def test_a_wrong_sms_code_binds_nothing(svc, session, outbox, account, clock):
    issued = devices.start_activation(svc(), account)
    with pytest.raises(OtpInvalid):
        devices.complete_activation(svc(), account, challenge_id=issued.challenge_id, code="x",
                                    proof=device_proof(phone_key(1), clock.now()), name="P",
                                    platform="ios")
    assert active(session, account) == []


def test_a_second_phone_needs_the_old_phones_code_or_the_chip(svc, session, outbox, account):
    old = activate(svc, outbox, account, 1)
    issued = devices.start_activation(svc(), account)
    with pytest.raises(devices.OldDeviceOrChipRequired) as info:
        devices.complete_activation(
            svc(), account, challenge_id=issued.challenge_id, code=outbox.last_code(account.phone),
            proof=device_proof(phone_key(2), svc().now), name="New", platform="ios")
    assert (info.value.error, info.value.status) == ("old_device_or_chip_required", 403)
    assert active(session, account) == [old]
    assert session.get(OtpChallenge, issued.challenge_id).consumed_at is None


def test_the_code_shown_on_the_old_phone_moves_the_account_to_the_new_one(svc, session, outbox,
                                                                          audit, account, clock):
    old = activate(svc, outbox, account, 1)
    old_tokens = tokens.issue(svc(), account, old)
    code, expires = devices.transfer_code(svc(), account, old)
    assert len(code) == 8 and code.isdigit() and expires == clock.now() + timedelta(minutes=5)
    assert code not in " ".join(text for _, text, _ in outbox)  # shown, never sent
    assert audit.last("device.transfer_code").details == {"device_id": old.id}
    new = activate(svc, outbox, account, 2, transfer=f" {code} ")
    assert new.bound_by == "old_device_code"
    assert active(session, account) == [new]
    assert (old.deactivated_at, old.deactivated_reason) == (clock.now(), "replaced")
    with pytest.raises(AccountsError):
        tokens.authenticate(svc(), old_tokens.access_token)
    assert audit.last("device.activate").details["replaced"] == old.id
    assert audit.last("device.deactivate").details == {"device_id": old.id, "reason": "replaced"}


@pytest.mark.parametrize("transfer", ["12345678", "wrong", ""])
def test_a_wrong_code_from_the_old_phone_binds_nothing(svc, session, outbox, account, transfer):
    old = activate(svc, outbox, account, 1)
    code, _ = devices.transfer_code(svc(), account, old)
    if transfer == code:
        transfer = "87654321"
    with pytest.raises(devices.OldDeviceOrChipRequired):
        activate(svc, outbox, account, 2, transfer=transfer)
    assert active(session, account) == [old]


def test_the_old_phones_code_lasts_five_minutes(svc, session, outbox, account, clock):
    old = activate(svc, outbox, account, 1)
    code, _ = devices.transfer_code(svc(), account, old)
    clock.advance(minutes=5)
    with pytest.raises(devices.OldDeviceOrChipRequired):
        activate(svc, outbox, account, 2, transfer=code)
    assert active(session, account) == [old]


def test_the_old_phones_code_moves_the_account_once(svc, session, outbox, account):
    old = activate(svc, outbox, account, 1)
    code, _ = devices.transfer_code(svc(), account, old)
    new = activate(svc, outbox, account, 2, transfer=code)
    with pytest.raises(devices.OldDeviceOrChipRequired):
        activate(svc, outbox, account, 3, transfer=code)
    assert active(session, account) == [new]


def test_a_fresh_chip_read_replaces_a_lost_phone(svc, session, outbox, account):
    activate(svc, outbox, account, 1)
    new = activate(svc, outbox, account, 2, chip_verified=True)
    assert new.bound_by == "chip" and active(session, account) == [new]


def test_a_key_registered_twice_is_a_conflict(svc, session, outbox, account):
    other = add_account(svc(), demo(10))
    add_device(svc(), other, phone_key(1))
    with pytest.raises(Conflict) as info:
        activate(svc, outbox, account, 1)
    assert info.value.status == 409
    assert active(session, account) == []


def test_a_refused_key_leaves_the_old_phone_active(svc, session, outbox, account):
    old = activate(svc, outbox, account, 1)
    add_device(svc(), add_account(svc(), demo(10)), phone_key(2))  # a shared family phone
    code, _ = devices.transfer_code(svc(), account, old)
    with pytest.raises(Conflict):
        activate(svc, outbox, account, 2, transfer=code)
    svc()  # the request ends: the web layer commits after a domain error
    assert active(session, account) == [old]


def test_a_code_shown_by_a_phone_that_was_replaced_since_moves_nothing(svc, session, outbox, account):
    first = activate(svc, outbox, account, 1)
    code, _ = devices.transfer_code(svc(), account, first)  # e.g. on the phone that was stolen
    second = activate(svc, outbox, account, 2, chip_verified=True)
    with contextlib.suppress(AccountsError):
        activate(svc, outbox, account, 3, transfer=code)
    assert active(session, account) == [second]


def test_a_refused_key_keeps_the_old_phones_tokens_and_code(svc, session, outbox, account):
    old = activate(svc, outbox, account, 1)
    pair = tokens.issue(svc(), account, old)
    add_device(svc(), add_account(svc(), demo(10)), phone_key(2))
    code, _ = devices.transfer_code(svc(), account, old)
    with pytest.raises(Conflict):
        activate(svc, outbox, account, 2, transfer=code)
    assert pair.family.revoked_at is None
    new = activate(svc, outbox, account, 3, transfer=code)  # the code still works, once
    assert new.bound_by == "old_device_code" and active(session, account) == [new]


def test_deactivating_a_phone_voids_the_codes_it_showed(svc, session, outbox, account):
    phone = activate(svc, outbox, account, 1)
    code, _ = devices.transfer_code(svc(), account, phone)
    devices.deactivate(svc(), account, phone.id, reason="user")
    first_again = activate(svc, outbox, account, 2)  # no phone active: bound as the first
    with pytest.raises(devices.OldDeviceOrChipRequired):
        activate(svc, outbox, account, 3, transfer=code)
    assert active(session, account) == [first_again]
    assert all(ch.consumed_at is not None for ch in session.scalars(
        select(OtpChallenge).where(OtpChallenge.purpose == "transfer")))


def test_deactivating_a_phone_ends_only_its_tokens(svc, session, outbox, audit, account, clock):
    phone = activate(svc, outbox, account, 1)
    on_phone, elsewhere = tokens.issue(svc(), account, phone), tokens.issue(svc(), account, None)
    devices.deactivate(svc(), account, phone.id, reason="user")
    assert phone.deactivated_reason == "user" and active(session, account) == []
    assert [f.id for f in tokens.families_for(svc(), account.id)] == [elsewhere.family.id]
    assert on_phone.family.revoked_reason == "device_user"
    clock.advance(minutes=1)
    devices.deactivate(svc(), account, phone.id, reason="again")
    assert phone.deactivated_reason == "user"  # the first deactivation stands
    assert [e.action for e in audit.entries].count("device.deactivate") == 1


def test_no_one_can_deactivate_someone_elses_phone(svc, session, account):
    theirs = add_device(svc(), add_account(svc(), demo(10)), phone_key(5))
    for device_id in (theirs.id, 999_999):
        with pytest.raises(NotFound):
            devices.deactivate(svc(), account, device_id, reason="user")
    assert session.get(Device, theirs.id).deactivated_at is None


def test_the_phones_are_listed_newest_first(svc, outbox, account):
    first = activate(svc, outbox, account, 1)
    second = activate(svc, outbox, account, 2, chip_verified=True)
    assert [d.id for d in devices.list_for(svc(), account.id)] == [second.id, first.id]
    assert devices.active_device(svc(), account.id).id == second.id


def test_proof_ids_are_remembered_in_the_database_until_they_expire(svc, session, clock):
    seen = devices.proof_seen(svc())
    later = clock.now() + timedelta(minutes=2)
    assert seen("jkt:jti-1", later) is False
    assert seen("jkt:jti-1", later) is True
    assert seen("jkt:jti-2", clock.now() + timedelta(minutes=4)) is False
    clock.advance(minutes=3)
    assert devices.purge_used_proofs(svc()) == 1
    assert [p.jti for p in session.scalars(select(UsedProof))] == ["jkt:jti-2"]


def test_a_replay_cache_when_configured_decides_instead_of_the_database(svc, session, clock):
    asked = []

    class Cache:
        def seen(self, key, expires, now):  # type: ignore[no-untyped-def]
            asked.append((key, expires, now))
            return True

    assert devices.proof_seen(svc(replay=Cache()))("k", clock.now()) is True
    assert asked == [("k", clock.now(), clock.now())]
    assert session.scalars(select(UsedProof)).all() == []


def test_a_transfer_challenge_cannot_activate_by_sms(svc, outbox, account):
    old = activate(svc, outbox, account, 1)
    issued, code = otp.issue_displayed(svc(), "transfer", account.id_number,
                                       {"account_id": account.id, "device_id": old.id})
    with pytest.raises(OtpExpired):
        devices.complete_activation(svc(), account, challenge_id=issued.challenge_id, code=code,
                                    proof=device_proof(phone_key(2), svc().now), name="P",
                                    platform="ios", transfer=code)
