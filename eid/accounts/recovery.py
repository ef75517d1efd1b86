"""Forgot password (ID + phone -> OTP -> new password; every session ended) and
change password. Both send an SMS notice to the phone on record.

"Quên mật khẩu" answers the same whether or not the ID and phone match an
account: a decoy challenge stands in when they do not.
"""
from __future__ import annotations

from eid.accounts import messages, messaging, otp, sessions, throttle, tokens
from eid.accounts.context import Services
from eid.accounts.errors import InvalidCredentials, InvalidInput
from eid.accounts.forms import FieldErrors, raise_if_errors, required
from eid.accounts.ids import parse_id_number
from eid.accounts.phones import normalize_phone
from eid.accounts.signin import find_account
from eid.models.accounts import Account


def parse_request(data: dict[str, str]) -> tuple[str, str]:
    errors = FieldErrors()
    raw_id = required(data.get("id_number"), "id_number", errors)
    raw_phone = required(data.get("phone"), "phone", errors)
    id_number = errors.check("id_number", parse_id_number, raw_id) if raw_id else None
    phone = errors.check("phone", normalize_phone, raw_phone) if raw_phone else None
    raise_if_errors(errors)
    return id_number.value, phone  # type: ignore[union-attr,return-value]


def start(svc: Services, id_number: str, phone: str) -> otp.Issued:
    svc.limit("reset_id", id_number, "reset_per_id")
    svc.limit("reset_phone", phone, "reset_per_phone")
    account = find_account(svc, id_number)
    ok = account is not None and account.phone == phone
    # "phone" is the number typed: a decoy is charged to it as a real challenge is
    issued = otp.issue(svc, "reset", account.id_number if ok else id_number,  # type: ignore[union-attr]
                       phone if ok else None,
                       {"account_id": account.id if ok else None, "phone": phone})  # type: ignore[union-attr]
    svc.audit("password.reset_start", "otp_sent" if ok else "refused", id_number=id_number)
    return issued


def confirm_otp(svc: Services, challenge_id: str, code: str) -> None:
    otp.verify(svc, challenge_id, "reset", code)


def complete(svc: Services, challenge_id: str, password: str, confirm: str) -> Account:
    ch = otp.require_verified(svc, challenge_id, "reset")
    account = svc.session.get(Account, otp.payload(ch)["account_id"])
    assert account is not None
    _set_password(svc, account, password, confirm)
    otp.consume(svc, ch)
    throttle.clear_account(svc, account)  # the owner proved the phone: a fresh start
    ended = sessions.revoke_all(svc, account.id, "password_reset")
    ended += tokens.revoke_all(svc, account.id, "password_reset")
    svc.audit("password.reset", "ok", actor_account_id=account.id, id_number=account.id_number,
              details={"sessions_ended": ended})
    return account


def change(svc: Services, account: Account, current: str, password: str, confirm: str,
           keep_session_id: int | None, keep_family_id: int | None = None) -> int:
    """Every other web session and app sign-in is ended; returns how many.

    Wrong current passwords escalate as sign-in failures do (``throttle``), in the
    account's own pool: a stolen session cannot guess the password for long.

    Raises:
        AccountLocked: too many wrong current passwords: wait, or reset the password.
        InvalidInput: the current password is wrong, or the new one is refused.
    """
    pool = throttle.change_pool(account)
    throttle.check(svc, pool, blocked=throttle.BLOCKED_CHANGE)
    try:
        svc.hasher.verify(account.password_hash, current)
    except InvalidCredentials as exc:
        left = throttle.fail(svc, pool)
        svc.audit("password.change", "wrong_current", actor_account_id=account.id,
                  details={"attempts_left": left})
        raise InvalidInput("The current password is not correct.",
                           fields={"current": "password_wrong"}, attempts_left=left) from exc
    throttle.clear(svc, pool)
    _set_password(svc, account, password, confirm)
    ended = sessions.revoke_all(svc, account.id, "password_changed", except_id=keep_session_id)
    ended += tokens.revoke_all(svc, account.id, "password_changed", except_family_id=keep_family_id)
    svc.audit("password.change", "ok", actor_account_id=account.id,
              details={"sessions_ended": ended})
    return ended


def _set_password(svc: Services, account: Account, password: str, confirm: str) -> None:
    if password != confirm:
        raise InvalidInput("The passwords do not match.", fields={"confirm": "password_mismatch"})
    person = svc.registries.population.get(account.id_number)
    birth = person.birth_date if person is not None else None
    svc.policy.check(password, id_number=account.id_number, full_name=account.full_name,
                     birth_date=birth, phone=account.phone)
    account.password_hash = svc.hasher.hash(password)
    account.password_changed_at = svc.now
    text = messages.render("password_changed", account.locale,
                           time=svc.now.strftime("%H:%M %d/%m/%Y"))
    messaging.send_notice(svc, account.phone, text, kind="password_changed")
