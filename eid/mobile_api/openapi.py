"""``/api/openapi.json``: an OpenAPI 3 document generated from the routes' metadata."""
from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, current_app, jsonify

from eid.mobile_api import schemas as S
from eid.web.converters import MAX_ID
from eid.web.input_guard import MAX_JSON_DEPTH

bp = Blueprint("openapi", __name__)
_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def build_spec() -> dict[str, Any]:
    spec = APISpec(title="eid mobile API", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], info={"description": API_DESCRIPTION})
    spec.components.schema("Error", schema=S.Error)
    spec.components.security_scheme("bearer", {
        "type": "http", "scheme": "bearer",
        "description": "Bearer <access token> before the phone is activated; afterwards "
                       "'Authorization: DPoP <access token>' with a DPoP proof (RFC 9449) "
                       "signed by the device key in the 'DPoP' header of every request."})
    for rule in current_app.url_map.iter_rules():
        view = current_app.view_functions[rule.endpoint]
        doc = getattr(view, "eid_doc", None)
        if doc is None:
            continue
        path = _PARAM.sub(r"{\2}", rule.rule)
        params = [{"name": name, "in": "path", "required": True, "schema": _param_schema(conv)}
                  for conv, name in _PARAM.findall(rule.rule)]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            spec.path(path=path, operations={method.lower(): _operation(doc, params)})
    return spec.to_dict()


def _param_schema(converter: str) -> dict[str, Any]:
    """A path parameter: ``<int:...>`` matches only ``0..MAX_ID`` (any other number is 404)."""
    if converter == "int":
        return {"type": "integer", "minimum": 0, "maximum": MAX_ID}
    return {"type": "string", "pattern": S.TEXT_PATTERN}


API_DESCRIPTION = (
    "Every text in a request (body, path) is refused with 400 invalid_input, naming the field, "
    "when it holds a NUL, another control character (tab, line feed and carriage return "
    "are allowed) or an unpaired surrogate. JSON bodies nest at most "
    f"{MAX_JSON_DEPTH} levels. Integer ids are 0..{MAX_ID}: an id in a path outside that "
    "range is 404. A method a path does not have is 405 with an Allow header. Errors are "
    "{\"error\": code, \"message\": text} (see the Error schema).")


def _error_codes(doc: Any, params: list[dict[str, Any]]) -> list[str]:
    """The codes an operation answers with, plus those every such operation may give."""
    codes = list(doc.errors)
    if doc.request is not None or params:
        codes.append("invalid_input")
    if any(p["schema"]["type"] == "integer" for p in params):
        codes.append("not_found")
    if doc.auth:
        codes.append("not_authenticated")
    return list(dict.fromkeys(codes)) or ["invalid_input"]


def _operation(doc: Any, params: list[dict[str, Any]]) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": doc.summary, "tags": list(doc.tags), "parameters": params,
                          "responses": {str(doc.status): {"description": "OK"}}}
    if doc.response is not None:
        op["responses"][str(doc.status)]["content"] = {"application/json": {"schema": doc.response}}
    if doc.request is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": doc.request}}}
    err = {"content": {"application/json": {"schema": "Error"}},
           "description": "Error codes: " + ", ".join(_error_codes(doc, params))}
    op["responses"]["4XX"] = err
    if doc.auth:
        op["security"] = [{"bearer": []}]
    return op


@bp.get("/api/openapi.json")
def openapi_json() -> Any:
    return jsonify(build_spec())
