"""Local resources and settings come from the synthesized stack, not from a second list."""

from __future__ import annotations

import pytest

from chatmod.core import constants
from chatmod_local.aws import LocalResources, function_environment
from chatmod_local.template import CACHE_DIR, Route, StackTemplate, load_template, short_name


@pytest.fixture(scope="module")
def template() -> StackTemplate:
    # The shared cache (.chatmod-local/): synthesized once, then read back.
    load_template("dev")
    assert len(list(CACHE_DIR.glob("template-dev-*.json"))) == 1
    return load_template("dev")


def test_routes_are_the_stacks_with_their_functions_and_authorizers(
    template: StackTemplate,
) -> None:
    routes = {route.key: route for route in template.routes()}
    assert set(routes) == {
        "GET /token",
        "POST /token",
        "POST /messages",
        "GET /warnings",
        "POST /warnings/{warningId}/ack",
        "POST /before-publish",
        "POST /moderation/bans",
        "DELETE /moderation/bans/{clientId}",
        "GET /moderation/bans/{clientId}",
        "GET /moderation/bans",
        "POST /moderation/messages/delete",
        "GET /moderation/audit",
        "GET /moderation/users/{clientId}",
        "GET /moderation/counts",
        "GET /moderation/terms",
        "POST /moderation/terms",
        "DELETE /moderation/terms",
        "GET /moderation/rooms/{room}",
        "POST /moderation/rooms/{room}/slow-mode",
        "GET /moderation/reviews",
        "GET /moderation/reviews/{reviewId}",
        "POST /moderation/reviews/{reviewId}/approve",
        "POST /moderation/reviews/{reviewId}/deny",
    }
    assert not routes["POST /before-publish"].jwt
    assert all(route.jwt for key, route in routes.items() if key != "POST /before-publish")
    handler = template.properties(routes["POST /messages"].function)["Handler"]
    assert handler == constants.HANDLER_PUBLISH


def test_route_matching_extracts_path_parameters() -> None:
    route = Route("DELETE", "/moderation/bans/{clientId}", "Fn", jwt=True)
    assert route.match("DELETE", "/moderation/bans/bob") == {"clientId": "bob"}
    assert route.match("GET", "/moderation/bans/bob") is None
    assert route.match("DELETE", "/moderation/bans") is None
    assert route.match("DELETE", "/moderation/bans/") is None


def test_function_environment_resolves_refs_to_local_names(template: StackTemplate) -> None:
    resources = LocalResources("http://127.0.0.1:1")
    for logical_id, _ in template.of_type("AWS::DynamoDB::Table"):
        resources.physical_ids[logical_id] = f"local-{short_name(logical_id)}"
    for logical_id, props in template.of_type("AWS::SSM::Parameter"):
        resources.physical_ids[logical_id] = props["Name"]
    env = function_environment(template, resources)
    assert env[constants.ENV_BANS_TABLE] == "local-TablesBannedUsers"
    assert env[constants.ENV_POLICY_PARAMETER] == "/chatmod/dev/policy"
    assert env[constants.ENV_ABLY_KEY_PARAMETER] == "/chatmod/dev/ably-api-key"
    assert constants.ENV_POWERTOOLS_SERVICE_NAME not in env


def test_short_name_drops_the_cdk_hash() -> None:
    assert short_name("TablesBannedUsers87CAB7CD") == "TablesBannedUsers"
    assert short_name("Plain") == "Plain"
