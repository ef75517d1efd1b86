"""Authentication context: the acr values ``LoA1`` / ``LoA2`` of the national SSO,
from the account's e-ID level (Decision 34/2021/QĐ-TTg art. 5) and how the person
signed in, and how a relying party's ``acr_values`` / ``claims.acr`` are honoured.

* LoA1: any signed-in account (password + OTP, or the QR approved on the phone).
* LoA2: a level-2 account (an officer verified the person) signed in with something
  bound to the person: the QR approved by the activated phone's device key, or the chip.
  Password + OTP alone never reaches LoA2.

Requests (OpenID Connect Core §3.1.2.1, §5.5.1.1): ``acr_values`` is a voluntary list in
order of preference; ``claims.id_token.acr`` may carry ``value`` or ``values`` and
``essential``. Unknown values are ignored unless essential, where nothing known left
means failure; several values never fall to the lowest: the first one the account can
reach is the target.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eid.oidc.errors import InvalidRequest, UnmetAuthenticationRequirements

LOA1, LOA2 = "LoA1", "LoA2"
SUPPORTED = (LOA1, LOA2)
RANK = {LOA1: 1, LOA2: 2}
STRONG_METHODS = frozenset({"qr", "chip"})
AMR = {"password+otp": ("pwd", "otp", "mfa"), "qr": ("hwk", "user", "mfa"),
       "chip": ("hwk", "sc", "mfa")}


def achieved(level: int, method: str) -> str:
    """The acr a sign-in by ``method`` on an account of ``level`` reaches."""
    return LOA2 if level >= 2 and method in STRONG_METHODS else LOA1


def reachable(level: int) -> str:
    """The highest acr the account could reach with its strongest method."""
    return LOA2 if level >= 2 else LOA1


def amr(method: str) -> list[str]:
    """RFC 8176 method references for an eid sign-in method."""
    return list(AMR.get(method, ("pwd",)))


def method_of(session_kind: str) -> str:
    """The sign-in method of a web session (its ``kind``)."""
    return {"qr": "qr", "chip": "chip"}.get(session_kind, "password+otp")


@dataclass(frozen=True)
class AcrRequest:
    """What was asked: acceptable values in order of preference, and if it is essential."""

    values: tuple[str, ...] = ()
    essential: bool = False
    unknown: tuple[str, ...] = ()

    @property
    def asked(self) -> bool:
        return bool(self.values or self.unknown)


def parse(acr_values: str | None, claims: Mapping[str, Any] | None) -> AcrRequest:
    """Read ``claims.id_token.acr`` (``value``, ``values``, ``essential``), else ``acr_values``.

    Raises:
        InvalidRequest: ``claims.id_token.acr`` is not an object, or its values not strings.
    """
    spec = ((claims or {}).get("id_token") or {}).get("acr") if isinstance(claims, Mapping) else None
    raw: list[str]
    essential = False
    if spec is not None:
        if not isinstance(spec, Mapping):
            raise InvalidRequest("claims.id_token.acr must be null or an object.")
        essential = spec.get("essential") is True
        raw = _listed(spec)
        if not raw and acr_values:
            raw = acr_values.split()
    else:
        raw = (acr_values or "").split()
    known = tuple(dict.fromkeys(v for v in raw if v in RANK))
    unknown = tuple(dict.fromkeys(v for v in raw if v not in RANK))
    return AcrRequest(known, essential, unknown)


def _listed(spec: Mapping[str, Any]) -> list[str]:
    if "values" in spec:
        values = spec["values"]
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise InvalidRequest("claims.id_token.acr.values must be a list of strings.")
        return list(values)
    if "value" in spec:
        if not isinstance(spec["value"], str):
            raise InvalidRequest("claims.id_token.acr.value must be a string.")
        return [spec["value"]]
    return []


@dataclass(frozen=True)
class Decision:
    """``target``: the acr the session must reach (None: any); ``step_up``: the current
    sign-in does not reach it, the person must sign in again with a stronger method."""

    target: str | None
    step_up: bool


def decide(req: AcrRequest, *, level: int, current: str) -> Decision:
    """Which acr to aim at for this account and session.

    Raises:
        UnmetAuthenticationRequirements: essential, and nothing asked is reachable
            (an unknown essential acr among them counts as unreachable).
    """
    if not req.asked:
        return Decision(None, False)
    best = RANK[reachable(level)]
    for value in req.values:  # in the relying party's order of preference
        if RANK[value] <= best:
            return Decision(value, RANK[current] < RANK[value])
    if req.essential:
        raise UnmetAuthenticationRequirements(
            "The account cannot reach " + " or ".join(req.values or req.unknown) + ".")
    return Decision(None, False)


def reported(req: AcrRequest, current: str) -> str:
    """The ``acr`` claim: the session's value, or (essential) the strongest asked value it meets."""
    if req.essential and req.values:
        met = [v for v in req.values if RANK[v] <= RANK[current]]
        if met:
            return max(met, key=RANK.__getitem__)
    return current


def satisfied(req: AcrRequest, current: str) -> bool:
    return not req.essential or not req.asked or any(RANK[v] <= RANK[current] for v in req.values)


def sorted_values(values: Sequence[str]) -> list[str]:
    return sorted(values, key=lambda v: RANK.get(v, 0))
