"""The anti-automation layer (eid.web.ratelimit): one table of per-IP limits over every
endpoint a stranger can reach, applied by one hook, answered with 429 + Retry-After
(JSON for the API, a readable page for the portal)."""
from __future__ import annotations

import re
from typing import Any

import pytest

from eid.app.config import ConfigError
from eid.web import ratelimit
from eid.web.ratelimit import DEFAULT_LIMITS, ENDPOINT_LIMITS, NOT_LIMITED, NOT_LIMITED_PREFIXES
from tests.conftest import make_env
from tests.flows import API, qr_socket_client

TIGHT = {name: "3/minute" for name in DEFAULT_LIMITS if name.startswith("ip_")}


def url_of(app: Any, endpoint: str) -> tuple[str, str]:
    """A method and a URL for ``endpoint`` (placeholder values for its path variables)."""
    method, _, name = endpoint.rpartition(" ")
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == name)
    methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
    method = method or ("POST" if "POST" in methods else methods[0])
    path = re.sub(r"<int:[^>]+>", "1", rule.rule)
    return method, re.sub(r"<[^>]+>", "x", path)


def flood(client: Any, method: str, url: str, n: int, **kw: Any) -> list[Any]:
    return [client.open(url, method=method, **kw) for _ in range(n)]


def test_every_endpoint_is_limited_or_says_why_not(app):
    unlisted = [r.endpoint for r in app.url_map.iter_rules()
                if not (ratelimit.limits_for("GET", r.endpoint) or ratelimit.limits_for("POST", r.endpoint))
                and r.endpoint not in NOT_LIMITED
                and not r.endpoint.startswith(tuple(NOT_LIMITED_PREFIXES))]
    assert unlisted == []
    names = {n for limits in ENDPOINT_LIMITS.values() for n in limits}
    assert names <= set(DEFAULT_LIMITS)
    known = {r.endpoint for r in app.url_map.iter_rules()}
    assert {key.rpartition(" ")[2] for key in ENDPOINT_LIMITS} <= known  # no stale entries


def test_the_endpoints_left_unlimited_refuse_an_anonymous_caller(app, client):
    page = client.get("/login", query_string={"tab": "password"}).get_data(as_text=True)
    csrf = {"X-CSRF-Token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)}
    for endpoint, why in NOT_LIMITED.items():
        if why != ratelimit.SIGNED_IN:
            continue
        doc = getattr(app.view_functions[endpoint], "eid_doc", None)
        if doc is not None:  # the phone API reads the body first: its documentation says
            assert doc.auth, endpoint
            continue
        method, url = url_of(app, endpoint)
        r = client.open(url, method=method, json={}, headers=csrf)
        assert r.status_code in (302, 401, 403), (endpoint, r.status_code)
        if r.status_code == 302:
            assert "/login" in r.headers["Location"], endpoint


@pytest.mark.parametrize("endpoint", sorted(ENDPOINT_LIMITS))
def test_each_limited_endpoint_answers_429_past_its_limit(app, client, endpoint):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], **TIGHT}
    method, url = url_of(app, endpoint)
    answers = flood(client, method, url, 4, json={})
    assert [r.status_code == 429 for r in answers] == [False, False, False, True], endpoint
    limited = answers[-1]
    assert 1 <= int(limited.headers["Retry-After"]) <= 61
    if url.startswith("/api/") or endpoint.startswith("qr."):
        assert limited.get_json() == {"error": "rate_limited", "message": limited.get_json()["message"],
                                      "retry_after": int(limited.headers["Retry-After"])}


@pytest.mark.parametrize("path,limit,allowed", [
    (f"{API}/captcha", "ip_captcha", 30),
    (f"{API}/register/start", "ip_register", 10),
    (f"{API}/signup/start", "ip_register", 10),
    (f"{API}/signin/start", "ip_signin", 20),
    (f"{API}/signin/verify", "ip_otp", 30),
    ("/login/qr/start", "ip_qr", 30),
])
def test_a_flood_meets_429s_within_the_default_limit(client, path, limit, allowed):
    """The review's floods: 200 captchas, 200 registrations, 200 QR logins from one page."""
    assert DEFAULT_LIMITS[limit].startswith(f"{allowed}/minute")
    if path.startswith("/login/qr"):
        client.get("/login")  # the QR page: pre-login cookie and nonce (nothing against ip_qr)
    answers = flood(client, "POST", path, 200, json={})
    codes = [r.status_code for r in answers]
    assert 429 not in codes[:allowed] and set(codes[allowed:]) == {429}


def test_a_socket_qr_start_flood_meets_the_same_budget(app, client):
    client.get("/login")
    sio = qr_socket_client(app, client)
    assert sio.is_connected("/qr-login")
    answers = [sio.emit("start", {}, namespace="/qr-login", callback=True) for _ in range(35)]
    errors = [a.get("error") for a in answers]
    assert "rate_limited" not in errors[:30] and set(errors[30:]) == {"rate_limited"}
    assert client.post("/login/qr/start", json={}).status_code == 429  # one budget for both
    sio.disconnect(namespace="/qr-login")


def test_counts_are_per_limit_not_per_endpoint(app, client):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "ip_signin": "2/minute"}
    assert client.post(f"{API}/signin/start", json={}).status_code != 429
    assert client.post("/login", data={}).status_code != 429
    assert client.post(f"{API}/signin/start", json={}).status_code == 429
    assert client.post("/login", data={}).status_code == 429


def test_another_address_has_its_own_budget(app, client):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "ip_captcha": "2/minute"}
    here = {"REMOTE_ADDR": "198.51.100.20"}
    assert [r.status_code for r in flood(client, "POST", f"{API}/captcha", 3, environ_base=here)] == \
        [200, 200, 429]
    there = {"REMOTE_ADDR": "198.51.100.21"}
    assert client.post(f"{API}/captcha", environ_base=there).status_code == 200


def test_an_ipv6_subscriber_is_counted_by_its_slash_64(app, client):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "ip_captcha": "2/minute"}
    for host in ("1", "2"):
        r = client.post(f"{API}/captcha", environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{host}"})
        assert r.status_code == 200
    r = client.post(f"{API}/captcha", environ_base={"REMOTE_ADDR": "2001:db8:1:2:ffff::9"})
    assert r.status_code == 429
    r = client.post(f"{API}/captcha", environ_base={"REMOTE_ADDR": "2001:db8:1:3::1"})
    assert r.status_code == 200


@pytest.mark.parametrize("lang,title,text", [
    (None, "Quá nhiều yêu cầu", "Vui lòng thử lại sau"),
    ("en", "Too many requests", "Try again in"),
])
def test_a_page_past_its_limit_is_a_readable_page(app, client, lang, title, text):
    app.config["RATE_LIMITS"] = {**app.config["RATE_LIMITS"], "ip_pages": "1/minute"}
    query = {"lang": lang} if lang else {}
    client.get("/", query_string=query)
    r = client.get("/", query_string=query)
    assert r.status_code == 429 and r.mimetype == "text/html"
    assert int(r.headers["Retry-After"]) >= 1
    page = r.get_data(as_text=True)
    assert title in page and text in page and 'data-code="rate_limited"' in page


def test_limits_come_from_the_environment(db_path, tmp_path, clock):
    from eid.app import create_app

    app = create_app(make_env(f"sqlite:///{db_path}", tmp_path, EID_RATE_LIMIT_IP_CAPTCHA="2/minute"),
                     clock=clock)
    assert app.config["RATE_LIMITS"]["ip_captcha"] == "2/minute"
    assert app.config["RATE_LIMITS"]["ip_signin"] == DEFAULT_LIMITS["ip_signin"]
    client = app.test_client()
    with app.app_context():
        ratelimit.limiter.reset()
    codes = [client.post(f"{API}/captcha").status_code for _ in range(3)]
    assert codes == [200, 200, 429]


@pytest.mark.parametrize("var,value", [
    ("EID_RATE_LIMIT_IP_NOPE", "2/minute"),
    ("EID_RATE_LIMIT_IP_CAPTCHA", "lots"),
])
def test_a_limit_setting_that_means_nothing_is_refused(tmp_path, var, value):
    from eid.app.config import load_config

    with pytest.raises(ConfigError) as info:
        load_config({"EID_ENV": "test", var: value}, instance_path=str(tmp_path))
    assert var in str(info.value)


def test_limits_can_be_turned_off(db_path, tmp_path, clock):
    from eid.app import create_app

    app = create_app(make_env(f"sqlite:///{db_path}", tmp_path, EID_RATE_LIMITS="0",
                              EID_RATE_LIMIT_IP_CAPTCHA="1/minute"), clock=clock)
    client = app.test_client()
    assert {client.post(f"{API}/captcha").status_code for _ in range(3)} == {200}


# -- the sign-in page when the escalation refuses ------------------------------

def _login_form(client: Any, d: Any, password: str) -> Any:
    page = client.get("/login?tab=password").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    cid = re.search(r'name="captcha_id" value="([^"]+)"', page).group(1)
    answer = client.get(f"/dev/captcha/{cid}").get_json()["answer"]
    return client.post("/login", data={"csrf_token": token, "id_number": d.person.id_number,
                                       "password": password, "captcha_id": cid, "captcha": answer})


def test_a_strangers_guesses_on_the_page_do_not_lock_the_owners_browser(app):
    """The review's denial of service: five captcha'd guesses locked the owner out for
    15 minutes, also with the right password."""
    from tests.flows import STRONG, last_otp, register

    owner, stranger = app.test_client(), app.test_client()
    d = register(owner, 5)
    assert _login_form(owner, d, STRONG).status_code == 302
    page = owner.get("/login/otp").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert owner.post("/login/otp", data={"csrf_token": token,
                                          "code": last_otp(owner, d.phone)}).status_code == 302
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      owner.get("/account").get_data(as_text=True)).group(1)
    owner.post("/logout", data={"csrf_token": token})  # signed out; the browser stays known

    for _ in range(5):
        assert _login_form(stranger, d, "Wrong#Pass1").status_code == 400
    refused = _login_form(stranger, d, STRONG)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 423 and 'data-testid="lock-help"' in page
    assert "/forgot" in page and "tab=qr" in page
    assert _login_form(owner, d, STRONG).status_code == 302  # on to the OTP


def test_the_page_past_the_hard_limit_names_the_other_ways_in(app):
    from tests.flows import STRONG, register

    app.config.update(LOGIN_HARD_LIMIT=2, LOGIN_BACKOFF_SECONDS=1, LOGIN_MAX_FAILURES=1)
    client = app.test_client()
    d = register(client, 6)
    clock = app.extensions["eid.parts"].clock
    for _ in range(2):
        _login_form(client, d, "Wrong#Pass1")
        clock.advance(seconds=2)
    page = _login_form(client, d, STRONG).get_data(as_text=True)
    assert "mã QR" in page and "đặt lại mật khẩu" in page  # Vietnamese by default
    assert 'data-testid="lock-help"' in page
