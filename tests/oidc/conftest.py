"""Fixtures: an app whose issuer is the test client's origin, a registered relying party,
a seeded citizen signed in on the portal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BufferedClient, make_env
from tests.flows import register
from tests.oidc.support import ISSUER, add_client, web_signin


@pytest.fixture
def app(db_path: Path, tmp_path: Path, clock: Any) -> Iterator[Any]:
    from eid.app import create_app
    from eid.web.db import db
    from eid.web.ratelimit import limiter

    app = create_app(
        make_env(f"sqlite:///{db_path}", tmp_path, EID_OIDC_ISSUER=ISSUER),
        clock=clock,
        overrides={"DEFER_INLINE": True},
    )
    with app.app_context():
        limiter.reset()
    yield app
    db.session.remove()
    if db.engine is not None:
        db.engine.dispose()


@pytest.fixture
def client(app: Any) -> Any:
    app.test_client_class = BufferedClient
    return app.test_client()


@pytest.fixture
def rp(app: Any) -> dict[str, Any]:
    return add_client(
        app,
        "--post-logout-uri",
        "https://rp.example/bye",
        "--backchannel-logout-uri",
        "https://rp.example/backchannel",
    )


@pytest.fixture
def citizen(app: Any, client: Any) -> Any:
    from sqlalchemy import update

    from eid.models import Account
    from eid.web.db import db

    d = register(client, 3)
    with app.app_context():
        db.session.execute(
            update(Account).where(Account.id_number == d.person.id_number).values(email="citizen3@example.vn")
        )
        db.session.commit()
    return d


@pytest.fixture
def signed_in(client: Any, citizen: Any) -> Any:
    r = web_signin(client, citizen)
    assert r.status_code == 302
    return citizen
