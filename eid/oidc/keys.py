"""Token-signing keys: ES256 (and RS256 for older relying parties), their rotation and
the JWKS (RFC 7517). A new key is published as ``next`` one rotation before it signs
anything; a retired key stays published until the tokens it signed have expired.
Private keys are stored encrypted (Fernet, with a key derived from the app secret).
``alg=none`` and every algorithm but these are refused when verifying.
"""
from __future__ import annotations

import base64
import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.jwk import ECKey, KeySet, RSAKey
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from eid.models.oidc import OidcSigningKey
from eid.oidc.errors import TemporarilyUnavailable

ALGS = ("ES256", "RS256")
DEFAULT_ALG = "ES256"
CACHE_SECONDS = 10.0


def fernet_for(secret: bytes) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(b"eid:oidc-keys:" + secret).digest()))


def _generate(alg: str) -> Any:
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jose(private: Any, alg: str) -> ECKey | RSAKey:
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return ECKey.import_key(pem) if alg == "ES256" else RSAKey.import_key(pem)


def new_key(session: Session, fernet: Fernet, alg: str, state: str, now: datetime) -> OidcSigningKey:
    private = _generate(alg)
    jose = _jose(private, alg)
    kid = f"{alg.lower()}-{jose.thumbprint()[:16]}"
    public = {**jose.as_dict(private=False), "kid": kid, "alg": alg, "use": "sig"}
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    row = OidcSigningKey(kid=kid, alg=alg, state=state, public_jwk=public,
                         private_key=fernet.encrypt(pem).decode(), created_at=now,
                         activated_at=now if state == "current" else None)
    session.add(row)
    return row


def ensure(session: Session, fernet: Fernet, now: datetime) -> bool:
    """A current and a next key for every algorithm (first start). True if any was made."""
    rows = list(session.scalars(select(OidcSigningKey)))
    made = False
    for alg in ALGS:
        states = {r.state for r in rows if r.alg == alg}
        if "current" not in states:
            new_key(session, fernet, alg, "current", now)
            made = True
        if "next" not in states:
            new_key(session, fernet, alg, "next", now)
            made = True
    session.flush()
    return made


def rotate(session: Session, fernet: Fernet, now: datetime, *, retain: timedelta) -> list[str]:
    """next -> current, current -> retired, a new next; retired keys older than ``retain``
    are dropped. Returns the kids that now sign."""
    ensure(session, fernet, now)
    session.execute(delete(OidcSigningKey).where(OidcSigningKey.state == "retired",
                                                 OidcSigningKey.retired_at < now - retain))
    signing = []
    for alg in ALGS:
        rows = {r.state: r for r in session.scalars(select(OidcSigningKey).where(
            OidcSigningKey.alg == alg, OidcSigningKey.state.in_(("current", "next"))))}
        rows["current"].state, rows["current"].retired_at = "retired", now
        rows["next"].state, rows["next"].activated_at = "current", now
        signing.append(rows["next"].kid)
        session.flush()
        new_key(session, fernet, alg, "next", now)
    session.flush()
    return signing


@dataclass(frozen=True)
class Ring:
    jwks: dict[str, Any]
    signers: dict[str, tuple[str, ECKey | RSAKey]]  # alg -> (kid, private key)
    verifiers: KeySet  # every published key


class KeyRing:
    """The published keys and the current signers, read from the table at most every
    ``CACHE_SECONDS`` per process (a rotation by the CLI reaches every worker)."""

    def __init__(self, secret: bytes) -> None:
        self._fernet = fernet_for(secret)
        self._ring: Ring | None = None
        self._at = 0.0
        self._lock = threading.Lock()
        self._private: dict[str, ECKey | RSAKey] = {}

    @property
    def fernet(self) -> Fernet:
        return self._fernet

    def invalidate(self) -> None:
        self._ring = None

    def get(self, session: Session, now: datetime) -> Ring:
        ring = self._ring
        if ring is not None and time.monotonic() - self._at < CACHE_SECONDS:
            return ring
        with self._lock:
            rows = list(session.scalars(select(OidcSigningKey)))
            if not {r.alg for r in rows if r.state == "current"} >= set(ALGS):
                ensure(session, self._fernet, now)
                session.commit()
                rows = list(session.scalars(select(OidcSigningKey)))
            self._ring = self._build(rows)
            self._at = time.monotonic()
            return self._ring

    def _build(self, rows: list[OidcSigningKey]) -> Ring:
        signers = {}
        for r in rows:
            if r.state == "current":
                signers[r.alg] = (r.kid, self._private_key(r))
        public = [r.public_jwk for r in sorted(rows, key=lambda r: (r.state != "current", r.kid))]
        return Ring({"keys": public}, signers, KeySet.import_key_set({"keys": public}))

    def _private_key(self, row: OidcSigningKey) -> ECKey | RSAKey:
        key = self._private.get(row.kid)
        if key is None:
            try:
                pem = self._fernet.decrypt(row.private_key.encode())
            except InvalidToken as exc:  # the app secret changed: the keys cannot be read
                raise TemporarilyUnavailable("The signing keys cannot be decrypted.") from exc
            params = {"kid": row.kid, "alg": row.alg, "use": "sig"}
            key = ECKey.import_key(pem, params) if row.alg == "ES256" else RSAKey.import_key(pem, params)
            self._private[row.kid] = key
        return key
