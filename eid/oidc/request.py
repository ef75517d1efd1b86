"""The authorization request, checked (RFC 6749 §4.1.1 and §4.1.2.1, OpenID Connect
Core §3.1.2.1-2, RFC 7636, RFC 9126). Pure: the caller passes the client's record.

Checks that fail before the redirect URI is known good (unknown client, unregistered
``redirect_uri``) are never redirected: the page says what is wrong. Every later
failure goes back to the relying party with ``error``, ``state`` and ``iss``.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from eid.oidc import acr as acr_rules
from eid.oidc import claims as claim_rules
from eid.oidc.errors import (
    ClientUnknown,
    InvalidRequest,
    InvalidScope,
    OidcError,
    RedirectUriInvalid,
    RequestNotSupported,
    RequestUriNotSupported,
    UnsupportedResponseType,
)

PROMPTS = frozenset({"none", "login", "consent", "select_account"})
DISPLAYS = frozenset({"page", "popup", "touch", "wap"})
PKCE_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")
PAR_PREFIX = "urn:ietf:params:oauth:request_uri:"
MAX_PARAM = 4096


@dataclass(frozen=True)
class ClientInfo:
    client_id: str
    name: str
    public: bool
    redirect_uris: tuple[str, ...]
    require_par: bool = False
    dpop_bound: bool = False


@dataclass(frozen=True)
class AuthRequest:
    client_id: str
    redirect_uri: str
    scope: tuple[str, ...]
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    prompt: frozenset[str] = frozenset()
    max_age: int | None = None
    login_hint: str | None = None
    id_token_hint: str | None = None
    ui_locales: tuple[str, ...] = ()
    claims: claim_rules.ClaimsRequest = field(default_factory=claim_rules.ClaimsRequest)
    acr: acr_rules.AcrRequest = field(default_factory=acr_rules.AcrRequest)
    dpop_jkt: str | None = None
    via_par: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "redirect_uri": self.redirect_uri, "scope": list(self.scope),
                "state": self.state, "nonce": self.nonce, "code_challenge": self.code_challenge,
                "prompt": sorted(self.prompt), "max_age": self.max_age, "login_hint": self.login_hint,
                "id_token_hint": self.id_token_hint, "ui_locales": list(self.ui_locales),
                "claims": self.claims.as_json(), "acr": {"values": list(self.acr.values),
                                                         "essential": self.acr.essential,
                                                         "unknown": list(self.acr.unknown)},
                "dpop_jkt": self.dpop_jkt, "via_par": self.via_par}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> AuthRequest:
        c, a = d.get("claims") or {}, d.get("acr") or {}
        return cls(
            client_id=d["client_id"], redirect_uri=d["redirect_uri"], scope=tuple(d["scope"]),
            state=d.get("state"), nonce=d.get("nonce"), code_challenge=d.get("code_challenge"),
            prompt=frozenset(d.get("prompt") or ()), max_age=d.get("max_age"),
            login_hint=d.get("login_hint"), id_token_hint=d.get("id_token_hint"),
            ui_locales=tuple(d.get("ui_locales") or ()),
            claims=claim_rules.ClaimsRequest(c.get("userinfo") or {}, c.get("id_token") or {}),
            acr=acr_rules.AcrRequest(tuple(a.get("values") or ()), bool(a.get("essential")),
                                     tuple(a.get("unknown") or ())),
            dpop_jkt=d.get("dpop_jkt"), via_par=bool(d.get("via_par")))

    def without_prompt(self, *names: str) -> AuthRequest:
        return replace(self, prompt=self.prompt - set(names))


class RedirectableError(Exception):
    """An error to send back to the relying party's checked redirect URI."""

    def __init__(self, error: OidcError, redirect_uri: str, state: str | None) -> None:
        super().__init__(error.detail_message)
        self.error, self.redirect_uri, self.state = error, redirect_uri, state


def _one(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if len(value) > MAX_PARAM:
        raise InvalidRequest(f"The {name} parameter is too long.")
    return value


def check_redirect(params: Mapping[str, str], client: ClientInfo | None) -> str:
    """The redirect URI, if it is exactly one registered for the client.

    Raises:
        ClientUnknown: no such client. RedirectUriInvalid: missing or not registered.
    """
    if client is None:
        raise ClientUnknown("There is no client with this client_id.")
    uri = params.get("redirect_uri") or ""
    if uri not in client.redirect_uris:  # exact string comparison (RFC 9700 §4.1.3)
        raise RedirectUriInvalid("The redirect_uri is missing or not registered for this client.")
    return uri


def parse(params: Mapping[str, str], client: ClientInfo | None, *, via_par: bool = False,
          dpop_jkt: str | None = None) -> AuthRequest:
    """Check an authorization request; unknown parameters are ignored.

    Raises:
        ClientUnknown, RedirectUriInvalid: to be shown, never redirected.
        RedirectableError: any other problem, wrapped with where to send it.
    """
    redirect_uri = check_redirect(params, client)
    assert client is not None
    state = params.get("state") or None
    try:
        return _parse(params, client, redirect_uri, state, via_par, dpop_jkt)
    except OidcError as exc:
        raise RedirectableError(exc, redirect_uri, state) from exc


def _parse(params: Mapping[str, str], client: ClientInfo, redirect_uri: str, state: str | None,
           via_par: bool, dpop_jkt: str | None) -> AuthRequest:
    if params.get("request"):
        raise RequestNotSupported()
    if params.get("request_uri"):
        raise RequestUriNotSupported()
    if client.require_par and not via_par:
        raise InvalidRequest("This client must push its authorization request (PAR) first.")
    response_type = _one(params, "response_type")
    if response_type is None:
        raise InvalidRequest("response_type is required.")
    if response_type != "code":
        raise UnsupportedResponseType()
    if (params.get("response_mode") or "query") != "query":
        raise InvalidRequest("Only response_mode=query is supported.")
    raw_scope = _one(params, "scope") or ""
    if "openid" not in raw_scope.split():
        raise InvalidScope()
    challenge = _pkce(params, client)
    prompt = frozenset((params.get("prompt") or "").split())
    if not prompt <= PROMPTS:
        raise InvalidRequest("Unknown prompt value.")
    if "none" in prompt and len(prompt) > 1:
        raise InvalidRequest("prompt=none cannot be combined with other values.")
    claims = claim_rules.parse_claims(_one(params, "claims"))
    jkt = _one(params, "dpop_jkt") or dpop_jkt
    if dpop_jkt and jkt != dpop_jkt:
        raise InvalidRequest("dpop_jkt does not match the DPoP proof's key.")
    return AuthRequest(
        client_id=client.client_id, redirect_uri=redirect_uri, scope=claim_rules.parse_scope(raw_scope),
        state=state, nonce=_one(params, "nonce"), code_challenge=challenge, prompt=prompt,
        max_age=_max_age(params.get("max_age")), login_hint=_one(params, "login_hint"),
        id_token_hint=_one(params, "id_token_hint"),
        ui_locales=tuple((params.get("ui_locales") or "").split()[:10]), claims=claims,
        acr=acr_rules.parse(_one(params, "acr_values"), claims.as_json()), dpop_jkt=jkt,
        via_par=via_par)


def _pkce(params: Mapping[str, str], client: ClientInfo) -> str | None:
    challenge = params.get("code_challenge") or None
    method = params.get("code_challenge_method") or ("plain" if challenge else None)
    if challenge is None:
        if client.public:
            raise InvalidRequest("Public clients must use PKCE (code_challenge, S256).")
        return None
    if method != "S256":
        raise InvalidRequest("Only code_challenge_method=S256 is supported.")
    if not re.fullmatch(r"[A-Za-z0-9_-]{43}", challenge):
        raise InvalidRequest("code_challenge must be a base64url SHA-256 (43 characters).")
    return challenge


def _max_age(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 9:
        raise InvalidRequest("max_age must be a whole number of seconds.")
    return int(raw)


def verifier_matches(challenge: str, verifier: str | None) -> bool:
    """RFC 7636 §4.6: BASE64URL(SHA256(verifier)) == challenge."""
    import base64
    import hashlib
    import hmac

    if not verifier or not PKCE_VERIFIER.match(verifier):
        return False
    digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return hmac.compare_digest(digest, challenge)
