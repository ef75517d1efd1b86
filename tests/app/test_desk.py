"""The officer's desk: only officers, every step audited, level 2 needs every check."""
from __future__ import annotations

import re

from sqlalchemy import select

from eid.models import Account, AuditEvent
from eid.web.db import db
from tests.flows import STRONG, last_otp, register


def web_signin(client, d):  # type: ignore[no-untyped-def]
    page = client.get("/login?tab=password").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    cid = re.search(r'name="captcha_id" value="([^"]+)"', page).group(1)
    answer = client.get(f"/dev/captcha/{cid}").get_json()["answer"]
    r = client.post("/login", data={"csrf_token": token, "id_number": d.person.id_number,
                                    "password": STRONG, "captcha_id": cid, "captcha": answer})
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    r = client.post("/login/otp", data={"csrf_token": token, "code": last_otp(client, d.phone)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/account")
    page = client.get("/account").get_data(as_text=True)  # a fresh session: a fresh CSRF token
    new = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert new != token
    return new


def make_officer(app, d):  # type: ignore[no-untyped-def]
    r = app.test_cli_runner().invoke(args=["accounts", "make-officer", d.person.id_number])
    assert r.exit_code == 0, r.output


def test_a_citizen_cannot_open_the_desk(client):
    d = register(client, 1)
    web_signin(client, d)
    r = client.get("/desk/")
    assert r.status_code == 403
    assert "officer" in r.get_data(as_text=True).lower()


def test_officer_finds_a_person_and_upgrades_them_to_level_2(client, app):
    officer, citizen = register(client, 2), register(client, 3)
    make_officer(app, officer)
    token = web_signin(client, officer)
    page = client.post("/desk/", data={"csrf_token": token, "id_number": citizen.person.id_number})
    assert citizen.person.full_name in page.get_data(as_text=True)
    with app.app_context():
        acc = db.session.scalar(select(Account).where(Account.id_number == citizen.person.id_number))
        account_id = acc.id
    r = client.post(f"/desk/upgrade/{account_id}", data={"csrf_token": token, "checks": ["card_inspected"],
                                                          "id_number": citizen.person.id_number})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Account, account_id).level == 1
    r = client.post(f"/desk/upgrade/{account_id}", data={
        "csrf_token": token, "checks": ["card_inspected", "portrait_matches", "details_confirmed"],
        "id_number": citizen.person.id_number})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Account, account_id).level == 2
        ev = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "desk.upgrade")).all()
        assert len(ev) == 1 and ev[0].acting_for == f"account:{account_id}"


def test_desk_form_without_csrf_is_refused(client, app):
    officer = register(client, 4)
    make_officer(app, officer)
    web_signin(client, officer)
    r = client.post("/desk/upgrade/1", data={"checks": ["card_inspected"]})
    assert r.status_code == 400
    assert 'data-code="csrf_failed"' in r.get_data(as_text=True)


def test_make_officer_for_an_unknown_person_is_a_clear_error(app):
    r = app.test_cli_runner().invoke(args=["accounts", "make-officer", "079199000001"])
    assert r.exit_code != 0 and "Sign the person up first" in r.output


def test_officer_reads_the_card_and_sees_the_chip_photo(client, app):
    officer, citizen = register(client, 8), register(client, 9)
    make_officer(app, officer)
    token = web_signin(client, officer)
    r = client.post("/desk/read-card", data={"csrf_token": token, "id_number": citizen.person.id_number})
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'data-testid="chip-photo"' in page
    assert 'src="data:image/' in page
    chip_id = re.search(r'name="chip_verification_id" value="(\d+)"', page).group(1)
    with app.app_context():
        acc = db.session.scalar(select(Account).where(Account.id_number == citizen.person.id_number))
        account_id = acc.id
    client.post(f"/desk/upgrade/{account_id}", data={
        "csrf_token": token, "checks": ["card_inspected", "portrait_matches", "details_confirmed"],
        "id_number": citizen.person.id_number, "chip_verification_id": chip_id})
    with app.app_context():
        ev = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "desk.upgrade")).all()
        assert ev[-1].details["chip_verification_id"] == int(chip_id)


def test_usb_desk_reader_missing_is_a_clear_message(client, app):
    app.config["DESK_READER"] = "usb"
    officer = register(client, 10)
    make_officer(app, officer)
    token = web_signin(client, officer)
    r = client.post("/desk/read-card", data={"csrf_token": token, "id_number": officer.person.id_number})
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "reader" in page.lower()


def _urls(responses):  # type: ignore[no-untyped-def]
    """Every URL the browser would request or be sent to for these responses (each request,
    every redirect hop, every link and form target on the pages it is shown)."""
    urls = []
    for r in responses:
        urls += [h.request.url for h in (*r.history, r)]
        urls += [h.headers.get("Location", "") for h in (*r.history, r)]
        urls += re.findall(r'(?:href|action|src)="([^"]*)"', r.get_data(as_text=True))
    return urls


def test_the_desk_never_puts_the_id_number_in_a_url(client, app):
    officer, citizen = register(client, 11), register(client, 12)
    make_officer(app, officer)
    token = web_signin(client, officer)
    idn = citizen.person.id_number
    first = client.get("/desk/")
    assert re.search(r'<form method="post" action="/desk/"', first.get_data(as_text=True))
    found = client.post("/desk/", data={"csrf_token": token, "id_number": idn})
    assert found.status_code == 200 and citizen.person.full_name in found.get_data(as_text=True)
    read = client.post("/desk/read-card", data={"csrf_token": token, "id_number": idn})
    assert 'data-testid="chip-photo"' in read.get_data(as_text=True)
    chip_id = re.search(r'name="chip_verification_id" value="(\d+)"', read.get_data(as_text=True))
    with app.app_context():
        account_id = db.session.scalar(select(Account.id).where(Account.id_number == idn))
    upgraded = client.post(f"/desk/upgrade/{account_id}", follow_redirects=True, data={
        "csrf_token": token, "checks": ["card_inspected", "portrait_matches", "details_confirmed"],
        "id_number": idn, "chip_verification_id": chip_id.group(1)})
    assert upgraded.history[0].headers["Location"] == "/desk/"
    page = upgraded.get_data(as_text=True)
    assert 'data-testid="desk-level">2<' in page and citizen.person.full_name in page
    urls = _urls([first, found, read, upgraded])
    assert "/desk/read-card" in urls and len(urls) > 10
    assert [u for u in urls if idn in u or idn[-6:] in u] == []
    assert client.get("/desk/").get_data(as_text=True).count(citizen.person.full_name) == 0


def test_a_failed_step_shows_the_person_again_without_the_number_in_the_url(client, app):
    app.config["DESK_READER"] = "usb"
    officer, citizen = register(client, 13), register(client, 14)
    make_officer(app, officer)
    token = web_signin(client, officer)
    r = client.post("/desk/read-card", follow_redirects=True,
                    data={"csrf_token": token, "id_number": citizen.person.id_number})
    assert [h.headers["Location"] for h in r.history] == ["/desk/"]
    page = r.get_data(as_text=True)
    assert "reader" in page.lower() and citizen.person.full_name in page


def test_an_id_number_in_the_query_string_is_not_looked_up(client, app):
    officer, citizen = register(client, 15), register(client, 16)
    make_officer(app, officer)
    web_signin(client, officer)
    r = client.get("/desk/", query_string={"id_number": citizen.person.id_number})
    assert r.status_code == 200 and citizen.person.full_name not in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "desk.lookup")).all() == []


def test_the_desk_search_without_csrf_is_refused(client, app):
    officer, citizen = register(client, 17), register(client, 18)
    make_officer(app, officer)
    web_signin(client, officer)
    r = client.post("/desk/", data={"id_number": citizen.person.id_number})
    assert r.status_code == 400 and 'data-code="csrf_failed"' in r.get_data(as_text=True)
    assert citizen.person.full_name not in r.get_data(as_text=True)
