"""SMS delivery behind one interface: a development outbox (a table read by
``/dev/sms``), and an HTTP gateway for production."""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from eid.accounts.errors import SmsDeliveryFailed
from eid.errors import EidError
from eid.models.sms import SmsOutbox

log = logging.getLogger(__name__)


class OutboxSender:
    """Development and test: messages are stored, newest read first from /dev/sms.
    Also serves as the development mailer (``to`` is then an e-mail address)."""

    def __init__(self, session_factory: Callable[[], Session],
                 now: Callable[[], datetime] | None = None) -> None:
        self.session_factory = session_factory
        self.now = now or (lambda: datetime.now(UTC))

    def send(self, to: str, text: str, *, kind: str) -> None:
        s = self.session_factory()
        try:
            s.add(SmsOutbox(to=to, text=text, kind=kind, created_at=self.now()))
            s.commit()
        finally:
            s.close()


class HttpGatewaySender:
    """POST {to, text, kind} with a bearer token to the operator's SMS gateway."""

    def __init__(self, url: str, token: str | None, timeout: float = 10) -> None:
        self.url, self.token, self.timeout = url, token, timeout
        self.http = requests.Session()

    def send(self, to: str, text: str, *, kind: str) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        try:
            r = self.http.post(self.url, json={"to": to, "text": text, "kind": kind},
                               headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            log.warning("SMS gateway unreachable: %s", exc.__class__.__name__)
            raise SmsDeliveryFailed() from exc
        if not 200 <= r.status_code < 300:
            log.warning("SMS gateway answered %s", r.status_code)
            raise SmsDeliveryFailed()


class SmsConfigError(EidError):
    error = "config_error"
    status = 500


def sender_from_config(config: Mapping[str, Any], session_factory: Callable[[], Session]
                       ) -> OutboxSender | HttpGatewaySender:
    """The outbox in development and test; the gateway otherwise.

    Raises:
        SmsConfigError: production without ``SMS_GATEWAY_URL``.
    """
    if config.get("EID_ENV", "development") in ("development", "test"):
        return OutboxSender(session_factory)
    url = config.get("SMS_GATEWAY_URL")
    if not url:
        raise SmsConfigError("production needs SMS_GATEWAY_URL")
    return HttpGatewaySender(str(url), config.get("SMS_GATEWAY_TOKEN"))


def list_outbox(session: Session, limit: int = 50, to: str | None = None) -> list[SmsOutbox]:
    stmt = select(SmsOutbox).order_by(SmsOutbox.id.desc()).limit(limit)
    if to:
        stmt = stmt.where(SmsOutbox.to == to)
    return list(session.scalars(stmt))
