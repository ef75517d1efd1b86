"""Server-side web sessions (eid.accounts.sessions): tokens, idle and absolute timeouts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from eid.accounts import sessions
from eid.accounts.context import Settings
from eid.accounts.errors import NotAuthenticated, NotFound, SessionExpired
from eid.models.accounts import WebSession
from tests.accounts.support import add_account, demo


@pytest.fixture
def account(svc):  # type: ignore[no-untyped-def]
    return add_account(svc(), demo(1))


def test_a_new_session_keeps_only_the_hash_of_a_fresh_token(svc, session, account, clock):
    first, second = sessions.create(svc(), account), sessions.create(svc(), account)
    assert first.token != second.token
    rows = session.scalars(select(WebSession)).all()
    assert {r.token_hash for r in rows} == {sessions.token_hash(first.token),
                                            sessions.token_hash(second.token)}
    assert first.session.expires_at == clock.now() + timedelta(hours=8)
    row, who = sessions.authenticate(svc(), first.token)
    assert (row.id, who.id) == (first.session.id, account.id)


@pytest.mark.parametrize("token", [None, "", "forged-token", "x" * 43])
def test_no_token_or_one_we_did_not_issue_is_not_authenticated(svc, account, token):
    sessions.create(svc(), account)
    with pytest.raises(NotAuthenticated) as info:
        sessions.authenticate(svc(), token)
    assert (info.value.error, info.value.status) == ("not_authenticated", 401)


@pytest.mark.parametrize("idle,expired", [(timedelta(minutes=15), False),
                                          (timedelta(minutes=15, seconds=1), True)])
def test_a_session_left_idle_past_fifteen_minutes_ends(svc, account, clock, idle, expired):
    new = sessions.create(svc(), account)
    clock.advance(seconds=idle.total_seconds())
    if expired:
        with pytest.raises(SessionExpired) as info:
            sessions.authenticate(svc(), new.token)
        assert info.value.error == "session_expired"
    else:
        assert sessions.authenticate(svc(), new.token)[0].id == new.session.id


def test_activity_keeps_a_session_alive_until_its_absolute_lifetime(svc, account, clock):
    new = sessions.create(svc(), account)
    for _ in range(47):  # every ten minutes, 7 h 50 min in all
        clock.advance(minutes=10)
        sessions.authenticate(svc(), new.token)
    clock.advance(minutes=10)
    with pytest.raises(SessionExpired):
        sessions.authenticate(svc(), new.token)


def test_the_timeouts_come_from_the_settings(svc, account, clock):
    settings = Settings(session_idle_seconds=60, session_absolute_seconds=90)
    new = sessions.create(svc(settings=settings), account)
    assert new.session.expires_at == clock.now() + timedelta(seconds=90)
    clock.advance(seconds=61)
    with pytest.raises(SessionExpired):
        sessions.authenticate(svc(settings=settings), new.token)


@pytest.mark.parametrize("after,touched", [(29, False), (30, True)])
def test_use_moves_the_idle_clock_at_most_every_thirty_seconds(svc, account, clock, after, touched):
    new = sessions.create(svc(), account)
    start = clock.now()
    clock.advance(seconds=after)
    row, _ = sessions.authenticate(svc(), new.token)
    assert row.last_seen_at == (clock.now() if touched else start)


def test_a_revoked_session_no_longer_authenticates(svc, account, clock):
    new = sessions.create(svc(), account)
    sessions.revoke(svc(), account.id, new.session.id)
    with pytest.raises(SessionExpired):
        sessions.authenticate(svc(), new.token)
    row = sessions.revoke(svc(), account.id, new.session.id, "again")
    assert row.revoked_reason == "user"  # the first revocation stands


def test_signing_out_ends_the_session(svc, account, clock):
    new = sessions.create(svc(), account)
    sessions.end(svc(), new.session)
    assert new.session.revoked_reason == "signed_out" and new.session.revoked_at == clock.now()
    with pytest.raises(SessionExpired):
        sessions.authenticate(svc(), new.token)


def test_no_one_can_revoke_someone_elses_session(svc, account):
    other = add_account(svc(), demo(2))
    theirs = sessions.create(svc(), other)
    with pytest.raises(NotFound):
        sessions.revoke(svc(), account.id, theirs.session.id)
    with pytest.raises(NotFound):
        sessions.revoke(svc(), account.id, 999_999)
    assert sessions.authenticate(svc(), theirs.token)


def test_the_live_sessions_are_listed_most_recently_used_first(svc, account, clock):
    revoked = sessions.create(svc(), account)
    sessions.revoke(svc(), account.id, revoked.session.id)
    idle = sessions.create(svc(), account)
    clock.advance(minutes=10)
    older = sessions.create(svc(), account)
    clock.advance(minutes=6)
    newer = sessions.create(svc(), account)
    sessions.create(svc(), add_account(svc(), demo(2)))
    listed = sessions.list_for(svc(), account.id)
    assert [s.id for s in listed] == [newer.session.id, older.session.id]
    assert idle.session.id not in [s.id for s in listed]


def test_revoking_all_may_keep_the_current_session(svc, session, account, clock):
    keep, *others = [sessions.create(svc(), account) for _ in range(3)]
    assert sessions.revoke_all(svc(), account.id, "signout_everywhere",
                               except_id=keep.session.id) == 2
    assert sessions.authenticate(svc(), keep.token)
    assert {o.session.revoked_reason for o in others} == {"signout_everywhere"}
    assert sessions.revoke_all(svc(), account.id, "again") == 1


@pytest.mark.parametrize("seconds,idle", [(900, False), (901, True)])
def test_is_idle_expired_says_what_authenticate_does(svc, account, clock, seconds, idle):
    new = sessions.create(svc(), account)
    assert sessions.is_idle_expired(new.session, clock.now() + timedelta(seconds=seconds), 900) is idle


def test_a_session_that_still_authenticates_is_listed(svc, account, clock):
    new = sessions.create(svc(), account)
    clock.advance(minutes=15)
    live = [s.id for s in sessions.list_for(svc(), account.id)]
    sessions.authenticate(svc(), new.token)
    assert new.session.id in live


@pytest.mark.parametrize("seconds", [899, 900, 901, 960])
def test_the_list_and_sign_in_agree_on_idleness_around_the_limit(svc, account, clock, seconds):
    new = sessions.create(svc(), account)
    clock.advance(seconds=seconds)
    listed = new.session.id in [s.id for s in sessions.list_for(svc(), account.id)]
    try:
        sessions.authenticate(svc(), new.token)
        authenticates = True
    except SessionExpired:
        authenticates = False
    assert listed is authenticates is (seconds <= 900)


def test_the_web_login_switch_is_kept_and_audited(svc, audit):
    account = add_account(svc(), demo(3))
    sessions.set_web_login(svc(), account, False)
    assert account.web_login_enabled is False
    assert audit.last("settings.web_login").outcome == "off"
    sessions.set_web_login(svc(), account, True)
    assert account.web_login_enabled is True and audit.last("settings.web_login").outcome == "on"
