"""The one way out for SMS and e-mail: every code and every notice a use case sends
passes here, so one place bounds what the server can be made to send.

A *code* (an OTP challenge's, by SMS or by e-mail) is refused, before it is handed to
the gateway, when

* its challenge is within its cooldown (``resend_too_soon``): the first send goes at
  once, each later one waits ``OTP_RESEND_SECONDS`` times the sends so far; the first
  e-mail may follow the first SMS at once, since the e-mail fallback is there for an
  SMS that did not arrive;
* a budget is spent (``sms_cap_reached``, with ``retry_after``): per number per hour
  and per day, per block of numbers (the number without its last four digits) and per
  country calling code (SMS pumping: premium-rate ranges and countries), and in total;
  for e-mail per address per hour and per day, and in total.

A *decoy* challenge (what the sign-up, recovery, registration and mobile sign-in forms
answer when the details do not match) is charged to the number the caller typed and
refused exactly like a real one, but nothing leaves: its answers, refusals included,
are the same as a real challenge's, so they tell nobody which numbers belong to whom.

A *notice* (new device, password changed) is never refused, since what it reports has
already happened. It has a counter of its own (``notice_per_recipient``), so a flood
of codes cannot silence it; past that cap it is dropped and audited, so an account
cannot be turned into a flood of notices either.

The counters live in the rate limiter's storage through ``Services.limit``: Redis when
``REDIS_URL`` is set, so every worker shares them, atomically, with windows that expire
on their own; memory otherwise. A budget checked before the one that refuses keeps its
count (a refusal errs on the side of fewer messages). The cooldown is the challenge's
own (``resend_at``, ``sends``), written with the request's commit.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import phonenumbers
from phonenumbers import NumberParseException

from eid.accounts.context import MessageSender, Services
from eid.accounts.errors import RateLimited, ResendTooSoon, SmsCapReached
from eid.models.accounts import OtpChallenge

SMS, EMAIL = "sms", "email"
BLOCK_DIGITS = 4  # a block of numbers: the number without its last four digits (10,000 lines)

_WHAT = {"one": {SMS: "to this number", EMAIL: "to this e-mail address"},
         "many": {SMS: "to numbers like this one", EMAIL: "by e-mail"}}
_WAY_IN = "or sign in by scanning the QR code with your activated phone."


def send_code(svc: Services, ch: OtpChallenge, text: str, *, kind: str, to: str | None,
              channel: str = SMS, deliver: bool = True) -> None:
    """Hand ``text``, which carries ``ch``'s new code, to the gateway after the commit; for
    a decoy (``deliver=False``) only account for it. ``to`` is the number (or address)
    the code is for; a decoy's is the one the caller typed.

    Raises:
        ResendTooSoon: ``ch`` is within its cooldown.
        SmsCapReached: a budget for ``to`` (its number block, its country) or in total
            is spent.
    """
    _cooldown(svc, ch, channel)
    _charge(svc, channel, to)
    ch.sends = (ch.sends or 0) + 1
    ch.resend_at = svc.now + timedelta(seconds=svc.settings.otp_resend_seconds * ch.sends)
    if deliver and to:
        _defer(svc, _sender(svc, channel), to, text, kind)


def send_notice(svc: Services, to: str, text: str, *, kind: str) -> None:
    """An SMS notice about something that has happened (never refused; dropped past
    ``notice_per_recipient``)."""
    try:
        svc.limit("notice", to, "notice_per_recipient")
    except RateLimited:
        svc.audit("message.notice", "dropped", details={"kind": kind})
        return
    _defer(svc, svc.sms, to, text, kind)


def number_block(e164: str) -> tuple[str, str]:
    """(the country calling code, the number without its last four digits)."""
    try:
        country = str(phonenumbers.parse(e164, None).country_code)
    except NumberParseException:
        country = "?"
    return country, e164[:-BLOCK_DIGITS]


def _sender(svc: Services, channel: str) -> MessageSender:
    sender = svc.sms if channel == SMS else svc.mail
    if sender is None:  # callers refuse e-mail when no mailer is set up
        raise AssertionError("no mailer configured")
    return sender


def _defer(svc: Services, sender: MessageSender, to: str, text: str, kind: str) -> None:
    send: Callable[[], None] = lambda: sender.send(to, text, kind=kind)  # noqa: E731
    svc.defer(send)


def _cooldown(svc: Services, ch: OtpChallenge, channel: str) -> None:
    if not ch.sends or (channel == EMAIL and ch.sends == 1):
        return
    if svc.now < ch.resend_at:
        wait = int((ch.resend_at - svc.now).total_seconds()) + 1
        raise ResendTooSoon(f"Wait {wait} seconds before asking for a new code.", retry_after=wait)


def _budgets(svc: Services, channel: str, to: str | None) -> list[tuple[str, str, str, str]]:
    """(scope, key, limit name, whom it concerns) for every budget a message spends."""
    if channel == EMAIL:
        address = (to or "").lower()
        own = [("mail_to", address, "mail_per_address", "one")] if address else []
        return [*own, ("mail_all", "*", "mail_global", "many")]
    if not to:
        return [("sms_all", "*", "sms_global", "many")]
    country, block = number_block(to)
    per_country = f"sms_per_country_{country}"
    if per_country not in svc.settings.rate_limits:
        per_country = "sms_per_country"
    return [("sms_to", to, "sms_per_phone", "one"), ("sms_block", block, "sms_per_prefix", "many"),
            ("sms_country", country, per_country, "many"), ("sms_all", "*", "sms_global", "many")]


def _charge(svc: Services, channel: str, to: str | None) -> None:
    for scope, key, name, whom in _budgets(svc, channel, to):
        try:
            svc.limit(scope, key, name)
        except RateLimited as exc:
            wait = int(exc.details.get("retry_after") or 60)
            svc.audit("message.code", "refused", details={"budget": name, "channel": channel})
            minutes = max(1, wait // 60)
            verb = "were sent" if whom == "one" else "are being sent"
            raise SmsCapReached(f"Too many codes {verb} {_WHAT[whom][channel]}. Try again in "
                                f"{minutes} minute(s), {_WAY_IN}", retry_after=wait) from exc
