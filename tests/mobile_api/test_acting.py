"""Mobile sign-in (my.gov.ir), dependents, companies and acting for them."""
from __future__ import annotations

from tests.conftest import START
from tests.flows import API, Phone, captcha, demo, last_otp, register


def _age(p):  # type: ignore[no-untyped-def]
    from eid.accounts.forms import age_on

    return age_on(p.birth_date, START.date())


def mobile_signin(client, d, *, national_code=None, birth=None):  # type: ignore[no-untyped-def]
    r = client.post(f"{API}/signin/mobile/start", json={"phone": d.phone, **captcha(client)})
    assert r.status_code == 202, r.get_json()
    cid = r.get_json()["challenge_id"]
    r = client.post(f"{API}/signin/mobile/verify", json={"challenge_id": cid,
                                                         "code": last_otp(client, d.phone)})
    assert r.status_code == 200, r.get_json()
    r = client.post(f"{API}/signin/mobile/identity", json={
        "challenge_id": cid, "national_code": national_code or d.person.id_number,
        "birth_date": birth or d.person.birth_date.isoformat()})
    return cid, r


def test_mobile_signin_shows_the_postal_code_and_signs_in(client):
    d = demo(40)
    cid, r = mobile_signin(client, d)
    assert r.status_code == 200 and r.get_json()["postal_code"] == d.person.postal_code
    r = client.post(f"{API}/signin/mobile/finish", json={"challenge_id": cid, "confirm": True})
    assert r.status_code == 200 and r.get_json()["level"] == 1
    me = client.get(f"{API}/me", headers={"Authorization": f"Bearer {r.get_json()['access_token']}"})
    assert me.get_json()["id_number"] == d.person.id_number


def test_wrong_postal_code_files_an_update_request(client):
    d = demo(41)
    cid, _ = mobile_signin(client, d)
    r = client.post(f"{API}/signin/mobile/finish",
                    json={"challenge_id": cid, "confirm": False, "postal_code": "12345"})
    assert r.status_code == 200
    token = r.get_json()["access_token"]
    reqs = client.get(f"{API}/address-requests", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert reqs["requests"][0]["requested_postal_code"] == "12345"
    assert reqs["requests"][0]["status"] == "submitted"


def test_national_code_of_someone_other_than_the_line_owner_is_refused(client):
    d, other = demo(42), demo(43)
    _, r = mobile_signin(client, d, national_code=other.person.id_number,
                         birth=other.person.birth_date.isoformat())
    assert r.status_code == 422 and r.get_json()["error"] == "identity_mismatch"
    _, r = mobile_signin(client, d, birth="1901-01-01")
    assert r.status_code == 422


def test_guardian_adds_a_child_and_acts_for_them(client, app):
    parent = next(demo(n) for n in range(1, 51) if any(_age(c) < 14 for c in demo(n).children))
    child = next(c for c in parent.children if _age(c) < 14)
    register(client, parent.index)
    phone = Phone(client, app).login(parent)
    r = phone.call("POST", "dependents", {"id_number": child.id_number,
                                          "birth_date": child.birth_date.isoformat()})
    assert r.status_code == 201, r.get_json()
    dep_id = r.get_json()["id"]
    assert [x["id"] for x in phone.call("GET", "dependents").get_json()["dependents"]] == [dep_id]
    r = phone.call("POST", "act-as", {"dependent_id": dep_id})
    assert r.status_code == 200
    assert r.get_json()["act"]["type"] == "dependent"
    phone.tokens = r.get_json()
    me = phone.call("GET", "me").get_json()
    assert me["act"]["id"] == str(dep_id) and me["id_number"] == parent.person.id_number


def test_someone_not_the_guardian_cannot_add_the_child(client, app):
    parent = next(demo(n) for n in range(1, 51) if any(_age(c) < 14 for c in demo(n).children))
    child = next(c for c in parent.children if _age(c) < 14)
    stranger = next(demo(n) for n in range(1, 51) if demo(n).person.id_number not in
                    (child.father_id, child.mother_id, child.guardian_id))
    register(client, stranger.index)
    phone = Phone(client, app).login(stranger)
    r = phone.call("POST", "dependents", {"id_number": child.id_number,
                                          "birth_date": child.birth_date.isoformat()})
    assert r.status_code == 403 and r.get_json()["error"] == "not_guardian"


def test_ceo_acts_for_the_company_and_the_audit_log_records_both(client, app):
    from sqlalchemy import select

    from eid.models import AuditEvent
    from eid.web.db import db

    ceo = next(demo(n) for n in range(1, 51) if demo(n).companies)
    company = ceo.companies[0]
    register(client, ceo.index)
    phone = Phone(client, app).login(ceo)
    listed = phone.call("GET", "companies").get_json()["companies"]
    assert company.company_id in [c["company_id"] for c in listed]
    r = phone.call("POST", "act-as", {"company_id": company.company_id})
    assert r.status_code == 200 and r.get_json()["act"]["id"] == company.company_id
    with app.app_context():
        ev = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "act_as.company")).all()
        assert ev and ev[-1].acting_for == f"company:{company.company_id}"
        assert ev[-1].actor_account_id == r.get_json()["account"]["id"]


def test_non_ceo_is_refused_for_a_company(client, app):
    ceo = next(demo(n) for n in range(1, 51) if demo(n).companies)
    other = next(demo(n) for n in range(1, 51) if not demo(n).companies)
    register(client, other.index)
    phone = Phone(client, app).login(other)
    r = phone.call("POST", "act-as", {"company_id": ceo.companies[0].company_id})
    assert r.status_code == 403 and r.get_json()["error"] == "not_legal_representative"


def test_the_code_can_come_by_e_mail_instead(client):
    from tests.flows import sms_to

    d = next(demo(n) for n in range(1, 51) if demo(n).person.email)
    r = client.post(f"{API}/signin/mobile/start", json={"phone": d.phone, **captcha(client)})
    cid = r.get_json()["challenge_id"]
    r = client.post(f"{API}/signin/mobile/email", json={"challenge_id": cid})
    assert r.status_code == 200 and r.get_json()["sent_to"].endswith(d.person.email.split("@")[1])
    mails = sms_to(client, d.person.email)
    assert mails and mails[0]["kind"] == "email_otp"
    import re

    code = re.search(r"\b(\d{6})\b", mails[0]["text"]).group(1)
    r = client.post(f"{API}/signin/mobile/verify", json={"challenge_id": cid, "code": code})
    assert r.status_code == 200


def test_no_e_mail_on_record_is_a_clear_error(client):
    d = next(demo(n) for n in range(1, 51) if not demo(n).person.email)
    r = client.post(f"{API}/signin/mobile/start", json={"phone": d.phone, **captcha(client)})
    r = client.post(f"{API}/signin/mobile/email", json={"challenge_id": r.get_json()["challenge_id"]})
    assert r.status_code == 409 and r.get_json()["error"] == "no_email"
