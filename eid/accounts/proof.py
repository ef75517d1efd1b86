"""Proof of possession of the phone's device key, DPoP-style (RFC 9449).

Every sensitive call carries ``DPoP: <JWS>``: header ``{"typ": "dpop+jwt",
"alg": "ES256", "jwk": <public P-256 key>}``, claims ``{htm, htu, iat, jti, ath}``
where ``ath`` is base64url(SHA-256(access token)). The proof binds the request
(method and URL), the time, a unique id (replays refused) and the access token
to the key; the key's RFC 7638 thumbprint must be the one the token is bound to.
"""
from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from eid.accounts.errors import AccountsError

MAX_SKEW = timedelta(seconds=60)


class ProofError(AccountsError):
    """A device-key proof was refused (root of the proof errors; never raised directly)."""

    status = 401


class ProofInvalid(ProofError):
    error = "invalid_proof"
    message = "The request's device-key proof is missing or not valid."


class ProofReplayed(ProofError):
    error = "proof_replayed"
    message = "This device-key proof was already used."


@dataclass(frozen=True)
class Proof:
    jkt: str
    jwk: Mapping[str, Any]  # read-only: shared with the parsed-header cache
    jti: str
    issued_at: float  # seconds since the epoch, as the phone sent it

    @property
    def iat(self) -> datetime:
        return datetime.fromtimestamp(self.issued_at, tz=UTC)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def access_token_hash(token: str) -> str:
    return b64url(hashlib.sha256(token.encode()).digest())


def thumbprint(public_jwk: dict[str, Any]) -> str:
    """RFC 7638 thumbprint of an EC P-256 public key.

    Raises:
        ProofInvalid: not a public EC P-256 key.
    """
    return _imported(public_jwk)[1]


def _imported(public_jwk: dict[str, Any]) -> tuple[ECKey, str]:
    if public_jwk.get("kty") != "EC" or public_jwk.get("crv") != "P-256" or "d" in public_jwk:
        raise ProofInvalid("The device key must be a public EC P-256 key.")
    x, y = public_jwk.get("x"), public_jwk.get("y")
    if not isinstance(x, str) or not isinstance(y, str):
        raise ProofInvalid("The device key is not a valid P-256 key.")
    return _import(x, y)


@lru_cache(maxsize=8192)
def _import(x: str, y: str) -> tuple[ECKey, str]:
    """A phone sends the same key on every call: parse it (and its thumbprint) once."""
    try:
        key = ECKey.import_key({"kty": "EC", "crv": "P-256", "x": x, "y": y})
        return key, str(key.thumbprint())
    except (JoseError, ValueError, TypeError) as exc:
        raise ProofInvalid("The device key is not a valid P-256 key.") from exc


@lru_cache(maxsize=4096)
def normalise_url(url: str) -> str:
    """RFC 9449 §4.3: compare ``htu`` without query and fragment, scheme and host folded."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, "", ""))


@dataclass(frozen=True)
class _Header:
    """A checked protected header: the key it carries, parsed, and its thumbprint."""

    public_key: ec.EllipticCurvePublicKey
    jkt: str
    jwk: Mapping[str, Any]


_ES256_PREHASHED = ec.ECDSA(Prehashed(hashes.SHA256()))
_SKEW_S = MAX_SKEW.total_seconds()
_KEEP_IDS = 2 * MAX_SKEW  # a proof is acceptable until iat + MAX_SKEW <= now + 2 * MAX_SKEW


def verify(compact: str | None, *, method: str, url: str, now: datetime,
           seen: Callable[[str, datetime], bool], access_token: str | None = None,
           expected_jkt: str | None = None) -> Proof:
    """Check a proof; ``seen(jti, expires)`` records the id and says if it was used.

    Raises:
        ProofInvalid: malformed, wrong type or algorithm, bad signature, other
            method/URL, stale or future ``iat``, ``ath`` mismatch, other key.
        ProofReplayed: the ``jti`` was used before.
    """
    if not compact:
        raise ProofInvalid("Send a DPoP proof signed by your device key.")
    parts = compact.split(".")
    if len(parts) != 3:
        raise ProofInvalid("The device-key proof is not a valid signed token.")
    head = _header(parts[0])
    if expected_jkt is not None and head.jkt != expected_jkt:
        raise ProofInvalid("The proof is signed by a key that is not bound to this token.")
    claims = _signed_claims(head, *parts)
    htu = claims.get("htu")
    if claims.get("htm") != method.upper() or (htu != url and (
            not isinstance(htu, str) or normalise_url(htu) != normalise_url(url))):
        raise ProofInvalid("The proof was made for another request.")
    iat = _iat(claims, now)
    if access_token is not None and claims.get("ath") != access_token_hash(access_token):
        raise ProofInvalid("The proof is not bound to this access token.")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 16 <= len(jti) <= 128:
        raise ProofInvalid("The proof needs a unique id (jti).")
    if seen(f"{head.jkt}:{jti}", now + _KEEP_IDS):  # past the last moment it is acceptable
        raise ProofReplayed()
    return Proof(head.jkt, head.jwk, jti, iat)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@lru_cache(maxsize=8192)
def _header(head_b64: str) -> _Header:
    """RFC 7515 protected header: ``dpop+jwt``, ES256, with its public ``jwk``. A phone
    sends the same header on every call: it is decoded, checked and its key parsed
    once. Only its parsing is cached; every proof's signature is still verified.

    Raises:
        ProofInvalid: not such a header, or not a public P-256 key.
    """
    try:
        header = json.loads(_b64decode(head_b64))
    except (ValueError, TypeError) as exc:
        raise ProofInvalid("The device-key proof is not a valid signed token.") from exc
    if not isinstance(header, dict) or header.get("typ") != "dpop+jwt" or \
            header.get("alg") != "ES256" or not isinstance(header.get("jwk"), dict):
        raise ProofInvalid("The proof must be a dpop+jwt signed with ES256 carrying its jwk.")
    key, jkt = _imported(header["jwk"])
    return _Header(key.public_key, jkt, MappingProxyType(header["jwk"]))


def _signed_claims(head: _Header, head_b64: str, body_b64: str, sig_b64: str) -> dict[str, Any]:
    """Verify the ES256 signature (raw ``r || s``, RFC 7518 §3.4) with ``cryptography``
    directly, then decode the claims.

    Raises:
        ProofInvalid: bad signature or claims that are not a JSON object.
    """
    try:
        sig = _b64decode(sig_b64)
        if len(sig) != 64:
            raise ProofInvalid("An ES256 signature is 64 bytes (r || s).")
        digest = hashlib.sha256(f"{head_b64}.{body_b64}".encode()).digest()
        head.public_key.verify(_der_signature(sig), digest, _ES256_PREHASHED)
        claims = json.loads(_b64decode(body_b64).decode())
    except (InvalidSignature, ValueError, TypeError) as exc:
        raise ProofInvalid("The device-key proof is not a valid signed token.") from exc
    if not isinstance(claims, dict):
        raise ProofInvalid("The proof's claims must be a JSON object.")
    return claims


def _der_integer(value: bytes) -> bytes:
    value = value.lstrip(b"\0")
    if not value or value[0] & 0x80:
        value = b"\0" + value
    return b"\x02" + bytes((len(value),)) + value


def _der_signature(sig: bytes) -> bytes:
    """Raw ``r || s`` (32 bytes each) as the DER ``ECDSA-Sig-Value`` OpenSSL takes; the
    same bytes as ``encode_dss_signature``, without two big-integer conversions."""
    body = _der_integer(sig[:32]) + _der_integer(sig[32:])
    return b"\x30" + bytes((len(body),)) + body


def _iat(claims: dict[str, Any], now: datetime) -> float:
    """Within ``MAX_SKEW`` of ``now`` (NaN, infinities and huge numbers refused).

    Raises:
        ProofInvalid: missing, not a number, or too far from ``now``.
    """
    iat = claims.get("iat")
    if not isinstance(iat, int | float) or isinstance(iat, bool):  # bool is an int
        raise ProofInvalid("The proof needs its issue time (iat).")
    try:
        fresh = -_SKEW_S <= iat - now.timestamp() <= _SKEW_S
    except OverflowError:
        fresh = False
    if not fresh:
        raise ProofInvalid("The proof is too old or from the future; check the phone's clock.")
    return float(iat)


def make(key: ECKey, *, method: str, url: str, now: datetime, jti: str,
         access_token: str | None = None) -> str:
    """Build a proof (used by the reference phone client and the tests)."""
    claims: dict[str, Any] = {"htm": method.upper(), "htu": normalise_url(url),
                              "iat": int(now.timestamp()), "jti": jti}
    if access_token is not None:
        claims["ath"] = access_token_hash(access_token)
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
    return str(jws.serialize_compact(header, json.dumps(claims, separators=(",", ":")), key))
