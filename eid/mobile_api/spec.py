"""Endpoint metadata that both validates requests and generates the OpenAPI document.

``@endpoint(Request, Response, ...)`` parses the JSON body with the marshmallow
schema (shape and types; meaning is the core's job) and records what the
OpenAPI generator needs, so the document cannot drift from the code.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any

from flask import request
from marshmallow import Schema, ValidationError

from eid.accounts.errors import InvalidInput


@dataclass
class EndpointDoc:
    summary: str
    request: type[Schema] | None
    response: type[Schema] | None
    status: int
    errors: tuple[str, ...]
    auth: bool
    tags: tuple[str, ...] = field(default_factory=tuple)


def endpoint(request_schema: type[Schema] | None = None, response_schema: type[Schema] | None = None,
             *, summary: str, status: int = 200, errors: tuple[str, ...] = (), auth: bool = False,
             tags: tuple[str, ...] = ()) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def deco(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kw: Any) -> Any:
            if request_schema is not None:
                kw["body"] = parse_body(request_schema)
            return view(*args, **kw)

        wrapped.eid_doc = EndpointDoc(summary, request_schema, response_schema, status,  # type: ignore[attr-defined]
                                      errors, auth, tags)
        return wrapped

    return deco


def parse_body(schema: type[Schema]) -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("Send a JSON object as the request body.", fields={"body": "json_required"})
    try:
        return dict(_instance(schema).load(data))
    except ValidationError as exc:
        fields = {name: _code(name, msgs) for name, msgs in exc.normalized_messages().items()}
        raise InvalidInput("Some fields need attention.", fields=fields) from exc


@cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance per schema: loading does not change it, and building one per
    request costs more than the validation itself."""
    return schema()


def _code(name: str, msgs: Any) -> str:
    text = " ".join(msgs) if isinstance(msgs, list) else str(msgs)
    if "required" in text.lower():
        return f"{name}_required"
    if "unknown" in text.lower():
        return "unknown_field"
    return f"{name}_invalid"
