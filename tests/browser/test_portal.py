"""Sign-up and sign-in through the pages, in Debian's chromium, as a citizen would."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from typing import Any

import pytest
import requests

from tests.flows import STRONG, demo

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def captcha_answer(live: Any, page: Any) -> str:
    cid = page.locator("input[name=captcha_id]").input_value()
    return str(requests.get(f"{live.url}/dev/captcha/{cid}", timeout=5).json()["answer"])


def last_sms_id(live: Any, phone: str) -> int:
    msgs = requests.get(f"{live.url}/dev/sms", params={"to": phone}, timeout=5).json()["messages"]
    return int(msgs[0]["id"]) if msgs else 0


def otp(live: Any, phone: str, after: int) -> str:
    """The code in the first SMS to ``phone`` newer than message ``after`` (SMS go out
    just after the response, so wait for it)."""
    end = time.monotonic() + 10
    while time.monotonic() < end:
        msgs = requests.get(f"{live.url}/dev/sms", params={"to": phone}, timeout=5).json()["messages"]
        for m in reversed(msgs):
            code = re.search(r"\b(\d{6})\b", m["text"])
            if int(m["id"]) > after and code:
                return code.group(1)
        time.sleep(0.1)
    raise AssertionError(f"no new OTP for {phone}")


def fill(page: Any, **fields: str) -> None:
    for name, value in fields.items():
        page.get_by_test_id(name).fill(value)


def sign_up(page: Any, live: Any, d: Any, password: str = STRONG) -> None:
    page.goto(f"{live.url}/register")
    page.get_by_role("link", name=re.compile("Thuê bao di động")).click()
    p = d.person
    fill(page, id_number=p.id_number, full_name=p.full_name,
         birth_date=p.birth_date.strftime("%d/%m/%Y"), phone=d.phone)
    fill(page, captcha=captcha_answer(live, page))
    before = last_sms_id(live, d.phone)
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/register/otp")
    assert d.phone[-3:] in page.get_by_test_id("masked-phone").inner_text()
    fill(page, code=otp(live, d.phone, before))
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/register/password")
    fill(page, password=password, confirm=password)
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/login")


def sign_in(page: Any, live: Any, d: Any, password: str = STRONG) -> None:
    page.goto(f"{live.url}/login?tab=password")
    fill(page, id_number=d.person.id_number, password=password)
    fill(page, captcha=captcha_answer(live, page))
    before = last_sms_id(live, d.phone)
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/login/otp")
    fill(page, code=otp(live, d.phone, before))
    page.get_by_test_id("submit").click()
    page.wait_for_url("**/account")


def test_citizen_signs_up_then_signs_in_in_the_browser(page, live):
    d = demo(44)
    sign_up(page, live, d)
    sign_in(page, live, d)
    assert page.get_by_test_id("account-name").inner_text().strip() == d.person.full_name
    assert page.locator("html").get_attribute("lang") == "vi"


def test_form_errors_are_shown_next_to_their_fields(page, live):
    page.goto(f"{live.url}/register?method=mobile")
    fill(page, id_number="123", full_name="", birth_date="31/02/2000", phone="12", captcha="x")
    page.get_by_test_id("submit").click()
    for field in ("id_number", "full_name", "birth_date", "phone"):
        assert page.get_by_test_id(f"error-{field}").is_visible(), field


def test_weak_password_is_explained_on_the_page(page, live):
    d = demo(45)
    page.goto(f"{live.url}/register?method=mobile")
    p = d.person
    fill(page, id_number=p.id_number, full_name=p.full_name,
         birth_date=p.birth_date.strftime("%d/%m/%Y"), phone=d.phone)
    fill(page, captcha=captcha_answer(live, page))
    before = last_sms_id(live, d.phone)
    page.get_by_test_id("submit").click()
    fill(page, code=otp(live, d.phone, before))
    page.get_by_test_id("submit").click()
    fill(page, password="password", confirm="password")
    page.get_by_test_id("submit").click()
    assert page.get_by_test_id("error-password").is_visible()


def test_wrong_password_then_english_switch(page, live):
    d = demo(46)
    sign_up(page, live, d)
    page.goto(f"{live.url}/login?tab=password&lang=en")
    fill(page, id_number=d.person.id_number, password="Wrong#Pass1")
    fill(page, captcha=captcha_answer(live, page))
    page.get_by_test_id("submit").click()
    assert page.get_by_test_id("form-error").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"


def test_sessions_page_revokes_another_session(browser, live):
    d = demo(47)
    ctx_a = browser.new_context()
    ctx_b = browser.new_context()
    a, b = ctx_a.new_page(), ctx_b.new_page()
    sign_up(a, live, d)
    sign_in(a, live, d)
    sign_in(b, live, d)
    b.goto(f"{live.url}/account/sessions")
    forms = b.locator("form[action*='/revoke']")
    assert forms.count() == 2
    b.locator("[data-testid=revoke-other]").first.click()
    a.wait_for_url("**/login?revoked=1", timeout=10_000)  # pushed to the revoked page at once
    a.goto(f"{live.url}/account")
    assert "/login" in a.url
    ctx_a.close()
    ctx_b.close()


def test_officer_desk_reads_the_card_and_upgrades_in_the_browser(page, live):
    officer, citizen = demo(40), demo(41)
    for d in (officer, citizen):
        sign_up(page, live, d)
    r = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "accounts", "make-officer",
                        officer.person.id_number], capture_output=True, text=True, check=False,
                       env={**os.environ, **live.env})
    assert r.returncode == 0, r.stdout + r.stderr
    sign_in(page, live, officer)
    sent: list[str] = []  # every URL the browser asks for at the desk, and the Referer it sends
    page.on("request", lambda req: sent.extend([req.url, req.headers.get("referer", "")]))
    page.goto(f"{live.url}/desk/")
    page.get_by_test_id("desk-id").fill(citizen.person.id_number)
    page.get_by_test_id("desk-find").click()
    assert citizen.person.full_name in page.get_by_test_id("desk-person").inner_text()
    page.get_by_test_id("desk-read-card").click()
    photo = page.get_by_test_id("chip-photo")
    assert photo.is_visible()
    assert page.evaluate("() => document.querySelector('[data-testid=chip-photo]').naturalWidth") > 0
    for check in ("card_inspected", "portrait_matches", "details_confirmed"):
        page.get_by_test_id(f"check-{check}").check()
    page.get_by_test_id("desk-upgrade").click()
    assert page.get_by_test_id("desk-level").inner_text().strip() == "2"
    assert f"{live.url}/desk/read-card" in sent and page.url == f"{live.url}/desk/"
    assert [u for u in sent if citizen.person.id_number in u] == []  # no access log or Referer has it
