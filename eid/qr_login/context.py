"""What the phone shows before approval (qr-login.md point 3): the service, the
desktop's IP and coarse place (from the GeoIP database shipped inside geoip2fast:
no network look-up), browser and OS, the time, and whether the desktop's country
differs from the phone's.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

LOCAL = "Local network"


@dataclass(frozen=True)
class Place:
    country_code: str | None
    country: str

    @property
    def label(self) -> str:
        return self.country


@lru_cache(maxsize=1)
def _geo() -> Any:
    from geoip2fast import GeoIP2Fast

    return GeoIP2Fast(verbose=False)


@lru_cache(maxsize=4096)
def place_of(ip: str) -> Place:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return Place(None, "Unknown")
    if addr.is_private or addr.is_loopback or addr.is_link_local:
        return Place(None, LOCAL)
    result = _geo().lookup(ip)
    code = result.country_code if result.country_code and result.country_code != "--" else None
    return Place(code, result.country_name or "Unknown")


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chromium/", "Chromium"),
             ("Chrome/", "Chrome"), ("Safari/", "Safari"))
_SYSTEMS = (("Windows NT", "Windows"), ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iOS"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def browser_and_os(user_agent: str) -> tuple[str, str]:
    """A short, tested reading of the User-Agent: ("Chrome 126", "Windows")."""
    ua = user_agent or ""
    browser = "Unknown browser"
    for token, name in _BROWSERS:
        m = re.search(re.escape(token) + r"(\d+)", ua)
        if m:
            browser = f"{name} {m.group(1)}"
            if name == "Safari":
                v = re.search(r"Version/(\d+)", ua)
                browser = f"Safari {v.group(1)}" if v else "Safari"
            break
    system = next((name for token, name in _SYSTEMS if token in ua), "Unknown system")
    return browser, system


@dataclass(frozen=True)
class Context:
    service: str
    ip: str
    place: str
    browser: str
    os: str
    time: str
    location_mismatch: bool
    numbers: list[int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def build(*, service: str, desktop_ip: str, desktop_ua: str, phone_ip: str, at: datetime,
          numbers: list[int]) -> Context:
    desk, phone = place_of(desktop_ip), place_of(phone_ip)
    mismatch = bool(desk.country_code and phone.country_code and
                    desk.country_code != phone.country_code)
    browser, system = browser_and_os(desktop_ua)
    return Context(service, desktop_ip, desk.label, browser, system,
                   at.isoformat(timespec="seconds"), mismatch, list(numbers))
