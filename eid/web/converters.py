"""URL converters with bounded ids.

Werkzeug's ``<int:...>`` matches any run of digits: ``/sessions/99999999999999999999``
reached the database as an integer SQLite cannot store and PostgreSQL refuses to
compare with an ``integer`` column (a 500 on both). Every table's ids are ``INTEGER``
columns (32-bit signed on PostgreSQL), so :class:`BoundedIntConverter` (registered as
``int`` for the whole app) matches only ``0..2**31-1`` written in ASCII digits; any
other number is no row, so the route does not match and the answer is 404.
"""
from __future__ import annotations

import builtins
from typing import Any

from flask import Flask
from werkzeug.routing import BaseConverter, IntegerConverter, Map, ValidationError

#: The largest id a route or a request accepts: PostgreSQL's ``INTEGER`` (SQLite's is wider).
MAX_ID = 2**31 - 1
_MAX_DIGITS = len(str(MAX_ID))


class BoundedIntConverter(IntegerConverter):
    """``<int:name>`` limited to ``0..MAX_ID`` in ASCII digits (``\\d`` would also
    match other scripts' digits)."""

    regex = r"[0-9]+"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = 0,
                 max: int | None = None, signed: bool = False) -> None:
        bound = MAX_ID if max is None else builtins.min(max, MAX_ID)
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=bound, signed=signed)

    def to_python(self, value: str) -> Any:
        if len(value.lstrip("0")) > _MAX_DIGITS:
            raise ValidationError()
        return super().to_python(value)


CONVERTERS: dict[str, type[BaseConverter]] = {"int": BoundedIntConverter}


def register_converters(app: Flask) -> None:
    """Replace the app's ``int`` converter; call before any route is registered."""
    app.url_map.converters.update(CONVERTERS)
