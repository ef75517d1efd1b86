"""The QR-login exception tree. ``QrLoginError`` is the root and is never raised
directly; each leaf is one distinct refusal with its wire code."""
from __future__ import annotations

from eid.errors import EidError


class QrLoginError(EidError):
    """Root of the QR-login errors. Never raised directly."""


class Expired(QrLoginError):
    error = "expired"
    status = 410
    message = "This QR code has expired. Refresh the page on the computer."


class InvalidQr(QrLoginError):
    """Unknown transaction, wrong or rotated secret, malformed URI (one answer: no oracle)."""

    error = "invalid_qr"
    message = "This QR code is not valid any more. Scan the code shown now."


class AlreadyScanned(QrLoginError):
    error = "already_scanned"
    status = 409
    message = "This QR code was already scanned. If it was not you, choose 'I did not start this'."


class BadState(QrLoginError):
    error = "bad_state"
    status = 409
    message = "This sign-in is not waiting for that step."


class WrongNumber(QrLoginError):
    error = "wrong_number"
    message = "That is not the number shown on the computer. The sign-in was cancelled."


class ThumbprintMismatch(QrLoginError):
    error = "thumbprint_mismatch"
    message = "The approval is for another browser than the one that showed the code."


class BadSignature(QrLoginError):
    error = "bad_signature"
    status = 401
    message = "The signature is not valid."


class Replayed(QrLoginError):
    error = "replayed"
    status = 409
    message = "This approval was already used."


class Stale(QrLoginError):
    error = "stale"
    message = "The approval is too old or from the future; check the phone's clock."


class RedeemInvalid(QrLoginError):
    error = "redeem_invalid"
    status = 403
    message = "This sign-in cannot be completed from this browser."


class RotationLimit(QrLoginError):
    error = "rotation_limit"
    status = 410
    message = "The QR code was refreshed too many times. Reload the page."


class StepUpRequired(QrLoginError):
    error = "step_up_required"
    status = 403
    message = "This service needs a level-2 account. Verify your identity at a police desk first."


class WebLoginDisabled(QrLoginError):
    error = "web_login_disabled"
    status = 403
    message = "Web sign-in by QR code is turned off in your app settings."
