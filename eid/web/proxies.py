"""The client's address behind reverse proxies (``EID_TRUSTED_PROXIES``).

Without the setting, ``X-Forwarded-For`` is ignored: any client can write that
header, so trusting it would let a stranger choose the address the per-IP limits,
the audit log and the QR-login page see. With it, the address a trusted proxy
recorded replaces the socket's peer:

* a number of hops (``1`` for one nginx): Werkzeug's ``ProxyFix`` takes the address
  that many entries from the right of ``X-Forwarded-For`` (and the scheme from
  ``X-Forwarded-Proto``), whoever connected;
* a list of addresses or networks (``10.0.0.5, 10.1.0.0/16``): only a peer in the
  list is believed, and the client is the rightmost ``X-Forwarded-For`` entry that is
  not itself one of the proxies (RFC 7239 §7.4: every hop appends, so the entries a
  client wrote itself stand to the left of the ones its proxies added).
"""
from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "0.0.0.0"  # noqa: S104 - a placeholder address, never bound


def parse_setting(raw: str | None) -> int | tuple[Network, ...]:
    """``""`` -> 0 (no proxy), ``"2"`` -> 2 hops, ``"10.0.0.5, 10.1.0.0/16"`` -> networks.

    Raises:
        ValueError: neither a whole number nor a list of addresses / networks."""
    text = (raw or "").strip()
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    return tuple(ipaddress.ip_network(part.strip(), strict=False)
                 for part in text.replace(";", ",").split(",") if part.strip())


def normalize(address: str | None) -> str:
    """The canonical text of an address (an IPv4-mapped IPv6 address as IPv4)."""
    try:
        ip = ipaddress.ip_address((address or "").strip().split("%", 1)[0])
    except ValueError:
        return UNKNOWN
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


def client_ip() -> str:
    """The request's client address (already corrected by the trusted proxies)."""
    return normalize(request.remote_addr)


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(normalize(address))
    except ValueError:
        return False
    return any(ip in net for net in networks)


class TrustedProxies:
    """WSGI middleware: believe ``X-Forwarded-*`` only from the listed proxies."""

    def __init__(self, app: Callable[..., Any], networks: tuple[Network, ...]) -> None:
        self.app, self.networks = app, networks

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        peer = environ.get("REMOTE_ADDR", "")
        if _trusted(peer, self.networks):
            chain = [p.strip() for p in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
            client = next((a for a in reversed(chain) if not _trusted(a, self.networks)), None)
            if client is not None and normalize(client) != UNKNOWN:
                environ["werkzeug.proxy_fix.orig_remote_addr"] = peer
                environ["REMOTE_ADDR"] = normalize(client)
            proto = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if proto in ("http", "https"):
                environ["wsgi.url_scheme"] = proto
        return self.app(environ, start_response)


def init_app(app: Flask) -> None:
    """Wrap the whole WSGI stack (Socket.IO's middleware included) once, outermost,
    so the pages, the API and the sockets see the same client address."""
    setting = app.config.get("TRUSTED_PROXIES") or 0
    if isinstance(setting, int):
        if setting > 0:
            app.wsgi_app = ProxyFix(app.wsgi_app, x_for=setting, x_proto=setting)  # type: ignore[method-assign]
    elif setting:
        app.wsgi_app = TrustedProxies(app.wsgi_app, tuple(setting))  # type: ignore[method-assign]
