"""Plain helpers that drive the portal through the test client, as a person would."""
from __future__ import annotations

import re
from typing import Any

STRONG = "Sao-Mai#2026vn"
API = "/api/mobile/v1"


def captcha(client: Any) -> dict[str, str]:
    r = client.post(f"{API}/captcha")
    assert r.status_code == 200, r.get_json()
    cid = r.get_json()["captcha_id"]
    answer = client.get(f"/dev/captcha/{cid}").get_json()["answer"]
    return {"captcha_id": cid, "captcha": answer}


def sms_to(client: Any, phone: str) -> list[dict[str, Any]]:
    return list(client.get("/dev/sms", query_string={"to": phone}).get_json()["messages"])


def last_otp(client: Any, phone: str) -> str:
    msgs = sms_to(client, phone)
    assert msgs, f"no SMS to {phone}"
    m = re.search(r"\b(\d{6})\b", msgs[0]["text"])
    assert m, msgs[0]["text"]
    return m.group(1)


def demo(n: int) -> Any:
    from eid.accounts.registries.generator import demo_citizen

    return demo_citizen(n)


def signup_body(person: Any, phone: str, **over: str) -> dict[str, str]:
    body = {"id_number": person.id_number, "full_name": person.full_name,
            "birth_date": person.birth_date.strftime("%d/%m/%Y"), "phone": phone, "email": ""}
    body.update(over)
    return body


def register(client: Any, n: int = 1, password: str = STRONG) -> Any:
    """Sign demo citizen ``n`` up through the API; returns the demo record."""
    d = demo(n)
    r = client.post(f"{API}/signup/start", json={**signup_body(d.person, d.phone), **captcha(client)})
    assert r.status_code == 202, r.get_json()
    cid = r.get_json()["challenge_id"]
    r = client.post(f"{API}/signup/verify", json={"challenge_id": cid, "code": last_otp(client, d.phone)})
    assert r.status_code == 200, r.get_json()
    r = client.post(f"{API}/signup/complete",
                    json={"challenge_id": cid, "password": password, "confirm": password})
    assert r.status_code == 201, r.get_json()
    return d


def signin(client: Any, d: Any, password: str = STRONG) -> str:
    r = client.post(f"{API}/signin/start", json={"id_number": d.person.id_number,
                                                  "password": password, **captcha(client)})
    assert r.status_code == 200, r.get_json()
    cid = r.get_json()["challenge_id"]
    r = client.post(f"{API}/signin/verify", json={"challenge_id": cid, "code": last_otp(client, d.phone)})
    assert r.status_code == 200, r.get_json()
    return str(r.get_json()["access_token"])
