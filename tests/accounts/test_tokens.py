"""The phone app's tokens (eid.accounts.tokens): access expiry, refresh rotation, reuse."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from eid.accounts import devices, tokens
from eid.accounts.errors import NotAuthenticated, SessionExpired
from eid.models.devices import Device, IssuedToken, TokenFamily
from tests.accounts.support import add_account, add_device, demo, device_proof, phone_key


@pytest.fixture
def account(svc):  # type: ignore[no-untyped-def]
    return add_account(svc(), demo(1), level=2)


@pytest.fixture
def device(svc, account):  # type: ignore[no-untyped-def]
    return add_device(svc(), account, phone_key(1))


def test_a_sign_in_issues_a_family_with_one_access_and_one_refresh_token(svc, session, account,
                                                                         clock):
    pair = tokens.issue(svc(), account, None, act={"type": "company", "id": "0100", "name": "C",
                                                   "actor": str(account.id)})
    assert (pair.family.level, pair.family.act["type"], pair.expires_in) == (2, "company", 600)
    rows = {r.kind: r for r in session.scalars(select(IssuedToken))}
    assert set(rows) == {"access", "refresh"}
    assert rows["access"].expires_at == clock.now() + timedelta(minutes=10)
    assert rows["refresh"].expires_at == clock.now() + timedelta(days=30)
    assert pair.access_token not in {r.token_hash for r in rows.values()}
    assert pair.as_json() == {"access_token": pair.access_token, "refresh_token": pair.refresh_token,
                              "token_type": "Bearer", "expires_in": 600, "level": 2,
                              "act": pair.family.act}


def test_a_family_bound_to_a_phone_is_of_the_dpop_type(svc, account, device):
    pair = tokens.issue(svc(), account, device)
    assert pair.as_json()["token_type"] == "DPoP"
    auth = tokens.authenticate(svc(), pair.access_token)
    assert (auth.account.id, auth.device.id, auth.device.jkt) == (account.id, device.id, device.jkt)


@pytest.mark.parametrize("seconds,expired", [(599, False), (600, True)])
def test_an_access_token_lives_ten_minutes(svc, account, clock, seconds, expired):
    pair = tokens.issue(svc(), account, None)
    clock.advance(seconds=seconds)
    if expired:
        with pytest.raises(SessionExpired):
            tokens.authenticate(svc(), pair.access_token)
    else:
        assert tokens.authenticate(svc(), pair.access_token).account.id == account.id


@pytest.mark.parametrize("which", ["none", "empty", "forged", "refresh_token"])
def test_only_an_access_token_we_issued_authenticates(svc, account, which):
    pair = tokens.issue(svc(), account, None)
    token = {"none": None, "empty": "", "forged": "f" * 43, "refresh_token": pair.refresh_token}[which]
    with pytest.raises(NotAuthenticated):
        tokens.authenticate(svc(), token)


def test_refresh_rotates_the_pair_within_the_family(svc, session, account, clock):
    first = tokens.issue(svc(), account, None)
    clock.advance(minutes=11)
    second = tokens.refresh(svc(), first.refresh_token, proof_jkt=None)
    assert second.family.id == first.family.id
    assert {second.access_token, second.refresh_token}.isdisjoint(
        {first.access_token, first.refresh_token})
    used = session.scalar(select(IssuedToken).where(
        IssuedToken.token_hash == tokens._hash(first.refresh_token)))
    assert used.used_at == clock.now()
    assert tokens.authenticate(svc(), second.access_token).family.id == first.family.id


def test_a_reused_refresh_token_revokes_the_whole_family(svc, session, account, audit):
    first = tokens.issue(svc(), account, None)
    second = tokens.refresh(svc(), first.refresh_token, proof_jkt=None)
    with pytest.raises(tokens.RefreshReused) as info:
        tokens.refresh(svc(), first.refresh_token, proof_jkt=None)
    assert (info.value.error, info.value.status) == ("refresh_token_reused", 401)
    family = session.get(TokenFamily, first.family.id)
    assert family.revoked_reason == "refresh_reuse"
    assert audit.actions() == [("token.refresh", "reuse_detected")]
    assert audit.last("token.refresh").details == {"family_id": family.id}
    for dead in (lambda: tokens.refresh(svc(), second.refresh_token, proof_jkt=None),
                 lambda: tokens.authenticate(svc(), second.access_token),
                 lambda: tokens.authenticate(svc(), first.access_token)):
        with pytest.raises(SessionExpired):
            dead()


def test_reuse_revokes_only_that_sign_in(svc, account):
    stolen, other = tokens.issue(svc(), account, None), tokens.issue(svc(), account, None)
    tokens.refresh(svc(), stolen.refresh_token, proof_jkt=None)
    with pytest.raises(tokens.RefreshReused):
        tokens.refresh(svc(), stolen.refresh_token, proof_jkt=None)
    assert tokens.authenticate(svc(), other.access_token).family.id == other.family.id


@pytest.mark.parametrize("days,expired", [(29, False), (30, True)])
def test_a_refresh_token_lives_thirty_days(svc, account, clock, days, expired):
    pair = tokens.issue(svc(), account, None)
    clock.advance(days=days)
    if expired:
        with pytest.raises(SessionExpired):
            tokens.refresh(svc(), pair.refresh_token, proof_jkt=None)
    else:
        assert tokens.refresh(svc(), pair.refresh_token, proof_jkt=None).family.id == pair.family.id


@pytest.mark.parametrize("which", ["forged", "access_token"])
def test_only_a_refresh_token_we_issued_refreshes(svc, account, which):
    pair = tokens.issue(svc(), account, None)
    with pytest.raises(NotAuthenticated):
        tokens.refresh(svc(), "f" * 43 if which == "forged" else pair.access_token, proof_jkt=None)


@pytest.mark.parametrize("proof", ["none", "other_key"])
def test_refreshing_a_phones_family_needs_that_phones_key(svc, account, device, proof):
    pair = tokens.issue(svc(), account, device)
    jkt = None if proof == "none" else device_proof(phone_key(2), svc().now).jkt
    with pytest.raises(SessionExpired):
        tokens.refresh(svc(), pair.refresh_token, proof_jkt=jkt)
    assert tokens.refresh(svc(), pair.refresh_token, proof_jkt=device.jkt).family.id == pair.family.id


def test_a_deactivated_phones_tokens_stop_working(svc, session, account, device):
    pair = tokens.issue(svc(), account, device)
    session.get(Device, device.id).deactivated_at = svc().now
    with pytest.raises(SessionExpired):
        tokens.authenticate(svc(), pair.access_token)
    with pytest.raises(SessionExpired):
        tokens.refresh(svc(), pair.refresh_token, proof_jkt=device.jkt)


def test_revoking_a_phones_families_leaves_the_others(svc, account, device):
    on_phone, elsewhere = tokens.issue(svc(), account, device), tokens.issue(svc(), account, None)
    assert tokens.revoke_all(svc(), account.id, "device_lost", device_id=device.id) == 1
    assert [f.id for f in tokens.families_for(svc(), account.id)] == [elsewhere.family.id]
    with pytest.raises(SessionExpired):
        tokens.authenticate(svc(), on_phone.access_token)


def test_revoking_all_may_keep_the_current_family(svc, account):
    keep, *_ = [tokens.issue(svc(), account, None) for _ in range(3)]
    assert tokens.revoke_all(svc(), account.id, "password_changed",
                             except_family_id=keep.family.id) == 2
    assert [f.id for f in tokens.families_for(svc(), account.id)] == [keep.family.id]


def test_live_families_are_listed_newest_first(svc, account):
    a, b, c = (tokens.issue(svc(), account, None) for _ in range(3))
    tokens.revoke_family(svc(), b.family.id, "user")
    assert [f.id for f in tokens.families_for(svc(), account.id)] == [c.family.id, a.family.id]


@pytest.mark.parametrize("after,touched", [(60, False), (61, True)])
def test_the_phones_last_use_is_written_at_most_once_a_minute(svc, session, account, device, clock,
                                                              after, touched):
    pair = tokens.issue(svc(), account, device)
    tokens.touch_device(svc(), tokens.authenticate(svc(), pair.access_token).device)
    first = clock.now()
    clock.advance(seconds=after)
    tokens.touch_device(svc(), tokens.authenticate(svc(), pair.access_token).device)
    svc()  # commit
    assert session.get(Device, device.id).last_used_at == (clock.now() if touched else first)


def test_the_device_key_is_known_only_from_a_verified_proof_by_it(svc, account, device):
    pair = tokens.issue(svc(), account, device)
    auth = tokens.authenticate(svc(), pair.access_token)
    with pytest.raises(NotAuthenticated):
        _ = auth.device_jwk
    auth.proof = device_proof(phone_key(2), svc().now)
    with pytest.raises(NotAuthenticated):
        _ = auth.device_jwk
    auth.proof = device_proof(phone_key(1), svc().now)
    assert dict(auth.device_jwk) == device.jwk
    assert devices.by_jkt(svc(), device.jkt).id == device.id


def test_an_account_revokes_one_of_its_own_sign_ins(svc, session, account):
    mine, other = tokens.issue(svc(), account, None), tokens.issue(svc(), account, None)
    tokens.revoke_own_family(svc(), account.id, mine.family.id, "user")
    assert [f.id for f in tokens.families_for(svc(), account.id)] == [other.family.id]
    tokens.revoke_own_family(svc(), account.id, mine.family.id, "again")
    assert session.get(TokenFamily, mine.family.id).revoked_reason == "user"


@pytest.mark.parametrize("whose", ["someone_else", "unknown"])
def test_no_one_revokes_someone_elses_sign_in(svc, account, whose):
    from eid.accounts.errors import NotFound

    theirs = tokens.issue(svc(), add_account(svc(), demo(2)), None)
    family_id = theirs.family.id if whose == "someone_else" else 999_999
    with pytest.raises(NotFound) as info:
        tokens.revoke_own_family(svc(), account.id, family_id, "user")
    assert info.value.detail_message == "No such sign-in."
    assert tokens.authenticate(svc(), theirs.access_token).family.id == theirs.family.id
