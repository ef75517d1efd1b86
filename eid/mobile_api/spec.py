"""Endpoint metadata that both validates requests and generates the OpenAPI document.

``@endpoint(Request, Response, ...)`` parses the JSON body with the marshmallow
schema (shape and types; meaning is the core's job) and records what the
OpenAPI generator needs, so the document cannot drift from the code.

The body is parsed by ``eid.web.input_guard.json_body`` (nesting bounded before the
parser runs); the schema's :class:`~eid.mobile_api.schemas.Text` fields refuse NUL,
control characters and unpaired surrogates, naming the field.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from typing import Any

from marshmallow import Schema, ValidationError

from eid.accounts.errors import InvalidInput
from eid.web.input_guard import field_label, json_body, validates_own_text


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
        return validates_own_text(wrapped) if request_schema is not None else wrapped

    return deco


def parse_body(schema: type[Schema]) -> dict[str, Any]:
    """The request's JSON object loaded by ``schema``.

    Raises:
        InvalidInput: not a JSON object (``body: json_required``), nested too deeply
            (``body: body_too_deep``), or fields the schema refuses (``<field>_invalid``,
            ``<field>_required``, ``unknown_field``), each named in the message.
    """
    data = json_body()
    if not isinstance(data, dict):
        raise InvalidInput("Send a JSON object as the request body.", fields={"body": "json_required"})
    try:
        return dict(_instance(schema).load(data))
    except ValidationError as exc:
        messages = {field_label(name): msgs for name, msgs in exc.normalized_messages().items()}
        fields = {name: _code(name, msgs) for name, msgs in list(messages.items())[:MAX_FIELDS]}
        raise InvalidInput(_message(messages), fields=fields) from exc


#: At most this many fields are named in an error (a body may hold thousands of unknown keys).
MAX_FIELDS = 20


@cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance per schema: loading does not change it, and building one per
    request costs more than the validation itself."""
    return schema()


def _message(messages: dict[str, Any]) -> str:
    """``Some fields need attention: password (contains a NUL character, ...).`` The
    texts are marshmallow's and the validators', never the input's."""
    parts = [f"{name} ({_lower_first(_first(msgs).rstrip('.'))})"
             for name, msgs in list(messages.items())[:MAX_FIELDS]]
    return "Some fields need attention: " + "; ".join(parts)[:500] + "."


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _first(msgs: Any) -> str:
    while isinstance(msgs, dict | list) and msgs:
        msgs = msgs[0] if isinstance(msgs, list) else next(iter(msgs.values()))
    return str(msgs) if msgs else "invalid"


def _code(name: str, msgs: Any) -> str:
    text = " ".join(msgs) if isinstance(msgs, list) else str(msgs)
    if "required" in text.lower():
        return f"{name}_required"
    if "unknown" in text.lower():
        return "unknown_field"
    return f"{name}_invalid"
