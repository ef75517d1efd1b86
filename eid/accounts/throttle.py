"""Escalating delays after failed password checks, instead of a lock a stranger can
trigger (NIST SP 800-63B §5.2.2, OWASP ASVS 6.3.1, OWASP "device cookies").

Failures are counted per *pool*, consecutively (a success empties the pool):

* the account's pool for every client it does not know, keyed by the ID number (the
  CCCD the register gives for an old CMND, else the number as typed, so an unknown
  ID behaves exactly like a real one and the pool is no oracle);
* one pool per browser the account signed in from before (the ``eid_browser``
  cookie in ``KnownBrowser``): a stranger's guesses never touch it, so the owner's
  own browser still signs in with the right password;
* one pool per signed-in account for "change password".

The first ``login_max_failures`` failures are free; from then on each attempt waits
``login_backoff_seconds``, doubling with every further failure, at most
``login_lock_seconds``. After ``login_hard_limit`` consecutive failures (100 by
default) the pool refuses every password until a success elsewhere empties it: the
owner still has the QR login from the bound phone, a known browser and the
password reset by OTP, which the stranger has not. A pool forgets failures
``login_failure_memory_seconds`` after the last one (the rows are then purged).

Row use (``Throttle``): ``failures`` the consecutive count, ``window_start`` the last
failure, ``locked_until`` the earliest next attempt.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from eid.accounts.context import Services, Settings
from eid.accounts.errors import AccountLocked
from eid.models.accounts import Account, KnownBrowser, Throttle

DELAYED = "Too many failed attempts. Try again in {minutes} minute(s)."
BLOCKED = ("Too many failed attempts. Sign in with the QR code from your phone or from a "
           "browser you have signed in with before, or reset your password.")
BLOCKED_CHANGE = "Too many wrong passwords. Reset your password with a code sent to your phone."


def _h(value: str, n: int = 40) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:n]


def subject_prefix(subject: str) -> str:
    """The key prefix shared by every sign-in pool of one ID number."""
    return "id:" + _h(subject)


def signin_pool(svc: Services, subject: str, account: Account | None) -> str:
    """The pool a password attempt for ``subject`` from this client counts in."""
    browser = svc.client.browser_id
    if browser:  # the same query whether or not the account exists (no timing oracle)
        known = svc.session.scalar(select(KnownBrowser.id).where(
            KnownBrowser.account_id == (account.id if account is not None else 0),
            KnownBrowser.browser_hash == hashlib.sha256(browser.encode()).hexdigest()))
        if known is not None:
            return f"{subject_prefix(subject)}:b:{_h(browser, 32)}"
    return subject_prefix(subject)


def change_pool(account: Account) -> str:
    return "pw:" + _h(f"account:{account.id}")


def delay(settings: Settings, failures: int) -> timedelta:
    """How long the next attempt waits after ``failures`` consecutive failures."""
    over = failures - settings.login_max_failures
    if over < 0:
        return timedelta(0)
    seconds = settings.login_backoff_seconds * 2 ** min(over, 32)
    return timedelta(seconds=min(seconds, settings.login_lock_seconds))


def _live(svc: Services, key: str) -> Throttle | None:
    row = svc.session.get(Throttle, key)
    memory = timedelta(seconds=svc.settings.login_failure_memory_seconds)
    if row is None or svc.now - row.window_start >= memory:
        return None
    return row


def check(svc: Services, key: str, *, blocked: str = BLOCKED) -> None:
    """Raises AccountLocked while the pool must wait (``retry_after``) or is closed
    (past the hard limit: ``blocked``, no ``retry_after``, the message names the
    other ways in)."""
    row = _live(svc, key)
    if row is None:
        return
    if row.failures >= svc.settings.login_hard_limit:
        raise AccountLocked(blocked, blocked=True)
    if row.locked_until is not None and svc.now < row.locked_until:
        wait = int((row.locked_until - svc.now).total_seconds()) + 1
        raise AccountLocked(DELAYED.format(minutes=max(1, wait // 60)), retry_after=wait)


def fail(svc: Services, key: str) -> int:
    """Count a failure and set the next delay. Returns the attempts left before delays."""
    row = svc.session.get(Throttle, key)
    if row is None:
        row = Throttle(key=key, failures=0, window_start=svc.now)
        svc.session.add(row)
    elif _live(svc, key) is None:
        row.failures = 0
    row.failures += 1
    row.window_start = svc.now
    wait = delay(svc.settings, row.failures)
    row.locked_until = svc.now + wait if wait else None
    svc.session.flush()
    return max(0, svc.settings.login_max_failures - row.failures)


def clear(svc: Services, key: str) -> None:
    row = svc.session.get(Throttle, key)
    if row is not None:
        svc.session.delete(row)
        svc.session.flush()


def clear_account(svc: Services, account: Account) -> None:
    """Empty every pool of ``account`` (after the owner proved the phone: a reset)."""
    prefix = subject_prefix(account.id_number)
    svc.session.execute(delete(Throttle).where(
        (Throttle.key == prefix) | Throttle.key.startswith(prefix + ":")
        | (Throttle.key == change_pool(account))))
    svc.session.flush()


#: the table also holds the OTP guess budgets (``otp``), whose windows last up to a day
SHARED_TABLE_MEMORY = timedelta(days=2)


def purge(session: Session, *, now: datetime, settings: Settings) -> int:
    """Delete the rows that forgot their failures (the last one longer ago than the
    memory, at least two days) and make no one wait. Returns how many."""
    memory = max(timedelta(seconds=settings.login_failure_memory_seconds), SHARED_TABLE_MEMORY)
    result = session.execute(delete(Throttle).where(
        Throttle.window_start < now - memory,
        (Throttle.locked_until.is_(None)) | (Throttle.locked_until < now)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
