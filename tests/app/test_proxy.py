"""The client's address behind reverse proxies (EID_TRUSTED_PROXIES, eid.web.proxies):
X-Forwarded-For is believed only from the proxies the operator named, so behind nginx
the limits and the audit see each citizen, and without a proxy nobody can choose the
address they are counted under."""
from __future__ import annotations

from typing import Any

import pytest

from eid.app.config import ConfigError
from eid.web.proxies import client_ip, parse_setting
from tests.conftest import make_env
from tests.flows import API

NGINX = "10.0.0.5"


def app_with(db_path: Any, tmp_path: Any, clock: Any, **env: str) -> Any:
    from eid.app import create_app
    from eid.web.ratelimit import limiter

    app = create_app(make_env(f"sqlite:///{db_path}", tmp_path, **env), clock=clock)
    app.add_url_rule("/_test/ip", "test_ip", lambda: {"ip": client_ip()})
    with app.app_context():
        limiter.reset()
    return app


def seen(app: Any, peer: str, forwarded: str | None = None, proto: str | None = None) -> Any:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    if proto:
        headers["X-Forwarded-Proto"] = proto
    r = app.test_client().get("/_test/ip", headers=headers, environ_base={"REMOTE_ADDR": peer})
    return r.get_json()["ip"]


def test_without_the_setting_x_forwarded_for_is_ignored(db_path, tmp_path, clock):
    app = app_with(db_path, tmp_path, clock)
    assert seen(app, "192.0.2.10", "198.51.100.1") == "192.0.2.10"


def test_without_the_setting_a_forged_header_does_not_escape_the_limits(db_path, tmp_path, clock):
    app = app_with(db_path, tmp_path, clock, EID_RATE_LIMIT_IP_CAPTCHA="2/minute")
    client = app.test_client()
    codes = [client.post(f"{API}/captcha", headers={"X-Forwarded-For": f"198.51.100.{n}"},
                         environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code for n in range(3)]
    assert codes == [200, 200, 429]


def test_one_hop_takes_the_address_nginx_appended(db_path, tmp_path, clock):
    app = app_with(db_path, tmp_path, clock, EID_TRUSTED_PROXIES="1")
    assert seen(app, NGINX, "198.51.100.1") == "198.51.100.1"
    assert seen(app, NGINX, "6.6.6.6, 198.51.100.1") == "198.51.100.1"  # the client's own claim
    assert seen(app, NGINX) == NGINX  # a request that did not come through a proxy


def test_behind_a_proxy_each_client_has_its_own_budget(db_path, tmp_path, clock):
    """The review: behind nginx the 20-failure IP lock locked everyone; now every
    citizen is counted under their own address."""
    app = app_with(db_path, tmp_path, clock, EID_TRUSTED_PROXIES="1",
                   EID_RATE_LIMIT_IP_CAPTCHA="2/minute")
    client = app.test_client()

    def captcha(addr: str) -> int:
        return client.post(f"{API}/captcha", headers={"X-Forwarded-For": addr},
                           environ_base={"REMOTE_ADDR": NGINX}).status_code

    assert [captcha("198.51.100.1") for _ in range(3)] == [200, 200, 429]
    assert captcha("198.51.100.2") == 200


def test_the_scheme_comes_from_the_trusted_proxy(db_path, tmp_path, clock):
    app = app_with(db_path, tmp_path, clock, EID_TRUSTED_PROXIES="1")
    app.add_url_rule("/_test/scheme", "test_scheme", lambda: {"scheme": __import__("flask").request.scheme})
    r = app.test_client().get("/_test/scheme", headers={"X-Forwarded-For": "198.51.100.1",
                                                         "X-Forwarded-Proto": "https"},
                              environ_base={"REMOTE_ADDR": NGINX})
    assert r.get_json()["scheme"] == "https"


@pytest.mark.parametrize("peer,forwarded,client", [
    (NGINX, "198.51.100.1", "198.51.100.1"),
    (NGINX, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # the leftmost entry is the client's own
    (NGINX, "198.51.100.1, 10.1.2.3", "198.51.100.1"),  # a second trusted hop is skipped
    ("192.0.2.10", "198.51.100.1", "192.0.2.10"),  # not a listed proxy: the header is ignored
    (NGINX, "not-an-address", NGINX),
    (NGINX, "", NGINX),
    (NGINX, "::ffff:198.51.100.7", "198.51.100.7"),
])
def test_a_list_of_proxies_is_believed_only_from_those_addresses(db_path, tmp_path, clock, peer,
                                                                  forwarded, client):
    app = app_with(db_path, tmp_path, clock, EID_TRUSTED_PROXIES=f"{NGINX}, 10.1.0.0/16")
    assert seen(app, peer, forwarded or None) == client


def test_the_audit_records_the_client_behind_the_proxy(db_path, tmp_path, clock):
    from sqlalchemy import select

    from eid.models.audit import AuditEvent
    from eid.web.db import db
    from tests.flows import captcha

    app = app_with(db_path, tmp_path, clock, EID_TRUSTED_PROXIES="1")
    client = app.test_client()
    r = client.post(f"{API}/signin/start", json={"id_number": "079199000123", "password": "Wrong#Pass1",
                                                  **captcha(client)},
                    headers={"X-Forwarded-For": "198.51.100.77"}, environ_base={"REMOTE_ADDR": NGINX})
    assert r.status_code == 401
    with app.app_context():
        ips = set(db.session.scalars(select(AuditEvent.ip).where(AuditEvent.action == "signin.password")))
    assert ips == {"198.51.100.77"}


@pytest.mark.parametrize("raw,parsed", [("", 0), ("2", 2), (" 1 ", 1)])
def test_the_setting_is_a_number_of_hops(raw, parsed):
    assert parse_setting(raw) == parsed


@pytest.mark.parametrize("raw", ["nginx", "10.0.0.300", "1.2.3.4, bogus"])
def test_a_setting_that_is_neither_hops_nor_addresses_is_refused(tmp_path, raw):
    from eid.app.config import load_config

    with pytest.raises(ConfigError) as info:
        load_config({"EID_ENV": "test", "EID_TRUSTED_PROXIES": raw}, instance_path=str(tmp_path))
    assert "EID_TRUSTED_PROXIES" in str(info.value)
