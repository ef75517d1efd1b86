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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
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
    jwk: dict[str, str]
    jti: str
    iat: datetime


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
    header, claims = _decode(compact)
    jkt = thumbprint(header["jwk"])
    if expected_jkt is not None and jkt != expected_jkt:
        raise ProofInvalid("The proof is signed by a key that is not bound to this token.")
    if claims.get("htm") != method.upper() or \
            normalise_url(str(claims.get("htu", ""))) != normalise_url(url):
        raise ProofInvalid("The proof was made for another request.")
    iat = _iat(claims, now)
    if access_token is not None and claims.get("ath") != access_token_hash(access_token):
        raise ProofInvalid("The proof is not bound to this access token.")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 16 <= len(jti) <= 128:
        raise ProofInvalid("The proof needs a unique id (jti).")
    if seen(f"{jkt}:{jti}", iat + 2 * MAX_SKEW):
        raise ProofReplayed()
    return Proof(jkt, dict(header["jwk"]), jti, iat)


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _decode(compact: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """RFC 7515 compact JWS, ES256 only, verified with ``cryptography`` directly (the
    key from the header, parsed once per device and cached)."""
    try:
        head_b64, body_b64, sig_b64 = compact.split(".")
        header = json.loads(_b64decode(head_b64))
        if not isinstance(header, dict) or header.get("typ") != "dpop+jwt" or \
                header.get("alg") != "ES256" or not isinstance(header.get("jwk"), dict):
            raise ProofInvalid("The proof must be a dpop+jwt signed with ES256 carrying its jwk.")
        key, _ = _imported(header["jwk"])
        sig = _b64decode(sig_b64)
        if len(sig) != 64:
            raise ProofInvalid("An ES256 signature is 64 bytes (r || s).")
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        key.public_key.verify(der, f"{head_b64}.{body_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(_b64decode(body_b64))
    except ProofInvalid:
        raise
    except (InvalidSignature, ValueError, TypeError, KeyError, IndexError) as exc:
        raise ProofInvalid("The device-key proof is not a valid signed token.") from exc
    if not isinstance(claims, dict):
        raise ProofInvalid("The proof's claims must be a JSON object.")
    return header, claims


def _iat(claims: dict[str, Any], now: datetime) -> datetime:
    iat = claims.get("iat")
    if not isinstance(iat, int | float):
        raise ProofInvalid("The proof needs its issue time (iat).")
    at = datetime.fromtimestamp(iat, tz=now.tzinfo)
    if abs(at - now) > MAX_SKEW:
        raise ProofInvalid("The proof is too old or from the future; check the phone's clock.")
    return at


def make(key: ECKey, *, method: str, url: str, now: datetime, jti: str,
         access_token: str | None = None) -> str:
    """Build a proof (used by the reference phone client and the tests)."""
    claims: dict[str, Any] = {"htm": method.upper(), "htu": normalise_url(url),
                              "iat": int(now.timestamp()), "jti": jti}
    if access_token is not None:
        claims["ath"] = access_token_hash(access_token)
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": key.as_dict(private=False)}
    return str(jws.serialize_compact(header, json.dumps(claims, separators=(",", ":")), key))
