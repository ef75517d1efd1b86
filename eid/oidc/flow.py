"""What the authorization endpoint does next for a checked request and whoever is
signed in (OpenID Connect Core §3.1.2.3-4 and the prompt, max_age, id_token_hint,
login_hint, acr rules). Pure: the edge reads the session, the consent and the hint."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from eid.oidc import acr as acr_rules
from eid.oidc import claims as claim_rules
from eid.oidc import consent as consent_rules
from eid.oidc.errors import ConsentRequired, LoginRequired
from eid.oidc.request import AuthRequest


@dataclass(frozen=True)
class SignedIn:
    account_id: int
    id_number: str
    sub: str
    level: int
    method: str  # password+otp | qr | chip
    auth_time: datetime
    session_id: int = 0

    @property
    def acr(self) -> str:
        return acr_rules.achieved(self.level, self.method)


@dataclass(frozen=True)
class Login:
    """Send the person to sign in (again). ``strong``: only the QR or the chip will do."""

    reason: str  # signed_out | prompt_login | max_age | other_account | step_up
    strong: bool = False


@dataclass(frozen=True)
class Consent:
    names: frozenset[str]


@dataclass(frozen=True)
class Issue:
    acr: str
    released: frozenset[str]


Step = Login | Consent | Issue


def next_step(req: AuthRequest, who: SignedIn | None, *, now: datetime, session_at_request: int | None,
              hint_sub: str | None, remembered: Iterable[str] | None) -> Step:
    """The next step. ``session_at_request``: the web session signed in when the request
    arrived (``prompt=login`` wants another one: a sign-in since).

    Raises:
        LoginRequired: ``prompt=none`` and a sign-in would be needed.
        ConsentRequired: ``prompt=none`` and the consent page would be needed.
        UnmetAuthenticationRequirements: an essential acr the account cannot reach.
    """
    silent = "none" in req.prompt
    login = _login_needed(req, who, now=now, session_at_request=session_at_request, hint_sub=hint_sub)
    if login is not None:
        if silent:
            raise LoginRequired()
        return login
    assert who is not None
    decision = acr_rules.decide(req.acr, level=who.level, current=who.acr)
    if decision.step_up:
        if silent:
            raise LoginRequired("A stronger sign-in (the QR code on the phone) is needed.")
        return Login("step_up", strong=True)
    names = claim_rules.requested(req.scope, req.claims)
    check = consent_rules.check(names, remembered, prompt=req.prompt)
    if check.ask:
        if silent:
            raise ConsentRequired()
        return Consent(frozenset(claim_rules.needs_consent(names)))
    return Issue(acr_rules.reported(req.acr, who.acr), frozenset(names))


def _login_needed(req: AuthRequest, who: SignedIn | None, *, now: datetime, session_at_request: int | None,
                  hint_sub: str | None) -> Login | None:
    if who is None:
        return Login("signed_out")
    if "login" in req.prompt and who.session_id == session_at_request:
        return Login("prompt_login")
    if req.max_age is not None and (now - who.auth_time).total_seconds() > req.max_age:
        return Login("max_age")
    if hint_sub is not None and hint_sub != who.sub:
        return Login("other_account")
    hint = (req.login_hint or "").strip()
    if hint.isdigit() and len(hint) in (9, 12) and hint != who.id_number and len(hint) == len(who.id_number):
        return Login("other_account")
    return None
