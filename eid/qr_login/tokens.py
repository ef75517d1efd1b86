"""Wire formats of QR login: the QR URI, secrets, key thumbprints and signatures.

* QR URI (qr-login.md point 2): ``eid://qr-login/v1?t=<tx>&s=<secret>&k=<thumbprint>``;
  the secret is 128 bits from the injected rng, base64url; only its SHA-256 is stored.
* Desktop key: a WebCrypto ECDSA P-256 public JWK; its RFC 7638 thumbprint binds the
  transaction; its signatures (raw r||s as WebCrypto gives them, or DER) are
  verified over UTF-8 text.
* Approval (point 4): the phone signs canonical JSON (sorted keys, no spaces) of
  ``{tx, thumbprint, number, aud, iat, jti, decision, context_hash}`` with its
  registered device key.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from eid.clock import Rng
from eid.qr_login.errors import BadSignature, InvalidQr

SCHEME, HOST, VERSION = "eid", "qr-login", "v1"
SECRET_BYTES = 16


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as exc:
        raise InvalidQr() from exc


def new_secret(rng: Rng) -> str:
    return b64url(rng.token_bytes(SECRET_BYTES))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_hash(stored: str, secret: str) -> bool:
    return hmac.compare_digest(stored, hash_secret(secret))


@dataclass(frozen=True)
class QrPayload:
    tx_id: str
    secret: str
    thumbprint: str


def build_uri(p: QrPayload) -> str:
    query = urlencode({"t": p.tx_id, "s": p.secret, "k": p.thumbprint})
    return f"{SCHEME}://{HOST}/{VERSION}?{query}"


def parse_uri(uri: str) -> QrPayload:
    """Strict: our scheme, host and version, exactly t, s and k, sane lengths.

    Raises:
        InvalidQr: anything else (another app's QR, an old version, tampering).
    """
    parts = urlsplit((uri or "").strip())
    if (parts.scheme, parts.netloc, parts.path) != (SCHEME, HOST, f"/{VERSION}") or parts.fragment:
        raise InvalidQr()
    query = parse_qs(parts.query, strict_parsing=True) if parts.query else {}
    if sorted(query) != ["k", "s", "t"] or any(len(v) != 1 for v in query.values()):
        raise InvalidQr()
    tx, secret, thumb = query["t"][0], query["s"][0], query["k"][0]
    if not (16 <= len(tx) <= 64 and len(b64url_decode(secret)) == SECRET_BYTES and len(thumb) == 43):
        raise InvalidQr()
    return QrPayload(tx, secret, thumb)


def _p256(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256" or "d" in jwk:
        raise BadSignature("The key must be a public EC P-256 key.")
    try:
        x, y = b64url_decode(str(jwk["x"])), b64url_decode(str(jwk["y"]))
        if len(x) != 32 or len(y) != 32:
            raise ValueError("coordinate length")
        return ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"),
                                             ec.SECP256R1()).public_key()
    except (KeyError, ValueError, InvalidQr) as exc:
        raise BadSignature("The key is not a valid P-256 key.") from exc


def thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256) of an EC P-256 public key."""
    _p256(jwk)
    canonical = json.dumps({"crv": jwk["crv"], "kty": jwk["kty"], "x": jwk["x"], "y": jwk["y"]},
                           separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def public_jwk(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    n = key.public_numbers()
    return {"kty": "EC", "crv": "P-256", "x": b64url(n.x.to_bytes(32, "big")),
            "y": b64url(n.y.to_bytes(32, "big"))}


def verify_signature(jwk: Mapping[str, Any], message: bytes, signature_b64: str) -> None:
    """ECDSA P-256 / SHA-256 over ``message``; raw r||s (WebCrypto) or DER.

    Raises:
        BadSignature: malformed key or signature, or it does not verify.
    """
    key = _p256(jwk)
    try:
        sig = b64url_decode(signature_b64)
    except InvalidQr as exc:
        raise BadSignature() from exc
    if len(sig) == 64:
        sig = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
    try:
        key.verify(sig, message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError) as exc:
        raise BadSignature() from exc


def canonical_json(obj: Mapping[str, Any]) -> bytes:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def context_hash(context: Mapping[str, Any]) -> str:
    """The hash of what the phone showed, which the approval signs."""
    return b64url(hashlib.sha256(canonical_json(context)).digest())


APPROVAL_FIELDS = ("aud", "context_hash", "decision", "iat", "jti", "number", "thumbprint", "tx")


@dataclass(frozen=True)
class Approval:
    tx: str
    thumbprint: str
    number: int
    aud: str
    iat: int
    jti: str
    decision: str
    context_hash: str

    def payload(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in APPROVAL_FIELDS}


def parse_approval(raw: str) -> Approval:
    """The canonical JSON the phone signed. Raises BadSignature if it is not exactly that."""
    try:
        data = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise BadSignature("The approval is not JSON.") from exc
    if not isinstance(data, dict) or sorted(data) != list(APPROVAL_FIELDS):
        raise BadSignature("The approval must have exactly the fields " + ", ".join(APPROVAL_FIELDS))
    if canonical_json(data) != raw.encode():
        raise BadSignature("The approval must be canonical JSON.")
    if not isinstance(data["number"], int) or not isinstance(data["iat"], int) or \
            data["decision"] not in ("approve", "deny"):
        raise BadSignature("The approval's fields have the wrong types.")
    return Approval(**{f: data[f] for f in APPROVAL_FIELDS})


def three_numbers(rng: Rng) -> tuple[list[int], int]:
    """Three distinct two-digit numbers and the index of the right one."""
    numbers: list[int] = []
    while len(numbers) < 3:
        n = 10 + rng.randbelow(90)
        if n not in numbers:
            numbers.append(n)
    return numbers, rng.randbelow(3)
