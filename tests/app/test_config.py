"""Configuration: production refuses to start without its secrets and names them."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from eid.app.config import ConfigError, load_config
from eid.nfc.sim.pki import generate_pki
from eid.web.chip_pki import trust_store_for


def test_production_names_every_missing_variable(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config({"EID_ENV": "production"}, instance_path=str(tmp_path))
    msg = str(info.value)
    for name in ("EID_SECRET_KEY", "DATABASE_URL", "SMS_GATEWAY_URL", "EID_PUBLIC_URL"):
        assert name in msg


def test_production_refuses_a_short_secret(tmp_path):
    env = {"EID_ENV": "production", "EID_SECRET_KEY": "short", "DATABASE_URL": "postgresql://x/y",
           "SMS_GATEWAY_URL": "https://sms.example", "EID_PUBLIC_URL": "https://eid.example"}
    with pytest.raises(ConfigError, match="at least 32"):
        load_config(env, instance_path=str(tmp_path))


def test_production_with_everything_has_no_dev_helpers(tmp_path):
    from eid.app import create_app

    env = {"EID_ENV": "production", "EID_SECRET_KEY": "s" * 40,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
           "SMS_GATEWAY_URL": "http://127.0.0.1:9/sms", "EID_PUBLIC_URL": "https://eid.example"}
    app = create_app(env)
    rules = {r.rule for r in app.url_map.iter_rules()}
    assert not any(r.startswith("/dev") for r in rules)
    assert app.config["COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert app.config["SERVER_TIMING"] is False  # timings are not told to the world


def test_unknown_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="EID_ENV"):
        load_config({"EID_ENV": "staging"}, instance_path=str(tmp_path))


def test_development_gets_a_generated_secret_kept_in_instance(tmp_path):
    a = load_config({}, instance_path=str(tmp_path))
    b = load_config({}, instance_path=str(tmp_path))
    assert a["SECRET_KEY"] == b["SECRET_KEY"] and len(a["SECRET_KEY"]) >= 40
    assert load_config({}, instance_path=str(tmp_path / "other"))["SECRET_KEY"] != a["SECRET_KEY"]


def test_postgresql_urls_use_psycopg3(tmp_path):
    cfg = load_config({"DATABASE_URL": "postgresql://u@h/db"}, instance_path=str(tmp_path))
    assert cfg["DATABASE_URL"] == "postgresql+psycopg://u@h/db"


def test_bad_number_in_environment_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="EID_OTP_TTL_SECONDS"):
        load_config({"EID_OTP_TTL_SECONDS": "five"}, instance_path=str(tmp_path))


def test_migrations_match_the_models_on_sqlite(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import eid.models  # noqa: F401  (registers every table)
    from eid.app.cli import upgrade
    from eid.models.base import Base, make_engine

    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


PRODUCTION = {"EID_ENV": "production", "EID_SECRET_KEY": "s" * 40, "DATABASE_URL": "postgresql://x/y",
              "SMS_GATEWAY_URL": "https://sms.example", "EID_PUBLIC_URL": "https://eid.example"}


def test_production_refuses_chips_whose_csca_has_no_current_crl_by_default(tmp_path):
    assert load_config(PRODUCTION, instance_path=str(tmp_path))["CRL_POLICY"] == "strict"
    assert load_config({"EID_ENV": "development"}, instance_path=str(tmp_path))["CRL_POLICY"] == "lenient"


def test_an_unknown_crl_policy_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="EID_CRL_POLICY"):
        load_config({**PRODUCTION, "EID_CRL_POLICY": "sometimes"}, instance_path=str(tmp_path))


def test_the_trust_store_follows_the_crl_policy(tmp_path):
    pem = tmp_path / "csca.pem"
    pki = generate_pki(now=datetime.now(UTC))
    pem.write_bytes(b"".join(c.public_bytes(Encoding.PEM) for c in pki.trust_store().cscas))
    store = trust_store_for({"CSCA_PATH": str(pem), "CRL_POLICY": "strict"}, str(tmp_path))
    assert store is not None and store.crl_policy == "strict"
