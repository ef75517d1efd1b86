"""The accounts domain's exception tree.

``AccountsError`` is the root and is never raised directly; each leaf names its wire
code (``error``) and HTTP status. ``eid.app.errors`` turns them into JSON or pages.
"""
from __future__ import annotations

from eid.errors import EidError


class AccountsError(EidError):
    """Root of the accounts errors. Never raised directly."""


class InvalidInput(AccountsError):
    """``fields`` maps each bad field to a code such as ``phone_invalid``."""

    error = "invalid_input"
    message = "Some fields need attention."


class WeakPassword(AccountsError):
    """``reasons`` lists every rule the password breaks."""

    error = "weak_password"
    message = "Choose a stronger password."


class CaptchaInvalid(AccountsError):
    error = "captcha_invalid"
    message = "The verification code is not correct or has expired."


class OtpInvalid(AccountsError):
    error = "otp_invalid"
    message = "The code is not correct."


class OtpExpired(AccountsError):
    error = "otp_expired"
    message = "The code has expired."


class OtpTooManyAttempts(AccountsError):
    error = "otp_locked"
    status = 429
    message = "Too many wrong codes. Ask for a new code."


class ResendTooSoon(AccountsError):
    error = "resend_too_soon"
    status = 429
    message = "Wait a little before asking for a new code."


class RateLimited(AccountsError):
    error = "rate_limited"
    status = 429
    message = "Too many requests. Please try again later."


class AccountLocked(AccountsError):
    error = "account_locked"
    status = 423
    message = "Too many failed attempts. Try again later."


class InvalidCredentials(AccountsError):
    error = "invalid_credentials"
    status = 401
    message = "Wrong ID number or password."


class NotAuthenticated(AccountsError):
    error = "not_authenticated"
    status = 401
    message = "Sign in first."


class SessionExpired(AccountsError):
    error = "session_expired"
    status = 401
    message = "Your session has ended. Sign in again."


class Forbidden(AccountsError):
    error = "forbidden"
    status = 403
    message = "You may not do this."


class NotFound(AccountsError):
    error = "not_found"
    status = 404
    message = "Not found."


class Conflict(AccountsError):
    error = "conflict"
    status = 409
    message = "This conflicts with what already exists."


class SmsDeliveryFailed(AccountsError):
    error = "sms_failed"
    status = 502
    message = "The SMS could not be sent. Try again in a moment."


class SmsCapReached(AccountsError):
    """A message budget is spent (per number or address, per number block, per country,
    or in total); ``retry_after`` says when the first counted message leaves the window."""

    error = "sms_cap_reached"
    status = 429
    message = ("Too many codes were sent to this number. Try again later, or sign in by scanning "
               "the QR code with your activated phone.")


class OtpGuessesExhausted(AccountsError):
    """Too many wrong codes for one account, ID number or phone across all its challenges."""

    error = "otp_guesses_exhausted"
    status = 429
    message = ("Too many wrong codes for this account. Try again later, or sign in by scanning "
               "the QR code with your activated phone.")
