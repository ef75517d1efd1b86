"""Bad input stopped at the door, in one place, before any view or limit reads it.

Every request's text is checked before it reaches a view: the query string, form
fields, path parameters, cookies and header values, and the JSON body of every
endpoint that does not validate its own text (the pages, the desktop's QR-login
calls, the desk). A text with a NUL, another control character or an unpaired
surrogate is refused with ``400 invalid_input`` naming the field (pages get the
error page): such characters are never typed by a person, and further in they end
as a 500 (PostgreSQL refuses NUL in text; an unpaired surrogate cannot be encoded
as UTF-8 for SQLite, argon2 or a hash).

JSON bodies are parsed here with a nesting limit (:data:`MAX_JSON_DEPTH`) checked
before the parser runs, so a body nested 100,000 deep answers 400 at once instead
of exhausting the recursion limit (:func:`json_body`).

The phone API's endpoints validate their JSON with marshmallow schemas whose text
fields apply the same rule (``eid.mobile_api.schemas.Text``) and name the field the
way the schema does; :func:`validates_own_text` marks them, so their body is not
scanned twice. Socket.IO events, which no ``before_request`` sees, are checked by
their namespace with :func:`check_json`. The limits are listed in ``docs/input.md``.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from flask import Flask, current_app, request
from flask_babel import gettext as _

from eid.accounts.errors import InvalidInput

#: How deep JSON objects and arrays may nest (no request of this API needs more than 4).
MAX_JSON_DEPTH = 32

# Text fields: C0 controls but tab, line feed and carriage return; DEL; C1 controls;
# unpaired surrogates (a paired one cannot exist in a Python str).
TEXT_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Header values (RFC 9110 §5.5): no control character but tab. Bytes 0x80-0xFF are
# obs-text, which WSGI hands over as Latin-1, so C1 code points are allowed here.
HEADER_FORBIDDEN = re.compile("[\x00-\x08\x0a-\x1f\x7f]")

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")
_OWN_TEXT_ATTR = "eid_validates_own_text"
_NO_BODY = object()

F = TypeVar("F", bound=Callable[..., Any])


def forbidden_character(text: str, pattern: re.Pattern[str] = TEXT_FORBIDDEN) -> str | None:
    """What is wrong with ``text`` (``"a NUL character"``...), or None if nothing."""
    m = pattern.search(text)
    if m is None:
        return None
    ch = ord(m.group())
    if ch == 0:
        return "a NUL character"
    if 0xD800 <= ch <= 0xDFFF:
        return "an unpaired surrogate"
    return "a control character"


def field_label(name: str) -> str:
    """A field's name as it can be shown back: escaped, at most 64 characters."""
    return TEXT_FORBIDDEN.sub(lambda m: f"\\u{ord(m.group()):04x}", name)[:64]


def rejected(name: str, reason: str) -> InvalidInput:
    label = field_label(name)
    return InvalidInput(_("The field %(field)s contains %(reason)s, which is not allowed.",
                          field=label, reason=reason), fields={label: f"{label}_invalid"})


def too_deep() -> InvalidInput:
    return InvalidInput(_("The JSON body is nested too deeply (at most %(n)d levels).",
                          n=MAX_JSON_DEPTH), fields={"body": "body_too_deep"})


class JsonTooDeep(ValueError):
    """The body nests deeper than :data:`MAX_JSON_DEPTH`."""


def json_depth_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``text`` nests arrays/objects more than ``limit`` deep, without parsing it.

    Strings are dropped first (a bracket inside one does not count); the scan stops
    at the first level past the limit, so a deep body costs ``limit`` steps.
    """
    depth = 0
    for m in _JSON_BRACKET.finditer(_JSON_STRING.sub('""', text)):
        if m.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def loads(raw: bytes | str, limit: int = MAX_JSON_DEPTH) -> Any:
    """:func:`json.loads` that refuses to nest past ``limit``.

    Raises:
        JsonTooDeep: nested too deeply (checked before parsing).
        ValueError: not JSON (also for an integer of more than 4300 digits).
    """
    text = raw.decode(json.detect_encoding(raw), "surrogatepass") if isinstance(raw, bytes) else raw
    if json_depth_exceeds(text, limit):
        raise JsonTooDeep(f"nested deeper than {limit} levels")
    return json.loads(text)


def json_body() -> Any:
    """This request's JSON body parsed once with the depth limit, or None when the
    request is not JSON or its body is not valid JSON.

    Raises:
        InvalidInput: the body nests deeper than :data:`MAX_JSON_DEPTH` (``body_too_deep``).
    """
    environ = request.environ  # per request (``g`` is shared when an app context was pushed)
    cached = environ.get("eid.json_body", _NO_BODY)
    if cached is not _NO_BODY:
        return cached
    data = None
    if request.is_json:
        try:
            data = loads(request.get_data(cache=True))
        except JsonTooDeep as exc:
            raise too_deep() from exc
        except (ValueError, UnicodeDecodeError):
            data = None
    environ["eid.json_body"] = data
    return data


def validates_own_text(view: F) -> F:
    """Mark a view whose JSON body a schema validates (with the same character rule)."""
    setattr(view, _OWN_TEXT_ATTR, True)
    return view


def json_strings(value: Any, path: str = "body") -> Iterator[tuple[str, str]]:
    """Every string in a parsed JSON value, keys included, with its path (``jwk.x``,
    ``items[2]``); without recursion, so any depth is walked.

    Raises:
        InvalidInput: the value nests deeper than :data:`MAX_JSON_DEPTH` (``body_too_deep``).
    """
    stack: list[tuple[str, Any, int]] = [(path, value, 0)]
    while stack:
        here, v, depth = stack.pop()
        if isinstance(v, str):
            yield here, v
        elif isinstance(v, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise too_deep()
            items = v.items() if isinstance(v, dict) else ((f"[{i}]", x) for i, x in enumerate(v))
            for k, x in items:
                is_key = isinstance(v, dict)
                sub = (k if here == "body" else f"{here}.{k}") if is_key else f"{here}{k}"
                if is_key:
                    yield sub, k
                stack.append((sub, x, depth + 1))


def check_json(value: Any) -> None:
    """The text rule over a parsed JSON value (a Socket.IO event's data, a body).

    Raises:
        InvalidInput: a string or key with a forbidden character, or nested too deeply.
    """
    check_texts(json_strings(value))


def check_texts(pairs: Iterable[tuple[str, str]], pattern: re.Pattern[str] = TEXT_FORBIDDEN) -> None:
    """Raises InvalidInput for the first text with a forbidden character."""
    for name, text in pairs:
        reason = forbidden_character(text, pattern)
        if reason is not None:
            raise rejected(name, reason)


def _multi(items: Any) -> Iterator[tuple[str, str]]:
    for name, value in items(multi=True):
        yield name, name
        yield name, value


def check_request() -> None:
    """The ``before_request`` check (see the module's docstring).

    Raises:
        InvalidInput: a text with a forbidden character, or a body nested too deeply.
    """
    check_texts(request.headers.items(), HEADER_FORBIDDEN)
    check_texts(_multi(request.cookies.items))
    check_texts(_multi(request.args.items))
    check_texts((k, v) for k, v in (request.view_args or {}).items() if isinstance(v, str))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        check_texts(_multi(request.form.items))
        check_texts((k, f.filename or "") for k, f in request.files.items(multi=True))
    data = json_body()
    view = current_app.view_functions.get(request.endpoint or "")
    if data is not None and not getattr(view, _OWN_TEXT_ATTR, False):
        check_json(data)


def init_app(app: Flask) -> None:
    """Bounded ids in the routes (``<int:...>``, see :mod:`eid.web.converters`) and the
    check before every other ``before_request`` function (rate-limit keys, CSRF and
    the views all read input after it). Call before registering blueprints."""
    from eid.web.converters import register_converters

    register_converters(app)
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
