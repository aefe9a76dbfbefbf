"""Every service's OpenAPI document, made usable by clients and fuzzers (issue 13 item 14).

FastAPI's document is finished here, once for all five services:
- schemas nested as `$defs` inside a route's `openapi_extra` are hoisted to
  `components/schemas`, so every `$ref` resolves;
- the error bodies the services really send (shared/app.py) are documented where they can
  happen: 401 and 403 on secured operations, 404 where a path names something, 413, 415 and 422
  where a body is taken, plus what a route declares itself (409, 400);
- a 2xx that says nothing about its body gets the schema its route declares in
  `openapi_extra["x-redress-body"]`, or a JSON object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Final

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from shared.auth import ROLE_RESTRICTED

COMPONENTS: Final = "#/components/schemas/"
ERROR_SCHEMA: Final = {
    "type": "object",
    "properties": {"error": {"type": "string"}},
    "required": ["error"],
}
FIELD_ERRORS_SCHEMA: Final = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "fields": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
                "required": ["field", "message"],
            },
        },
    },
    # A domain rule that fails after the fields are valid names no field, only the error.
    "required": ["error"],
}
ERROR_TEXT: Final = {
    "400": "The body does not parse as JSON",
    "401": "No valid staff token or tracking token",
    "403": "The staff token's role may not do this",
    "404": "Nothing with that identifier (or a wrong tracking token)",
    "409": "Not allowed in the current state",
    "413": "The body is larger than 1 MiB",
    "415": "The body is not sent as application/json",
    "422": "The request has problems; each is named by its field",
}
BODY_METHODS: Final = frozenset({"post", "put", "patch"})


def install(app: FastAPI) -> None:
    """Replace `app.openapi` with the finished document (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            finish(document, _restricted_operations(app))
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def finish(document: dict[str, Any], restricted: set[tuple[str, str]]) -> None:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    _hoist_defs(document, schemas)
    schemas["Error"] = ERROR_SCHEMA
    schemas["FieldErrors"] = FIELD_ERRORS_SCHEMA
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            _finish_operation(path, method, operation, (method, path) in restricted)


def _hoist_defs(node: Any, schemas: dict[str, Any]) -> None:
    if isinstance(node, dict):
        nested = node.pop("$defs", None)
        if isinstance(nested, dict):
            for name, schema in nested.items():
                _hoist_defs(schema, schemas)
                schemas.setdefault(name, schema)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            node["$ref"] = COMPONENTS + ref.removeprefix("#/$defs/")
        for value in node.values():
            _hoist_defs(value, schemas)
    elif isinstance(node, list):
        for value in node:
            _hoist_defs(value, schemas)


def _finish_operation(path: str, method: str, operation: dict[str, Any], restricted: bool) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    default_body = operation.pop("x-redress-body", {"type": "object"})
    for code, response in responses.items():
        if code.startswith("2") and code != "204":
            _give_body(response, default_body)
    errors = set(operation.pop("x-redress-errors", []))
    if any("staffToken" in requirement for requirement in operation.get("security", [])):
        errors.add("401")  # a wrong tracking token is a 404, never an oracle
    if restricted:
        errors.add("403")
    if "{" in path:
        errors.add("404")
    if operation.get("parameters") or "requestBody" in operation:
        errors.add("422")
    body = operation.get("requestBody", {}).get("content", {})
    if method in BODY_METHODS:
        errors.add("413")
        if "application/json" in body:
            errors.update({"400", "415"})  # a body that does not parse as JSON is a 400
    # A page answers its errors as pages too; the shared handlers answer JSON.
    page = any("text/html" in r.get("content", {}) for c, r in responses.items() if c[0] == "2")
    for code in sorted(errors | ({"404"} if page else set())):
        schema = "FieldErrors" if code == "422" else "Error"
        content: dict[str, Any] = {"application/json": {"schema": {"$ref": COMPONENTS + schema}}}
        if page:
            content["text/html"] = {"schema": {"type": "string"}}
        responses[code] = {
            # A route's own words for the error win over the general ones.
            "description": responses.get(code, {}).get("description", ERROR_TEXT[code]),
            "content": content,
        }


def _give_body(response: dict[str, Any], default_body: dict[str, Any]) -> None:
    content: dict[str, Any] = response.setdefault("content", {"application/json": {}})
    for media_type, entry in content.items():
        if entry.get("schema") in (None, {}):
            if media_type == "application/json":
                entry["schema"] = default_body
            else:
                entry["schema"] = {"type": "string"}


def _restricted_operations(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of the operations whose staff dependency admits only some roles."""
    found: set[tuple[str, str]] = set()
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and any(
            call in ROLE_RESTRICTED for call in _calls(route.dependant)
        ):
            found.update((method.lower(), context.path or "") for method in route.methods or ())
    return found


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)
