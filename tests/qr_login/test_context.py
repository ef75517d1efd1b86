"""What the phone is shown: place from the bundled GeoIP data, browser and OS."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from eid.qr_login import context


@pytest.mark.parametrize("ua,expected", [
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36", ("Chrome 126", "Windows")),
    ("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0",
     ("Edge 126", "Windows")),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Safari/605.1.15", ("Safari 17", "macOS")),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", ("Firefox 128", "Linux")),
    ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36",
     ("Chrome 126", "Android")),
    ("", ("Unknown browser", "Unknown system")),
])
def test_browser_and_os(ua, expected):
    assert context.browser_and_os(ua) == expected


def test_places_and_mismatch():
    assert context.place_of("127.0.0.1").label == context.LOCAL
    assert context.place_of("not an ip").country == "Unknown"
    ctx = context.build(service="S", desktop_ip="5.160.0.1", desktop_ua="", phone_ip="14.161.1.1",
                        at=datetime(2026, 1, 1, tzinfo=UTC), numbers=[11, 22, 33])
    assert ctx.location_mismatch is True and ctx.place == "Iran"
    same = context.build(service="S", desktop_ip="127.0.0.1", desktop_ua="", phone_ip="14.161.1.1",
                         at=datetime(2026, 1, 1, tzinfo=UTC), numbers=[11, 22, 33])
    assert same.location_mismatch is False
