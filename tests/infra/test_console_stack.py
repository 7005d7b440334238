"""The moderator console in the stack: private bucket, CloudFront with OAC, headers, config.json."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from aws_cdk.assertions import Match, Template

from stacks.config import ConfigError, load_stage_config
from stacks.console import ABLY_CONNECT_SOURCES, BUILD, with_connect_policy
from tests.support.cdk_app import cdk_context, deep_merge, make_app, synth_template

pytestmark = pytest.mark.skipif(
    not (BUILD / "index.html").is_file(), reason="needs `make console` (console/dist)"
)


def only(template: Template, resource_type: str) -> dict[str, Any]:
    (resource,) = template.find_resources(resource_type).values()
    return resource["Properties"]


def flat(value: Any) -> str:
    """A CloudFormation value as text: Fn::Join parts joined, other intrinsics as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(flat(part) for part in parts)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def csp(template: Template) -> str:
    config = only(template, "AWS::CloudFront::ResponseHeadersPolicy")["ResponseHeadersPolicyConfig"]
    return flat(config["SecurityHeadersConfig"]["ContentSecurityPolicy"]["ContentSecurityPolicy"])


def directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def page_deployment(template: Template) -> dict[str, Any]:
    """The BucketDeployment writing index.html and config.json (the one with markers)."""
    (page,) = [
        r["Properties"]
        for r in template.find_resources("Custom::CDKBucketDeployment").values()
        if r["Properties"].get("SourceMarkers")
    ]
    return page


def config_json(template: Template) -> dict[str, str]:
    """config.json's markers, resolved to text: the deploy-time values it carries."""
    markers = page_deployment(template)["SourceMarkers"]
    return {name: flat(value) for entry in markers for name, value in entry.items()}


def test_the_bucket_is_private_encrypted_ssl_only_and_has_no_acls(dev_template):
    bucket = only(dev_template, "AWS::S3::Bucket")

    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["OwnershipControls"] == {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    statements = only(dev_template, "AWS::S3::BucketPolicy")["PolicyDocument"]["Statement"]
    deny = [s for s in statements if s["Effect"] == "Deny"]
    assert deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # Only CloudFront reads, and only for this distribution (origin access control).
    (allow,) = [s for s in statements if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject"
    assert "ConsoleDistribution" in flat(allow["Condition"]["StringEquals"]["AWS:SourceArn"])


def test_cloudfront_reads_the_bucket_with_origin_access_control_not_an_identity(dev_template):
    oac = only(dev_template, "AWS::CloudFront::OriginAccessControl")["OriginAccessControlConfig"]
    distribution = only(dev_template, "AWS::CloudFront::Distribution")["DistributionConfig"]

    assert oac["OriginAccessControlOriginType"] == "s3"
    assert oac["SigningBehavior"] == "always"
    (origin,) = distribution["Origins"]
    assert "OriginAccessControlId" in origin
    assert origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    assert not dev_template.find_resources("AWS::CloudFront::CloudFrontOriginAccessIdentity")


def test_https_only_index_at_root_and_the_spa_fallback(dev_template):
    distribution = only(dev_template, "AWS::CloudFront::Distribution")["DistributionConfig"]

    behavior = distribution["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["AllowedMethods"] == ["GET", "HEAD"]
    assert "ResponseHeadersPolicyId" in behavior
    assert distribution["DefaultRootObject"] == "index.html"
    assert {
        (e["ErrorCode"], e["ResponseCode"], e["ResponsePagePath"])
        for e in distribution["CustomErrorResponses"]
    } == {(403, 200, "/index.html"), (404, 200, "/index.html")}


def test_security_headers_and_a_csp_allowing_only_the_api_cognito_and_ably(dev_template):
    config = only(dev_template, "AWS::CloudFront::ResponseHeadersPolicy")[
        "ResponseHeadersPolicyConfig"
    ]
    headers = config["SecurityHeadersConfig"]
    policy = directives(csp(dev_template))

    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
    assert headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    api, cognito, *ably = policy["connect-src"][1:]
    assert policy["connect-src"][0] == "'self'"
    assert api == 'https://*.execute-api.{"Ref":"AWS::Region"}.{"Ref":"AWS::URLSuffix"}'
    assert cognito == (
        'https://chatmod-dev-{"Ref":"AWS::AccountId"}.auth.{"Ref":"AWS::Region"}.amazoncognito.com'
    )
    assert tuple(ably) == ABLY_CONNECT_SOURCES
    assert {"https://*.ably.io", "wss://*.ably.io", "https://*.ably-realtime.com"} <= set(ably)
    assert {"https://*.ably.net", "wss://*.ably.net"} <= set(ably)  # ably-js 2's main endpoint


def test_index_html_narrows_connections_to_exactly_this_api():
    page = with_connect_policy(
        "<html><head><title>x</title></head></html>", ["https://a.example/", "https://b"]
    )

    assert page.startswith(
        '<html><head>\n    <meta http-equiv="Content-Security-Policy" '
        "content=\"connect-src 'self' https://a.example/ https://b\" />"
    )


def test_index_html_is_deployed_with_the_meta_policy_naming_the_api(dev_template):
    index_markers, _config_markers = page_deployment(dev_template)["SourceMarkers"]

    assert {"Ref": "AWS::Region"} in index_markers.values()
    assert any(v == {"Ref": k} for v in index_markers.values() for k in [v.get("Ref", "")])
    assert [v for v in index_markers.values() if v.get("Ref", "").startswith("HttpApi")]


def test_the_deployed_index_html_allows_the_api_cognito_and_ably(tmp_path):
    make_app("dev", outdir=str(tmp_path)).synth()
    (page,) = tmp_path.glob("asset.*/index.html")

    found = re.search(
        r'<meta http-equiv="Content-Security-Policy" content="([^"]+)"', page.read_text()
    )
    assert found is not None
    sources = found.group(1).split()
    assert sources[:2] == ["connect-src", "'self'"]
    # The API and the hosted UI are deploy-time values (BucketDeployment markers).
    api, cognito, *ably = sources[2:]
    assert api.startswith("https://<<marker:")
    assert ".execute-api." in api
    assert ".amazoncognito.com" in cognito
    assert tuple(ably) == ABLY_CONNECT_SOURCES
    assert "<script" in page.read_text()  # the rest of the build's page is intact


def test_config_json_carries_api_cognito_client_and_stage(dev_template):
    values = " ".join(config_json(dev_template).values())

    assert "execute-api" in values
    assert "HttpApi" in values
    assert ".amazoncognito.com/oauth2/authorize" in values
    assert ".amazoncognito.com/oauth2/token" in values
    assert ".amazoncognito.com/logout?client_id=" in values
    assert "logout_uri=https%3A%2F%2F" in values
    assert "AuthUserPoolConsoleClient" in values


def test_the_console_client_is_public_code_with_pkce_back_to_the_console(dev_template):
    dev_template.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "AllowedOAuthFlows": ["code"],
            "GenerateSecret": False,
            "CallbackURLs": [
                {
                    "Fn::Join": [
                        "",
                        ["https://", {"Fn::GetAtt": [Match.any_value(), "DomainName"]}, "/"],
                    ]
                }
            ],
            "LogoutURLs": Match.any_value(),
            "AllowedOAuthScopes": ["openid", "email", "profile"],
        },
    )
    domain = only(dev_template, "AWS::Cognito::UserPoolDomain")
    assert flat(domain["Domain"]) == 'chatmod-dev-{"Ref":"AWS::AccountId"}'
    # The authorizer accepts the console's tokens as well as the chat client's.
    authorizer = only(dev_template, "AWS::ApiGatewayV2::Authorizer")
    assert len(authorizer["JwtConfiguration"]["Audience"]) == 2


def test_the_local_callback_only_when_asked_for():
    template = synth_template(
        "dev", {"console": {"localCallback": True, "cognitoDomainPrefix": "mods-x"}}
    )

    clients = template.find_resources(
        "AWS::Cognito::UserPoolClient",
        {"Properties": {"AllowedOAuthScopes": ["openid", "email", "profile"]}},
    )
    urls = [flat(u) for c in clients.values() for u in c["Properties"].get("CallbackURLs", [])]
    assert "http://localhost:8787/console/" in urls
    assert flat(only(template, "AWS::Cognito::UserPoolDomain")["Domain"]) == "mods-x"


def test_the_api_allows_the_console_origin(dev_template):
    api = only(dev_template, "AWS::ApiGatewayV2::Api")
    origins = [flat(o) for o in api["CorsConfiguration"]["AllowOrigins"]]

    assert any("ConsoleDistribution" in o and o.startswith("https://") for o in origins)


def test_the_console_url_is_an_output(dev_template):
    dev_template.has_output(
        "ConsoleUrl",
        {
            "Value": {
                "Fn::Join": [
                    "",
                    ["https://", {"Fn::GetAtt": [Match.any_value(), "DomainName"]}, "/"],
                ]
            }
        },
    )


def test_the_off_switch_removes_hosting_domain_and_console_client():
    template = synth_template("dev", {"console": {"enabled": False}})

    for resource_type in (
        "AWS::S3::Bucket",
        "AWS::CloudFront::Distribution",
        "Custom::CDKBucketDeployment",
        "AWS::Cognito::UserPoolDomain",
    ):
        assert not template.find_resources(resource_type), resource_type
    assert len(template.find_resources("AWS::Cognito::UserPoolClient")) == 1
    assert "ConsoleUrl" not in template.to_json()["Outputs"]


def test_jwt_mode_config_json_carries_the_issuers_endpoints(alt_template):
    values = " ".join(config_json(alt_template).values())
    text = json.dumps(page_deployment(alt_template))

    assert not alt_template.find_resources("AWS::Cognito::UserPoolDomain")
    assert "https://issuer.example.com" in csp(alt_template)
    # No token in the jwt stage's oauth settings: they are in the config.json asset itself.
    assert "amazoncognito" not in values + text


def test_the_deployment_role_has_only_inline_scoped_permissions(dev_template):
    roles = dev_template.find_resources(
        "AWS::IAM::Role", {"Properties": {"Description": Match.string_like_regexp("console")}}
    )
    (role,) = roles.values()
    (policy,) = role["Properties"]["Policies"]
    actions = {
        a
        for s in policy["PolicyDocument"]["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }

    assert "ManagedPolicyArns" not in role["Properties"]
    assert actions == {
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "s3:GetObject",
        "s3:ListBucket",
        "s3:PutObject",
        "s3:DeleteObject",
        "cloudfront:CreateInvalidation",
        "cloudfront:GetInvalidation",
    }
    # BucketDeployment added none of its own (broader) grants.
    for attached in dev_template.find_resources("AWS::IAM::Policy").values():
        assert "Console" not in json.dumps(attached["Properties"]["Roles"])


def test_nag_is_clean_with_the_console_and_without_it():
    # make_app runs cdk-nag on synth: an unacknowledged finding raises.
    for overrides in ({}, {"console": {"enabled": False}}):
        make_app("dev", overrides).synth()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"console": {"cognitoDomainPrefix": "my-aws-mods"}}, r"must not contain 'aws'"),
        ({"console": {"cognitoDomainPrefix": "-mods"}}, r"start or end with '-'"),
        ({"console": {"cognitoDomainPrefix": "Mods"}}, r"cognitoDomainPrefix"),
        (
            {
                "console": {
                    "oauth": {"authorizeUrl": "https://a", "tokenUrl": "https://t", "clientId": "c"}
                }
            },
            r"console\.oauth applies only to auth mode 'jwt'",
        ),
        (
            {
                "auth": {
                    "mode": "jwt",
                    "issuer": "https://issuer.example.com/",
                    "audience": ["chat"],
                    "callbackUrls": [],
                    "logoutUrls": [],
                }
            },
            r"console\.oauth: mode 'jwt' needs",
        ),
    ],
)
def test_console_settings_are_checked_before_synth(overrides, message):
    context = cdk_context()
    stage = deep_merge(context["chatmod:stages"]["dev"], overrides)
    if "auth" in overrides:
        stage["auth"] = overrides["auth"]

    with pytest.raises(ConfigError, match=message):
        load_stage_config({"chatmod:stages": {"dev": stage}}, "dev")


def test_jwt_mode_with_the_console_off_needs_no_oauth():
    stage = deep_merge(
        cdk_context()["chatmod:stages"]["dev"],
        {"console": {"enabled": False}},
    )
    stage["auth"] = {"mode": "jwt", "issuer": "https://i.example.com/", "audience": ["chat"]}

    _, config = load_stage_config({"chatmod:stages": {"dev": stage}}, "dev")

    assert config.console.oauth is None
