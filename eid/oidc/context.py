"""What the provider's operations need, passed in explicitly (built per request by the
edge, or by a test): the database session, time, randomness, keys, the shared store."""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from eid.clock import Rng
from eid.oidc.keys import KeyRing, Ring
from eid.oidc.store import Store


@dataclass(frozen=True)
class OidcSettings:
    code_seconds: int = 60
    par_seconds: int = 90
    pending_seconds: int = 900
    access_seconds: int = 300
    id_token_seconds: int = 3600
    refresh_seconds: int = 8 * 3600
    logout_timeout_seconds: float = 3.0

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> OidcSettings:
        names = {f: f"OIDC_{f.upper()}" for f in cls.__dataclass_fields__}
        return cls(**{f: type(getattr(cls, f))(cfg[k]) for f, k in names.items() if k in cfg})


def _noop_audit(*_a: Any, **_k: Any) -> None:
    return None


@dataclass
class Context:
    session: Session
    now: datetime
    rng: Rng
    issuer: str
    keyring: KeyRing
    store: Store
    key: bytes
    settings: OidcSettings = field(default_factory=OidcSettings)
    audit: Callable[..., None] = _noop_audit
    defer: Callable[[Callable[[], None]], None] = lambda fn: fn()

    @property
    def ring(self) -> Ring:
        return self.keyring.get(self.session, self.now)

    def token(self, n: int = 32) -> str:
        return base64.urlsafe_b64encode(self.rng.token_bytes(n)).rstrip(b"=").decode()

    def endpoint(self, path: str) -> str:
        return self.issuer.rstrip("/") + path

    def sid_for(self, web_session_id: int) -> str:
        mac = hmac.new(self.key, f"oidc-sid:{web_session_id}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac[:18]).decode()
