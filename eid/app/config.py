"""Configuration from the environment.

``EID_ENV`` is ``development`` (default), ``test`` or ``production``. Production
refuses to start without its secrets and database URL and names what is missing;
development and test get generated per-process secrets and an SQLite file under
``instance/``. Nothing here has a default secret that production could inherit.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from limits import parse_many

from eid.errors import EidError
from eid.web.proxies import parse_setting
from eid.web.ratelimit import DEFAULT_LIMITS

ENVIRONMENTS = ("development", "test", "production")
REQUIRED_IN_PRODUCTION = ("EID_SECRET_KEY", "DATABASE_URL", "SMS_GATEWAY_URL", "EID_PUBLIC_URL")


class ConfigError(EidError):
    """The environment does not describe a runnable app."""

    error = "config_error"
    status = 500


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _crl_policy(value: str) -> str:
    if value not in ("strict", "lenient"):
        raise ConfigError("EID_CRL_POLICY must be 'strict' or 'lenient'.")
    return value


def _rate_limit_overrides(env: Mapping[str, str]) -> dict[str, str]:
    """``EID_RATE_LIMIT_IP_SIGNIN=10/minute;100/hour`` -> ``{"ip_signin": ...}``."""
    out = {}
    for var, value in env.items():
        if not var.startswith("EID_RATE_LIMIT_") or not value:
            continue
        name = var[len("EID_RATE_LIMIT_"):].lower()
        if name not in DEFAULT_LIMITS:
            raise ConfigError(f"{var}: no limit is called {name!r} (see docs/rate-limits.md)")
        try:
            parse_many(value)
        except ValueError as exc:
            raise ConfigError(f"{var} must look like '20/minute;200/hour', got {value!r}") from exc
        out[name] = value
    return out


def _trusted_proxies(raw: str | None) -> Any:
    try:
        return parse_setting(raw)
    except ValueError as exc:
        raise ConfigError("EID_TRUSTED_PROXIES must be a number of proxy hops or a list of "
                          f"addresses / networks, got {raw!r}") from exc


def load_config(env: Mapping[str, str] | None = None, *, instance_path: str | None = None) -> dict[str, Any]:
    """Build the Flask config mapping.

    Raises:
        ConfigError: unknown ``EID_ENV``, or production without a required variable.
    """
    env = os.environ if env is None else env
    name = env.get("EID_ENV", "development")
    if name not in ENVIRONMENTS:
        raise ConfigError(f"EID_ENV must be one of {', '.join(ENVIRONMENTS)}, got {name!r}")
    production = name == "production"
    if production:
        missing = [k for k in REQUIRED_IN_PRODUCTION if not env.get(k)]
        if missing:
            raise ConfigError("production needs " + ", ".join(missing) + " set in the environment")
        if len(env["EID_SECRET_KEY"]) < 32:
            raise ConfigError("EID_SECRET_KEY must be at least 32 characters")
    inst = Path(instance_path or env.get("EID_INSTANCE_PATH") or Path.cwd() / "instance")
    default_db = f"sqlite:///{inst / 'eid.sqlite3'}"
    database_url = env.get("DATABASE_URL") or default_db
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    secret = env.get("EID_SECRET_KEY") or _dev_secret(inst)
    return {
        "EID_ENV": name,
        "DEV_MODE": not production,
        "TESTING": name == "test",
        "SECRET_KEY": secret,
        "DATABASE_URL": database_url,
        "REDIS_URL": env.get("REDIS_URL") or None,
        "REGISTRY_URL": env.get("REGISTRY_URL") or None,
        "CSCA_PATH": env.get("EID_CSCA_PATH") or None,
        "CRL_PATH": env.get("EID_CRL_PATH") or None,
        "CRL_POLICY": _crl_policy(env.get("EID_CRL_POLICY") or ("strict" if production else "lenient")),
        "SMS_GATEWAY_URL": env.get("SMS_GATEWAY_URL") or None,
        "SMS_GATEWAY_TOKEN": env.get("SMS_GATEWAY_TOKEN") or None,
        "EMAIL_GATEWAY_URL": env.get("EMAIL_GATEWAY_URL") or None,
        "EMAIL_GATEWAY_TOKEN": env.get("EMAIL_GATEWAY_TOKEN") or None,
        "PUBLIC_URL": env.get("EID_PUBLIC_URL", "http://127.0.0.1:5000"),
        "COOKIE_SECURE": production or env.get("EID_COOKIE_SECURE") == "1",
        "PASSWORD_PROFILE": env.get("EID_PASSWORD_PROFILE", "production" if name != "test" else "test"),
        "SESSION_IDLE_SECONDS": _int(env, "EID_SESSION_IDLE_SECONDS", 15 * 60),
        "SESSION_ABSOLUTE_SECONDS": _int(env, "EID_SESSION_ABSOLUTE_SECONDS", 8 * 3600),
        "OTP_TTL_SECONDS": _int(env, "EID_OTP_TTL_SECONDS", 300),
        "OTP_RESEND_SECONDS": _int(env, "EID_OTP_RESEND_SECONDS", 60),
        "OTP_MAX_ATTEMPTS": _int(env, "EID_OTP_MAX_ATTEMPTS", 5),
        "LOGIN_MAX_FAILURES": _int(env, "EID_LOGIN_MAX_FAILURES", 5),
        "LOGIN_LOCK_SECONDS": _int(env, "EID_LOGIN_LOCK_SECONDS", 15 * 60),
        "LOGIN_BACKOFF_SECONDS": _int(env, "EID_LOGIN_BACKOFF_SECONDS", 60),
        "LOGIN_HARD_LIMIT": _int(env, "EID_LOGIN_HARD_LIMIT", 100),
        "LOGIN_FAILURE_MEMORY_SECONDS": _int(env, "EID_LOGIN_FAILURE_MEMORY_SECONDS", 30 * 86400),
        "RATE_LIMIT_OVERRIDES": _rate_limit_overrides(env),
        "TRUSTED_PROXIES": _trusted_proxies(env.get("EID_TRUSTED_PROXIES")),
        "PURGE_INTERVAL_SECONDS": _int(env, "EID_PURGE_INTERVAL_SECONDS", 0 if name == "test" else 600),
        "PURGE_RETENTION_DAYS": _int(env, "EID_PURGE_RETENTION_DAYS", 30),
        "RATE_LIMIT_ENABLED": env.get("EID_RATE_LIMITS", "1") != "0",
        # W3C Server-Timing on responses that push a browser event (benchmarks, debugging);
        # off in production unless asked for, as timings tell an observer about the work done
        "SERVER_TIMING": env.get("EID_SERVER_TIMING", "0" if production else "1") == "1",
        "SOCKETIO_ASYNC_MODE": env.get("SOCKETIO_ASYNC_MODE") or None,
        "QR_LIFETIME_SECONDS": _int(env, "EID_QR_LIFETIME_SECONDS", 240),
        "QR_TTL_SECONDS": _int(env, "EID_QR_TTL_SECONDS", 25),
        "QR_MAX_ROTATIONS": _int(env, "EID_QR_MAX_ROTATIONS", 8),
        # the OpenID provider (docs/oidc.md): issuer (default: the public URL) and lifetimes
        "OIDC_ISSUER": env.get("EID_OIDC_ISSUER") or None,
        "OIDC_CODE_SECONDS": _int(env, "EID_OIDC_CODE_SECONDS", 60),
        "OIDC_PAR_SECONDS": _int(env, "EID_OIDC_PAR_SECONDS", 90),
        "OIDC_ACCESS_SECONDS": _int(env, "EID_OIDC_ACCESS_SECONDS", 300),
        "OIDC_ID_TOKEN_SECONDS": _int(env, "EID_OIDC_ID_TOKEN_SECONDS", 3600),
        "OIDC_REFRESH_SECONDS": _int(env, "EID_OIDC_REFRESH_SECONDS", 8 * 3600),
        "OIDC_TOKEN_RATE_LIMIT": env.get("EID_OIDC_TOKEN_RATE_LIMIT", "600/minute"),
        "SERVICE_NAME": env.get("EID_SERVICE_NAME", "Cổng Định danh điện tử"),
        "RATELIMIT_KEY_PREFIX": env.get("EID_REDIS_PREFIX", "eid"),
        "BABEL_DEFAULT_LOCALE": "vi",
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "JSON_SORT_KEYS": False,
    }


def _dev_secret(inst: Path) -> str:
    """A random key kept in instance/ so development sessions survive restarts."""
    inst.mkdir(parents=True, exist_ok=True)
    path = inst / "dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
