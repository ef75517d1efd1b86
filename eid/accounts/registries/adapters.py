"""Which registries a deployment reads: the HTTP registries when ``REGISTRY_URL`` is
set, the embedded ones on our own tables otherwise."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from eid.accounts.registries.embedded import embedded_registries
from eid.accounts.registries.http import http_registries
from eid.accounts.registries.interfaces import Registries


def registries_from_config(config: Mapping[str, Any], session_factory: Callable[[], Session]) -> Registries:
    url = config.get("REGISTRY_URL")
    if url:

        return http_registries(str(url), token=config.get("REGISTRY_TOKEN"))

    return embedded_registries(session_factory)
