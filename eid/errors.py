"""The convention every package's exception tree follows.

Each package has one root (``AccountsError``, ``NfcError``, ``QrLoginError`` ...)
that subclasses :class:`EidError` and is never raised directly. Leaves set
``error`` (the machine code sent to clients) and ``status`` (the HTTP status the
web layer uses). ``eid.app.errors`` is the one place that turns them into
``{"error": code, "message": text}``.
"""
from __future__ import annotations

from typing import Any, ClassVar


class EidError(Exception):
    """Root of every project exception. Never raised directly."""

    error: ClassVar[str] = "error"
    status: ClassVar[int] = 400
    message: ClassVar[str] = "The request could not be completed."

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.detail_message = message or type(self).message
        self.details = details
        super().__init__(self.detail_message)
