"""Every service's OpenAPI document is usable by clients and fuzzers (issue 13 item 14): every
`$ref` resolves, the security schemes are declared and used, every 2xx says what it answers,
the error answers are documented, and a 405 names every method of its path."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI

from tests.kit.apps import client_for

SERVICES = ["intake", "casework", "notifications", "reports", "feedback"]
METHODS = {"get", "put", "post", "delete", "patch"}


def app_of(service: str) -> FastAPI:
    app: FastAPI = importlib.import_module(f"services.{service}.app").create_app()
    return app


@functools.cache
def document_of(service: str) -> dict[str, Any]:
    document: dict[str, Any] = app_of(service).openapi()
    return document


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield method, path, operation


def references(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every `$ref` and every discriminator mapping target, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value, where
            elif key == "mapping" and isinstance(value, dict):
                yield from ((target, f"{where}/mapping") for target in value.values())
            else:
                yield from references(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from references(value, f"{where}/{index}")


def resolves(document: dict[str, Any], ref: str) -> bool:
    if not ref.startswith("#/"):
        return False
    node: Any = document
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


@pytest.mark.parametrize("service", SERVICES)
def test_every_ref_resolves(service: str) -> None:
    document = document_of(service)
    found = list(references(document))
    assert found, "a document with no $ref at all would make this test vacuous"
    broken = [(ref, where) for ref, where in found if not resolves(document, ref)]
    assert not broken, broken


@pytest.mark.parametrize("service", SERVICES)
def test_secured_operations_declare_their_scheme_and_401(service: str) -> None:
    document = document_of(service)
    schemes = document["components"]["securitySchemes"]
    assert schemes["staffToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": schemes["staffToken"]["description"],
    }
    for method, path, operation in operations(document):
        names = {p["name"].lower() for p in operation.get("parameters", [])}
        assert "authorization" not in names, (method, path)  # a scheme, not a bare header
        for requirement in operation.get("security", []):
            assert set(requirement) <= set(schemes), (method, path)
            if "staffToken" in requirement:
                assert {"401", "403"} & set(operation["responses"]), (method, path)


def test_staff_and_tracking_operations_are_marked() -> None:
    casework = document_of("casework")["paths"]
    assert casework["/v1/cases/{reference}"]["get"]["security"] == [{"staffToken": []}]
    assert {"trackingToken": []} in casework["/v1/track/{reference}"]["get"]["security"]
    put = casework["/v1/caseworkers/{caseworker_id}"]["put"]
    assert "403" in put["responses"]  # managers only
    intake = document_of("intake")["paths"]
    assert "security" not in intake["/v1/complaints"]["post"]
    assert intake["/v1/staff/complaints"]["post"]["security"] == [{"staffToken": []}]


@pytest.mark.parametrize("service", SERVICES)
def test_every_2xx_says_what_it_answers_and_errors_are_documented(service: str) -> None:
    document = document_of(service)
    for method, path, operation in operations(document):
        responses = operation["responses"]
        for code, response in responses.items():
            if code.startswith("2") and code != "204":
                schemas = [c.get("schema") for c in response.get("content", {}).values()]
                assert schemas, (method, path, code)
                assert all(schemas), (method, path, code)
        if "requestBody" in operation:
            assert {"413", "422"} <= set(responses), (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        if "422" in responses:
            schema = responses["422"]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/FieldErrors"}, (method, path)


def test_the_actions_body_is_a_union_tagged_by_action() -> None:
    document = document_of("casework")
    operation = document["paths"]["/v1/cases/{reference}/actions"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["discriminator"]["propertyName"] == "action"
    mapping = schema["discriminator"]["mapping"]
    assert {"assign", "decline", "issue_final", "post_message"} <= set(mapping)
    for target in mapping.values():
        member = document["components"]["schemas"][target.rsplit("/", 1)[1]]
        assert "action" in member["required"], target
    assert "409" in operation["responses"]


async def test_a_405_names_every_method_of_its_path() -> None:
    async with client_for(app_of("feedback")) as client:
        answer = await client.patch("/v1/organisations/Northshire/contact")
    assert answer.status_code == 405
    assert answer.headers["allow"] == "DELETE, GET, PUT"
