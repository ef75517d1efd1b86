"""Who is calling: the access token (``Authorization: DPoP <token>`` or ``Bearer``)
and, for a token bound to a phone's device key, the DPoP proof over this request.

Sensitive calls require a device-bound token; a token from a sign-in before the
phone was activated can only activate the phone and read the account.
"""
from __future__ import annotations

from flask import current_app, g, request

from eid.accounts import devices, proof, tokens
from eid.accounts.errors import Forbidden, NotAuthenticated
from eid.models.accounts import Account
from eid.models.devices import Device
from eid.web.unit_of_work import Services, services


class DeviceKeyRequired(Forbidden):
    error = "device_key_required"
    message = "Activate this phone (register its device key) before doing this."


def request_url() -> str:
    """The URL the phone signed (``htu``): scheme, host and path, no query."""
    req = request._get_current_object()  # type: ignore[attr-defined]
    if current_app.config.get("TRUST_PUBLIC_URL"):
        return str(current_app.config["PUBLIC_URL"]).rstrip("/") + req.path
    return f"{req.scheme}://{req.host}{req.path}"


def access_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() not in ("bearer", "dpop") or not token.strip():
        raise NotAuthenticated("Send 'Authorization: DPoP <access token>' (or Bearer before activation).")
    return token.strip()


def request_proof(expected_jkt: str | None = None, token: str | None = None, *,
                  svc: Services | None = None) -> proof.Proof:
    svc = svc or services()
    environ = request.environ
    return proof.verify(environ.get("HTTP_DPOP"), method=environ.get("REQUEST_METHOD", ""),
                        url=request_url(), now=svc.now, seen=devices.proof_seen(svc),
                        access_token=token, expected_jkt=expected_jkt)


def authenticated(*, sensitive: bool = False) -> tokens.Authenticated:
    auth: tokens.Authenticated | None = g.get("eid_auth")
    if auth is None:
        svc = services()
        token = access_token()
        auth = tokens.authenticate(svc, token)
        if auth.device is not None:
            auth.proof = request_proof(auth.device.jkt, token, svc=svc)
            tokens.touch_device(svc, auth.device)
        g.eid_auth = auth
    if sensitive and auth.device is None:
        raise DeviceKeyRequired()
    return auth


def device_for_signin(account: Account) -> Device | None:
    """The account's active phone if this sign-in request carries a proof by its key."""
    if not request.headers.get("DPoP"):
        return None
    p = request_proof()
    device = devices.active_device(services(), account.id)
    return device if device is not None and device.jkt == p.jkt else None
