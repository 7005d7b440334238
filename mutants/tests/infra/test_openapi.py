"""The committed OpenAPI document is the code's, and it names exactly the stack's routes."""

from __future__ import annotations

import json
from pathlib import Path

from aws_cdk.assertions import Template

from chatmod.api.openapi import build_document, main, render

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
METHODS = {"get", "post", "put", "delete", "patch", "head", "options"}


def test_given_the_code_when_generating_then_the_committed_document_is_current():
    assert DOCUMENT.read_text(encoding="utf-8") == render(build_document()), (
        "docs/openapi.json is stale: run `make openapi`"
    )


def test_given_the_committed_document_when_checking_then_exit_0(tmp_path):
    assert main(["--check", str(DOCUMENT)]) == 0
    stale = tmp_path / "openapi.json"
    stale.write_text("{}\n", encoding="utf-8")
    assert main(["--check", str(stale)]) == 1


def test_given_a_stack_with_every_route_when_comparing_then_its_routes_are_the_documents(
    alt_template: Template,
):
    # alt uses the HTTP transport: the one kind of stage with POST /before-publish too.
    routes = alt_template.find_resources("AWS::ApiGatewayV2::Route")
    route_keys = {resource["Properties"]["RouteKey"] for resource in routes.values()}
    document = json.loads(DOCUMENT.read_text(encoding="utf-8"))

    documented = {
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method in item
        if method in METHODS
    }

    assert documented == route_keys


def test_given_the_document_then_no_route_promises_a_powertools_422_shape():
    text = DOCUMENT.read_text(encoding="utf-8")
    document = json.loads(text)

    assert "HTTPValidationError" not in text
    for path, item in document["paths"].items():
        for method, operation in item.items():
            assert operation["responses"], (method, path)
            if path.startswith("/moderation/"):
                assert {"400", "401", "403"} <= set(operation["responses"]), (method, path)
                assert "422" not in operation["responses"]
