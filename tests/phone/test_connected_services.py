"""``eid-phone connected-services [revoke CLIENT_ID]`` against a live server: a portal
signed the person in through eid's OpenID provider (password + OTP over HTTP, consent
given); the phone lists it and withdraws its access."""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import make_env
from tests.flows import STRONG, demo
from tests.live import LiveServer
from tests.oidc.test_live_rp import CALLBACK, browser_signin
from tests.phone.test_eid_phone import phone

pytestmark = pytest.mark.xdist_group("live")
DEMO = 31


@pytest.fixture(scope="module")
def world(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    from eid.app import create_app

    tmp = tmp_path_factory.mktemp("phone-connected")
    db = tmp / "live.sqlite3"
    shutil.copyfile(template_db, db)
    admin = create_app(make_env(f"sqlite:///{db}", tmp, EID_SECRET_KEY="l" * 40))
    out = (
        admin.test_cli_runner()
        .invoke(args=["oidc", "client", "add", "--name", "Cổng DVC Tây Ninh", "--redirect-uri", CALLBACK])
        .output
    )
    server = LiveServer(f"sqlite:///{db}", tmp)
    yield server, json.loads(out)
    server.stop()


def test_the_phone_lists_a_connected_service_and_withdraws_its_access(world, tmp_path):
    server, rp = world
    p = tmp_path / "p"
    phone(server, p, "register", "--demo-citizen", str(DEMO), "--dev-otp", "--password", STRONG)
    phone(server, p, "login", "--dev-otp", "--password", STRONG)
    assert phone(server, p, "connected-services")["services"] == []
    params = {
        "response_type": "code",
        "client_id": rp["client_id"],
        "redirect_uri": CALLBACK,
        "scope": "openid profile",
        "state": secrets.token_hex(4),
        "nonce": "n",
    }
    with requests.Session() as browser:
        url = requests.Request("GET", f"{server.url}/oidc/authorize", params=params).prepare().url
        cb = browser_signin(server, browser, url, demo(DEMO))
    tokens = requests.post(
        f"{server.url}/oidc/token",
        auth=(rp["client_id"], rp["client_secret"]),
        timeout=10,
        data={"grant_type": "authorization_code", "code": cb["code"], "redirect_uri": CALLBACK},
    )
    assert tokens.status_code == 200, tokens.text

    [service] = phone(server, p, "connected-services")["services"]
    assert service["client_id"] == rp["client_id"] and service["name"] == "Cổng DVC Tây Ninh"
    assert "name" in service["claims"]
    revoked = phone(server, p, "connected-services", "revoke", rp["client_id"])
    assert revoked == {"ok": True, "grants_revoked": 1}
    assert phone(server, p, "connected-services")["services"] == []
    refresh = requests.post(
        f"{server.url}/oidc/token",
        auth=(rp["client_id"], rp["client_secret"]),
        timeout=10,
        data={"grant_type": "refresh_token", "refresh_token": tokens.json()["refresh_token"]},
    )
    assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"

    code, out, _err = phone(server, p, "connected-services", "revoke", rp["client_id"], ok=False)
    assert code == 1 and out["error"] == "not_found" and "connected service" in out["message"]
    code, _out, err = phone(server, p, "connected-services", "revoke", ok=False)
    assert code == 2 and "connected-services revoke CLIENT_ID" in err
