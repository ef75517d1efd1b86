"""The provider's exception tree: one leaf per OAuth / OpenID error code.

``OidcError`` is the root and never raised directly. ``error`` is the wire code
(RFC 6749 §4.1.2.1 and §5.2, OpenID Connect Core §3.1.2.6, RFC 9126, RFC 9449,
OpenID Connect Unmet Authentication Requirements 1.0).
"""
from __future__ import annotations

from eid.errors import EidError


class OidcError(EidError):
    """Root of the provider's errors. Never raised directly."""


class InvalidRequest(OidcError):
    error = "invalid_request"
    message = "The request is missing a parameter or has a bad one."


class InvalidClient(OidcError):
    error = "invalid_client"
    status = 401
    message = "Client authentication failed."


class InvalidGrant(OidcError):
    error = "invalid_grant"
    message = "The code or refresh token is not valid, has expired or was used already."


class UnauthorizedClient(OidcError):
    error = "unauthorized_client"
    message = "This client may not use this grant."


class UnsupportedGrantType(OidcError):
    error = "unsupported_grant_type"
    message = "Only authorization_code and refresh_token are supported."


class UnsupportedResponseType(OidcError):
    error = "unsupported_response_type"
    message = "Only the authorization code flow (response_type=code) is supported."


class InvalidScope(OidcError):
    error = "invalid_scope"
    message = "The scope must include openid."


class RequestNotSupported(OidcError):
    error = "request_not_supported"
    message = "Request objects are not supported; send the parameters (or use PAR)."


class RequestUriNotSupported(OidcError):
    error = "request_uri_not_supported"
    message = "Only request_uri values from this provider's PAR endpoint are accepted."


class InvalidRequestUri(OidcError):
    error = "invalid_request_uri"
    message = "The request_uri is unknown, expired or was used already."


class LoginRequired(OidcError):
    error = "login_required"
    message = "The person is not signed in."


class ConsentRequired(OidcError):
    error = "consent_required"
    message = "The person has not agreed to share what was asked."


class InteractionRequired(OidcError):
    error = "interaction_required"
    message = "The person must interact with the provider."


class AccessDenied(OidcError):
    error = "access_denied"
    status = 403
    message = "The person declined."


class UnmetAuthenticationRequirements(OidcError):
    error = "unmet_authentication_requirements"
    status = 403
    message = "The account cannot reach the assurance level that was asked for."


class InvalidToken(OidcError):
    error = "invalid_token"
    status = 401
    message = "The access token is not valid or has expired."


class InsufficientScope(OidcError):
    error = "insufficient_scope"
    status = 403
    message = "The access token does not allow this."


class InvalidDpopProof(OidcError):
    error = "invalid_dpop_proof"
    status = 400
    message = "The DPoP proof is missing or not valid."


class TemporarilyUnavailable(OidcError):
    error = "temporarily_unavailable"
    status = 503
    message = "Try again in a moment."


class RedirectUriInvalid(OidcError):
    """Never redirected: the page says so (RFC 6749 §4.1.2.1, first paragraph)."""

    error = "invalid_request"
    message = "The redirect_uri is not registered for this client."


class ClientUnknown(OidcError):
    """Never redirected: there is no registered redirect to send it to."""

    error = "invalid_client"
    status = 400
    message = "There is no such client."
