"""Alarms reach a person: CloudWatch may publish to the topic, prod needs a subscriber, and
the alarms cover the queue's age, DynamoDB throttling, unrecorded strikes and error rates."""

from __future__ import annotations

import json

import pytest

from stacks.config import ConfigError
from tests.infra.test_deploy_guard import DEPLOY, FILLED
from tests.support.cdk_app import make_app, synth_template

TOPIC_ARN = "arn:aws:sns:eu-west-1:123456789012:oncall"


def alarms(template):
    return template.find_resources("AWS::CloudWatch::Alarm")


def alarm(template, construct_id):
    (found,) = [
        a
        for logical_id, a in alarms(template).items()
        if logical_id.startswith(f"Monitoring{construct_id}")
    ]
    return found["Properties"]


def test_cloudwatch_may_publish_to_the_alarm_topic_from_this_account_only(dev_template):
    (policy,) = dev_template.find_resources("AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]

    assert len(allows) == 1
    (allow,) = allows
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allow["Action"] == "sns:Publish"
    assert allow["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    assert ":alarm:*" in json.dumps(allow["Condition"]["ArnLike"]["aws:SourceArn"])
    # enforce_ssl's Deny stays
    assert any(s["Effect"] == "Deny" for s in statements)


@pytest.mark.parametrize(
    "construct_id",
    [
        "IngestQueueOldestMessageAge",
        "BansTableThrottles",
        "StrikesTableThrottles",
        "AuditTableThrottles",
        "IdempotencyTableThrottles",
        "BeforePublishStrikeNotRecorded",
        "PublishStrikeNotRecorded",
        "AsyncModerationStrikeNotRecorded",
    ],
)
def test_the_new_alarms_exist(dev_template, construct_id):
    assert alarm(dev_template, construct_id)["AlarmActions"]


def test_the_ingest_age_alarm_watches_the_oldest_message(dev_template):
    props = alarm(dev_template, "IngestQueueOldestMessageAge")

    assert props["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert props["Threshold"] == 300


def test_table_throttle_alarms_sum_read_and_write_throttle_events(dev_template):
    props = alarm(dev_template, "BansTableThrottles")
    names = {m["MetricStat"]["Metric"]["MetricName"] for m in props["Metrics"] if "MetricStat" in m}

    assert names == {"ReadThrottleEvents", "WriteThrottleEvents"}


def test_strike_not_recorded_alarms_watch_the_pipeline_metric(dev_template):
    props = alarm(dev_template, "PublishStrikeNotRecorded")

    assert props["MetricName"] == "StrikeNotRecorded"
    assert props["Dimensions"] == [{"Name": "service", "Value": "publish"}]
    assert props["Threshold"] == 1


def test_errors_alarms_are_a_rate_of_invocations(dev_template):
    props = alarm(dev_template, "TokenErrors")
    names = {m["MetricStat"]["Metric"]["MetricName"] for m in props["Metrics"] if "MetricStat" in m}
    (expression,) = [m["Expression"] for m in props["Metrics"] if "Expression" in m]

    assert names == {"Errors", "Invocations"}
    assert "100 *" in expression
    assert props["Threshold"] == 1
    assert "MetricName" not in props


def test_an_existing_topic_hears_every_alarm():
    template = synth_template("dev", {"alarms": {"topicArn": TOPIC_ARN}})

    for props in (a["Properties"] for a in alarms(template).values()):
        assert TOPIC_ARN in props["AlarmActions"]
        assert len(props["AlarmActions"]) == 2


def test_prod_refuses_to_deploy_when_alarms_reach_nobody():
    filled = {key: value for key, value in FILLED.items() if key != "alarms"}

    with pytest.raises(ConfigError, match=r"alarms would reach nobody; set alarms\.email or"):
        make_app("prod", filled, context=DEPLOY)


@pytest.mark.parametrize(
    "alarms_config", [{"email": "oncall@example.org"}, {"topicArn": TOPIC_ARN}]
)
def test_prod_deploys_with_one_subscriber(alarms_config):
    filled = {**FILLED, "alarms": alarms_config}

    assert make_app("prod", filled, context=DEPLOY).node.try_find_child("chatmod-prod") is not None


def test_a_topic_arn_must_be_an_sns_arn():
    with pytest.raises(ConfigError, match=r"alarms\.topicArn"):
        make_app("dev", {"alarms": {"topicArn": "arn:aws:sqs:eu-west-1:123456789012:q"}})


def test_before_publish_5xx_are_alarmed_from_the_handlers_metric(dev_template):
    # On the Lambda transport a 503 is no Lambda error and no API Gateway 5xx.
    props = alarm(dev_template, "BeforePublishUnavailable")

    assert props["MetricName"] == "BeforePublishUnavailable"
    assert props["Dimensions"] == [{"Name": "service", "Value": "before-publish"}]
    assert props["Threshold"] == 1


@pytest.mark.parametrize("service", ["BeforePublish", "Publish", "AsyncModeration"])
def test_a_refused_policy_edit_is_alarmed_on_every_moderating_function(dev_template, service):
    props = alarm(dev_template, f"{service}PolicyRefused")

    assert props["MetricName"] == "PolicyRefused"
    assert props["Threshold"] == 1
