"""Which claims a relying party gets, and their values (OpenID Connect Core §5.1,
§5.4, §5.5; OpenID Connect for Identity Assurance 1.0 for ``verified_claims``).

Scopes map to standard claims; the ``dvcqg`` scope ("Cổng dịch vụ công quốc gia")
maps to the names the national SSO gives portals built on it. The full ID number
(``SoDinhDanh``) is released only under that scope and with the person's consent.
Everything here is plain data in, plain data out: the adapter reads the account,
the population register and the chip evidence and passes a :class:`Person`.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from eid.oidc.errors import InvalidRequest

NATIONAL_SCOPE = "dvcqg"
SCOPE_CLAIMS: dict[str, tuple[str, ...]] = {
    "openid": ("sub",),
    "profile": ("name", "family_name", "given_name", "middle_name", "birthdate", "gender", "locale"),
    "email": ("email", "email_verified"),
    "phone": ("phone_number", "phone_number_verified"),
    "address": ("address",),
    NATIONAL_SCOPE: ("SoDinhDanh", "HoVaTen", "NgaySinh", "GioiTinh", "SoDienThoai", "LoaiTaiKhoan"),
}
SUPPORTED_SCOPES = (*SCOPE_CLAIMS, "offline_access")
ALWAYS = frozenset({"sub"})
VERIFIED = "verified_claims"
# what the register match and the officer's check vouch for (OIDC4IDA §5: claims in verified_claims)
VERIFIABLE = ("given_name", "family_name", "middle_name", "birthdate", "gender", "address")
PROTOCOL_CLAIMS = frozenset({"iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp",
                             "sid", "at_hash", "jti"})
SUPPORTED_CLAIMS = tuple(sorted({c for cs in SCOPE_CLAIMS.values() for c in cs} | {VERIFIED, "act"}))


@dataclass(frozen=True)
class Evidence:
    """One thing eid checked: ``kind`` is ``register`` (details matched the population
    register), ``chip`` (passive + active authentication of the card's chip) or
    ``officer`` (in-person check at a desk), with its time."""

    kind: str
    time: datetime
    detail: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Person:
    sub: str
    id_number: str
    full_name: str
    phone: str | None
    email: str | None
    locale: str
    level: int
    birth_date: date | None = None
    sex: str | None = None
    address: str | None = None
    postal_code: str | None = None
    country: str = "VN"
    evidence: tuple[Evidence, ...] = ()
    act: Mapping[str, str] | None = None


@dataclass(frozen=True)
class ClaimsRequest:
    """The ``claims`` parameter: per target (``userinfo``, ``id_token``) the names asked
    and each one's spec (``essential``, ``value``, ``values``) — §5.5."""

    userinfo: Mapping[str, Mapping[str, Any] | None] = field(default_factory=dict)
    id_token: Mapping[str, Mapping[str, Any] | None] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"userinfo": dict(self.userinfo), "id_token": dict(self.id_token)}

    def essential(self) -> set[str]:
        return {n for part in (self.userinfo, self.id_token) for n, s in part.items()
                if isinstance(s, Mapping) and s.get("essential") is True}


def parse_claims(raw: str | Mapping[str, Any] | None) -> ClaimsRequest:
    """Parse the ``claims`` parameter (a JSON object).

    Raises:
        InvalidRequest: not JSON, not an object, or a member that is not null / an object.
    """
    import json

    if raw is None or raw == "":
        return ClaimsRequest()
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        raise InvalidRequest("The claims parameter is not valid JSON.") from exc
    if not isinstance(data, Mapping):
        raise InvalidRequest("The claims parameter must be a JSON object.")
    parts: dict[str, dict[str, Mapping[str, Any] | None]] = {}
    for target in ("userinfo", "id_token"):
        member = data.get(target)
        member = {} if member is None else member
        if not isinstance(member, Mapping):
            raise InvalidRequest(f"claims.{target} must be an object.")
        for name, spec in member.items():
            if spec is not None and not isinstance(spec, Mapping):
                raise InvalidRequest(f"claims.{target}.{name} must be null or an object.")
        parts[target] = dict(member)
    return ClaimsRequest(parts["userinfo"], parts["id_token"])


def parse_scope(raw: str | None) -> tuple[str, ...]:
    """The scopes we know, in the order given (unknown ones are dropped, §3.1.2.1)."""
    return tuple(dict.fromkeys(s for s in (raw or "").split() if s in SUPPORTED_SCOPES))


def requested(scopes: Iterable[str], claims: ClaimsRequest) -> set[str]:
    """Every claim name the relying party asked for that we can release."""
    names = {c for s in scopes for c in SCOPE_CLAIMS.get(s, ())}
    for part in (claims.userinfo, claims.id_token):
        names |= {n for n in part if n in SUPPORTED_CLAIMS}
    return names


def needs_consent(names: Iterable[str]) -> set[str]:
    return set(names) - ALWAYS - PROTOCOL_CLAIMS


def _name_parts(full: str) -> tuple[str, str, str]:
    words = full.split()
    if len(words) < 2:
        return full, "", ""
    return words[0], " ".join(words[1:-1]), words[-1]  # Họ, tên đệm, tên


def _national_phone(phone: str | None) -> str | None:
    if phone and phone.startswith("+84"):
        return "0" + phone[3:]
    return phone


def values(p: Person) -> dict[str, Any]:
    """Every claim we could release about ``p`` (absent values left out)."""
    family, middle, given = _name_parts(p.full_name)
    gender = {"M": "male", "F": "female"}.get(p.sex or "")
    out: dict[str, Any] = {
        "sub": p.sub, "name": p.full_name, "family_name": family, "given_name": given,
        "middle_name": middle or None, "birthdate": p.birth_date.isoformat() if p.birth_date else None,
        "gender": gender, "locale": p.locale,
        "email": p.email, "email_verified": False if p.email else None,
        "phone_number": p.phone, "phone_number_verified": True if p.phone else None,
        "address": _address(p),
        "SoDinhDanh": p.id_number, "HoVaTen": p.full_name,
        "NgaySinh": p.birth_date.strftime("%d/%m/%Y") if p.birth_date else None,
        "GioiTinh": {"M": "Nam", "F": "Nữ"}.get(p.sex or ""),
        "SoDienThoai": _national_phone(p.phone),
        "LoaiTaiKhoan": "2" if p.act and p.act.get("type") == "company" else "1",
        "act": dict(p.act) if p.act else None,
    }
    return {k: v for k, v in out.items() if v is not None}


def _address(p: Person) -> dict[str, str] | None:
    if not p.address:
        return None
    out = {"formatted": p.address, "country": p.country}
    if p.postal_code:
        out["postal_code"] = p.postal_code
    return out


def release(p: Person, names: Iterable[str], allowed: Iterable[str], *,
            verified_spec: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The claims of ``names`` that the person allowed (``sub`` always)."""
    ok = set(allowed) | ALWAYS
    all_values = values(p)
    out = {n: all_values[n] for n in names if n in ok and n in all_values and n != VERIFIED}
    out["sub"] = p.sub
    if VERIFIED in names and VERIFIED in ok:
        vc = verified_claims(p, verified_spec)
        if vc is not None:
            out[VERIFIED] = vc
    return out


TRUST_FRAMEWORK = "vn_eid"  # Decision 34/2021/QĐ-TTg, Decree 59/2022/NĐ-CP


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def evidence_json(e: Evidence) -> dict[str, Any]:
    """OIDC4IDA ``evidence`` items saying only what was checked, by whom, and when."""
    if e.kind == "register":
        return {"type": "electronic_record",
                "check_details": [{"check_method": "data", "time": _iso(e.time)}],
                "record": {"type": "population_register",
                           "source": {"name": "Cơ sở dữ liệu quốc gia về dân cư", "country_code": "VNM"}}}
    if e.kind == "chip":
        checks = [{"check_method": "vcrypt", "txn": "passive_authentication", "time": _iso(e.time)}]
        if e.detail.get("active_auth"):
            checks.append({"check_method": "vcrypt", "txn": "active_authentication", "time": _iso(e.time)})
        return {"type": "document", "check_details": checks,
                "document_details": {"type": "idcard", "issuer": {"country_code": "VNM"}},
                "time": _iso(e.time)}
    return {"type": "document", "check_details": [{"check_method": "vpip", "time": _iso(e.time)},
                                                 {"check_method": "pvp", "time": _iso(e.time)}],
            "document_details": {"type": "idcard", "issuer": {"country_code": "VNM"}},
            "time": _iso(e.time)}


def verified_claims(p: Person, spec: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``verified_claims`` with the evidence eid holds and the claims asked for inside
    ``spec.claims`` (all verifiable ones when none are named); None without evidence."""
    if not p.evidence:
        return None
    latest = max(e.time for e in p.evidence)
    verification = {"trust_framework": TRUST_FRAMEWORK, "assurance_level": "LoA2" if p.level >= 2 else "LoA1",
                    "time": _iso(latest), "evidence": [evidence_json(e) for e in p.evidence]}
    asked = (spec or {}).get("claims") if isinstance(spec, Mapping) else None
    names = list(asked) if isinstance(asked, Mapping) and asked else list(VERIFIABLE)
    all_values = values(p)
    claims_out = {n: all_values[n] for n in names if n in VERIFIABLE and n in all_values}
    return {"verification": verification, "claims": claims_out}


LABELS = {
    "name": "full name", "family_name": "full name", "given_name": "full name", "middle_name": "full name",
    "birthdate": "date of birth", "gender": "sex", "locale": "language",
    "email": "e-mail address", "email_verified": "e-mail address",
    "phone_number": "phone number", "phone_number_verified": "phone number",
    "address": "permanent address", "SoDinhDanh": "personal ID number", "HoVaTen": "full name",
    "NgaySinh": "date of birth", "GioiTinh": "sex", "SoDienThoai": "phone number",
    "LoaiTaiKhoan": "account type", VERIFIED: "what eid verified about you, and when",
    "act": "whom you act for",
}


def labels(names: Iterable[str]) -> list[str]:
    """Human labels for the consent page, each once, in a stable order."""
    order = list(dict.fromkeys(LABELS[n] for n in sorted(names, key=_label_rank) if n in LABELS))
    return order


def _label_rank(name: str) -> int:
    keys = list(LABELS)
    return keys.index(name) if name in keys else len(keys)
