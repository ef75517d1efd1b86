"""Signed tokens: ID tokens (OpenID Connect Core §2), JWT access tokens (RFC 9068),
logout tokens (OpenID Connect Back-Channel Logout §2.4); and their verification, which
accepts only ES256 and RS256 (never ``none``) and only keys this provider published."""
from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError

from eid.oidc.context import Context
from eid.oidc.errors import InvalidToken
from eid.oidc.keys import ALGS, DEFAULT_ALG

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def sign(ctx: Context, claims: Mapping[str, Any], *, typ: str = "JWT", alg: str = DEFAULT_ALG) -> str:
    kid, key = ctx.ring.signers[alg if alg in ALGS else DEFAULT_ALG]
    header = {"alg": alg if alg in ALGS else DEFAULT_ALG, "kid": kid, "typ": typ}
    return jwt.encode(header, dict(claims), key, algorithms=list(ALGS))


def half_hash(value: str, alg: str = DEFAULT_ALG) -> str:
    """``at_hash`` (Core §3.1.3.6): the left half of SHA-256, base64url."""
    digest = hashlib.sha256(value.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


def header_of(token: str) -> dict[str, Any]:
    try:
        head = token.split(".")[0]
        data = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, IndexError) as exc:
        raise InvalidToken("The token is not a signed JWT.") from exc
    if not isinstance(data, dict):
        raise InvalidToken("The token is not a signed JWT.")
    return data


def verify(ctx: Context, token: str, *, typ: str | None) -> dict[str, Any]:
    """Signature by one of our published keys, ``iss``; ``typ`` if given.

    Raises:
        InvalidToken: any problem, including ``alg=none`` or an unknown algorithm.
    """
    if not token or len(token) > 8192 or token.count(".") != 2:
        raise InvalidToken("The token is not a signed JWT.")
    head = header_of(token)
    if head.get("alg") not in ALGS:
        raise InvalidToken("Only ES256 and RS256 tokens are accepted.")
    if typ is not None and str(head.get("typ", "")).lower() not in (typ, f"application/{typ}"):
        raise InvalidToken(f"The token is not of type {typ}.")
    try:
        decoded = jwt.decode(token, ctx.ring.verifiers, algorithms=list(ALGS))
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidToken("The token's signature is not valid.") from exc
    claims = dict(decoded.claims)
    if claims.get("iss") != ctx.issuer:
        raise InvalidToken("The token was not issued here.")
    return claims


def verify_live(ctx: Context, token: str, *, typ: str | None) -> dict[str, Any]:
    claims = verify(ctx, token, typ=typ)
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp <= ctx.now.timestamp():
        raise InvalidToken("The token has expired.")
    return claims
