"""Phone numbers, masked display, SMS texts, captcha and the SMS senders."""
from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import ClassVar

import pytest

from eid.accounts import captcha, messages
from eid.accounts.errors import CaptchaInvalid, InvalidInput, SmsDeliveryFailed
from eid.accounts.phones import mask_phone, normalize_phone
from eid.accounts.sms import HttpGatewaySender, SmsConfigError, sender_from_config
from eid.clock import SeededRng


@pytest.mark.parametrize("raw,e164", [("0971234567", "+84971234567"), ("+84971234567", "+84971234567"),
                                      ("84 97 123 4567", "+84971234567"), ("09121234567", "+989121234567")])
def test_numbers_normalise_to_e164(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["", "12", "0241234567", "+84 24 3825 1234", "abc"])
def test_non_mobile_numbers_are_refused(raw):
    with pytest.raises(InvalidInput):
        normalize_phone(raw)


def test_mask_as_the_portal_shows_it():
    assert mask_phone("+84971234371") == "097***371"


@pytest.mark.parametrize("kind", ["otp_signup", "otp_signin", "otp_reset", "otp_device", "otp_generic"])
def test_otp_texts_carry_the_code_and_fit_one_sms(kind):
    for locale in ("vi", "en"):
        text = messages.render(kind, locale, code="123456")
        assert "123456" in text and len(text) <= 160 and text.isascii()


def test_captcha_is_single_use_and_expires(app):
    from eid.web.db import db

    now = datetime(2026, 1, 1, tzinfo=UTC)
    with app.app_context():
        s = db.session
        cid, answer = captcha.new_captcha(s, now=now, rng=SeededRng(1), key=b"k", dev_mode=False)
        assert captcha.dev_answer_for(s, cid) is None
        captcha.verify_captcha(s, cid, answer, now=now, key=b"k")
        with pytest.raises(CaptchaInvalid):
            captcha.verify_captcha(s, cid, answer, now=now, key=b"k")
        cid, answer = captcha.new_captcha(s, now=now, rng=SeededRng(2), key=b"k", dev_mode=True)
        with pytest.raises(CaptchaInvalid):
            captcha.verify_captcha(s, cid, answer, now=now + timedelta(minutes=3), key=b"k")
        assert captcha.render_png(answer)[:4] == b"\x89PNG"
        assert captcha.render_wav(answer)[:4] == b"RIFF"


def test_production_needs_an_sms_gateway():
    with pytest.raises(SmsConfigError):
        sender_from_config({"EID_ENV": "production"}, lambda: None)


class _Gateway(BaseHTTPRequestHandler):
    received: ClassVar[list[bytes]] = []

    def do_POST(self):
        self.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(503 if b"fail" in self.received[-1] else 202)
        self.end_headers()

    def log_message(self, *args):  # type: ignore[no-untyped-def]
        pass


def test_http_gateway_posts_and_reports_failures():
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sender = HttpGatewaySender(f"http://127.0.0.1:{server.server_port}/sms", "tok")
        sender.send("+84971234567", "hello", kind="otp_signin")
        assert b'"to": "+84971234567"' in _Gateway.received[-1]
        with pytest.raises(SmsDeliveryFailed):
            sender.send("+84971234567", "fail", kind="otp_signin")
        with pytest.raises(SmsDeliveryFailed):
            HttpGatewaySender("http://127.0.0.1:9/sms", None, timeout=1).send("+8497", "x", kind="k")
    finally:
        server.shutdown()
        server.server_close()
