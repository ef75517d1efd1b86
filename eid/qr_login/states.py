"""States of a desktop login transaction (docs/architecture.md, "Desktop QR login").

PENDING -> SCANNED -> APPROVED -> CONSUMED, and the terminal EXPIRED and DENIED.
A DENIED transaction records why: the person declined, chose the wrong number,
said "I did not start this", or the service needs a higher level (step-up).
"""
from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    PENDING = "pending"
    SCANNED = "scanned"
    APPROVED = "approved"
    CONSUMED = "consumed"
    EXPIRED = "expired"
    DENIED = "denied"

    @property
    def terminal(self) -> bool:
        return self in (State.CONSUMED, State.EXPIRED, State.DENIED)


class DenyReason(StrEnum):
    DECLINED = "declined"
    WRONG_NUMBER = "wrong_number"
    REPORTED = "reported"
    STEP_UP_REQUIRED = "step_up_required"
