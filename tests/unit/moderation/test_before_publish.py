"""The before-publish contract without a transport: Ably's request in, Ably's answer out.

Expectations come from Ably's contract (ARCHITECTURE.md §2), never from the module's
constants: the answer is at most 32 KiB (32,768 bytes of the compact UTF-8 body that
is sent), Ably retries one message for at most its rule's retry timeout (≤ 5 s) and
chatmod treats the same words from the same sender as that retry for 30 s.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatmod.core.deadline import Deadline
from chatmod.core.errors import BadRequestError
from chatmod.core.policy import BanPolicy, RuntimePolicy
from chatmod.enforcement.bans import Ban
from chatmod.moderation import before_publish as contract
from chatmod.moderation.blocklist import BlocklistProvider
from chatmod.moderation.engine import ConfiguredProvider, Decision, ModerationEngine, Outcome
from chatmod.moderation.pipeline import ModerationPipeline, PipelineResult, Verdict
from tests.support.sender_store import InMemorySenderStore

NOW = 1_795_320_000  # 2026-11-22T04:00:00Z
KIB_32 = 32 * 1024  # Ably's limit on the answer, written out here on purpose
BLOCKLIST = ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True)


def request(text: str = "hello", **message: Any) -> contract.BeforePublishRequest:
    body = {
        "source": "chat",
        "appId": "app",
        "room": "lobby",
        "ruleId": "rule-1",
        "message": {"clientId": "alice", "text": text, **message},
    }
    return contract.parse_request(body)


def rejected(
    reason: str | None = "flagged by blocklist",
    categories: tuple[str, ...] = ("profanity",),
    details: dict[str, str] | None = None,
) -> PipelineResult:
    decision = Decision(
        Outcome.REJECT,
        reason=reason,
        categories=categories,
        provider="blocklist",
        details=details or {},
    )
    return PipelineResult(Verdict.REJECT, decision=decision)


def masked(text: str) -> PipelineResult:
    decision = Decision(Outcome.MASK, categories=("profanity",), provider="blocklist", text=text)
    return PipelineResult(Verdict.MASK, decision=decision)


def wire_bytes(answer: dict[str, Any]) -> int:
    """The answer's size as Ably receives it, computed here: compact JSON, raw UTF-8."""
    return len(json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


# --- request → submission -------------------------------------------------------------


def test_the_submission_carries_text_sender_room_context_and_the_user_claim():
    submission = contract.submission_for(
        request("hi", metadata={"k": 1}, headers={"h": "v"}, userClaim="vip")
    )

    assert submission.text == "hi"
    assert submission.client_id == "alice"
    assert submission.room == "lobby"
    assert submission.metadata == {"k": 1}
    assert submission.headers == {"h": "v"}
    assert submission.user_claim == "vip"
    assert submission.source == "before-publish"
    assert submission.serial is None  # Ably has not named the message yet


def test_an_empty_client_id_is_no_sender_and_absent_context_is_empty():
    submission = contract.submission_for(request("hi", clientId=""))

    assert submission.client_id is None
    assert submission.metadata == {}
    assert submission.headers == {}
    assert submission.user_claim is None


def test_the_same_rule_room_sender_and_text_give_the_same_ref_and_any_difference_another():
    base = contract.submission_for(request("hi")).ref
    assert base is not None
    assert base.value.startswith("before-publish:")
    assert contract.submission_for(request("hi")).ref == base
    others = [
        contract.parse_request(
            {"room": "lobby", "ruleId": "rule-2", "message": {"clientId": "alice", "text": "hi"}}
        ),
        contract.parse_request(
            {"room": "hall", "ruleId": "rule-1", "message": {"clientId": "alice", "text": "hi"}}
        ),
        contract.parse_request(
            {"room": "lobby", "ruleId": "rule-1", "message": {"clientId": "bob", "text": "hi"}}
        ),
        request("hi!"),
    ]
    refs = {contract.submission_for(other).ref.value for other in others}  # type: ignore[union-attr]
    assert base.value not in refs
    assert len(refs) == 4


def test_a_request_without_a_rule_id_is_its_own_message_not_one_with_an_empty_rule():
    without = contract.parse_request({"room": "lobby", "message": {"clientId": "a", "text": "x"}})
    named = contract.parse_request(
        {"room": "lobby", "ruleId": "XXXX", "message": {"clientId": "a", "text": "x"}}
    )

    assert contract.submission_for(without).ref != contract.submission_for(named).ref


def test_fields_are_not_run_together_into_one_ref():
    # "ab" + "c" and "a" + "bc" must not be the same message.
    one = contract.parse_request({"room": "ab", "message": {"clientId": "c", "text": "x"}})
    two = contract.parse_request({"room": "a", "message": {"clientId": "bc", "text": "x"}})

    assert contract.submission_for(one).ref != contract.submission_for(two).ref


@pytest.mark.parametrize(
    "body",
    [
        {"message": {"text": "hi"}},
        {"room": "", "message": {"text": "hi"}},
        {"room": "lobby", "message": {"text": 5}},
        {"room": "lobby"},
    ],
)
def test_a_request_that_is_not_ablys_shape_is_a_bad_request(body):
    with pytest.raises(BadRequestError):
        contract.parse_request(body)


def test_the_judged_header_is_read_only_when_it_is_a_string():
    assert contract.judged_header_of(request(headers={"x-chatmod-judged": "v1.abc"})) == "v1.abc"
    assert contract.judged_header_of(request(headers={"x-chatmod-judged": 5})) is None
    assert contract.judged_header_of(request()) is None


# --- Ably's retry window: one strike per retried message, a new one after 30 s ----------


def strikes_after(seconds_later: float) -> tuple[int, bool]:
    """Two identical before-publish requests ``seconds_later`` apart: the second's count."""
    store = InMemorySenderStore()
    policy = RuntimePolicy(bans=BanPolicy(ladder=("warn", "120s", "permanent")))
    engine = ModerationEngine(policy.moderation, [BLOCKLIST])
    clock = {"now": float(NOW)}
    pipeline = ModerationPipeline(policy, engine, store, clock=lambda: clock["now"])
    submission = contract.submission_for(request("fuck"))
    pipeline.run(submission, Deadline(5))
    clock["now"] += seconds_later
    second = pipeline.run(submission, Deadline(5))
    assert second.strike is not None
    return second.strike.count, second.strike.duplicate


@pytest.mark.parametrize("seconds_later", [0.1, 5, 29.999])
def test_the_same_words_within_30_s_are_ablys_retry_and_one_strike(seconds_later):
    assert strikes_after(seconds_later) == (1, True)


@pytest.mark.parametrize("seconds_later", [30, 30.001, 31, 600])
def test_the_same_words_30_s_or_more_later_are_a_new_strike(seconds_later):
    # Defect this pins: a dedupe window of the whole strike window let a spammer repeat
    # one phrase forever without climbing the ladder.
    assert strikes_after(seconds_later) == (2, False)


# --- result → answer -------------------------------------------------------------------


def test_accept_is_the_bare_accept():
    assert contract.answer_for(PipelineResult(Verdict.ACCEPT), request()) == {"action": "accept"}


def test_a_timed_ban_is_rejected_with_its_end_and_reason():
    ban = Ban("alice", "spam", "mod1", NOW, NOW + 120)

    answer = contract.answer_for(PipelineResult(Verdict.BANNED, ban=ban), request())

    assert answer == {
        "action": "reject",
        "rejectionDetail": {
            "reason": "banned",
            "bannedUntil": "2026-11-22T04:02:00Z",
            "banReason": "spam",
        },
    }


def test_a_permanent_ban_is_rejected_as_permanent():
    ban = Ban("alice", "abuse", "mod1", NOW, None)

    answer = contract.answer_for(PipelineResult(Verdict.BANNED, ban=ban), request())

    assert answer is not None
    assert answer["rejectionDetail"]["bannedUntil"] == "permanent"


def test_a_rejection_names_reason_categories_and_provider_as_strings():
    answer = contract.answer_for(rejected(categories=("profanity", "hate")), request())

    assert answer == {
        "action": "reject",
        "rejectionDetail": {
            "reason": "flagged by blocklist",
            "category": "profanity,hate",
            "provider": "blocklist",
        },
    }


def test_a_providers_own_detail_comes_first_but_chatmod_names_the_provider():
    result = rejected(details={"category": "scam", "provider": "spoofed", "note": "x"})

    answer = contract.answer_for(result, request())

    assert answer is not None
    assert answer["rejectionDetail"] == {
        "reason": "flagged by blocklist",
        "category": "scam",
        "provider": "blocklist",
        "note": "x",
    }


def test_a_rejection_without_reason_or_categories_leaves_no_empty_fields():
    answer = contract.answer_for(rejected(reason=None, categories=()), request())

    assert answer == {
        "action": "reject",
        "rejectionDetail": {"reason": "rejected", "provider": "blocklist"},
    }


def test_reject_keeps_strings_only_and_its_own_reason():
    answer = contract.reject("spam", {"reason": "other", "a": "1", "b": None, "c": ""})

    assert answer == {"action": "reject", "rejectionDetail": {"reason": "spam", "a": "1"}}


@pytest.mark.parametrize(
    ("failed_action", "expected"),
    [
        ("publish", {"action": "accept"}),
        ("defer", None),
        (
            "reject",
            {
                "action": "reject",
                "rejectionDetail": {"reason": "moderation_unavailable", "provider": "hive"},
            },
        ),
    ],
)
def test_no_decision_answers_the_policys_failed_action(failed_action, expected):
    result = PipelineResult(
        Verdict.FAILED,
        decision=Decision(Outcome.FAILED, provider="hive"),
        failed_action=failed_action,
    )

    assert contract.answer_for(result, request()) == expected


def test_no_decision_and_no_provider_rejects_without_naming_one():
    result = PipelineResult(Verdict.FAILED, failed_action="reject")

    assert contract.answer_for(result, request()) == {
        "action": "reject",
        "rejectionDetail": {"reason": "moderation_unavailable"},
    }


def test_a_rewrite_replaces_the_text_and_carries_metadata_and_headers_over():
    original = request("what the fuck", metadata={"reply": "s1"}, headers={"lang": "en"})

    answer = contract.answer_for(masked("what the ****"), original)

    assert answer == {
        "action": "accept",
        "message": {
            "text": "what the ****",
            "metadata": {"reply": "s1"},
            "headers": {"lang": "en"},
        },
    }


def test_a_rewrite_of_a_message_without_metadata_or_headers_sends_empty_ones():
    answer = contract.answer_for(masked("****"), request("shit"))

    assert answer == {
        "action": "accept",
        "message": {"text": "****", "metadata": {}, "headers": {}},
    }


# --- the 32 KiB limit, in the compact UTF-8 bytes that are sent -------------------------

OVERHEAD = wire_bytes(contract.rewrite(request(), ""))


def emoji_rewrite_of(size: int) -> str:
    """A rewritten text of 4-byte emoji (12 bytes each if \\u-escaped) whose answer is ``size``."""
    room = size - OVERHEAD
    return "😀" * (room // 4) + "a" * (room % 4)


@pytest.mark.parametrize(
    ("size", "fits"), [(KIB_32 - 1, True), (KIB_32, True), (KIB_32 + 1, False)]
)
def test_the_rewrite_limit_is_32_kib_of_the_utf8_sent(size, fits):
    text = emoji_rewrite_of(size)

    answer = contract.answer_for(masked(text), request())

    assert answer is not None
    if fits:
        assert answer["message"]["text"] == text
        assert wire_bytes(answer) == size
        assert len(contract.encode_answer(answer).encode("utf-8")) == size
    else:
        assert answer == {
            "action": "reject",
            "rejectionDetail": {"reason": "message_too_large_to_rewrite", "category": "profanity"},
        }


def test_16_kb_of_emoji_is_a_16_kb_rewrite_not_a_48_kb_one():
    # Defect: measured as ASCII-escaped JSON, 4,000 emoji (16 KB sent) counted ~48 KB.
    text = "😀" * 4000

    answer = contract.answer_for(masked(text), request())

    assert answer is not None
    assert answer["action"] == "accept"
    assert wire_bytes(answer) < 17_000


def test_the_answer_is_encoded_compact_and_unescaped():
    assert contract.encode_answer({"a": "ж", "b": [1, 2]}) == '{"a":"ж","b":[1,2]}'


def test_decode_body_refuses_what_is_not_a_json_object():
    assert contract.decode_body('{"room": "x"}') == {"room": "x"}
    with pytest.raises(BadRequestError):
        contract.decode_body("[1]")


# --- the request struct is the documented model ----------------------------------------


def _struct_keys(struct: type) -> tuple[set[str], set[str]]:
    import msgspec

    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    return {f.encode_name for f in info.fields}, {f.encode_name for f in info.fields if f.required}


@pytest.mark.parametrize(
    ("struct", "model"),
    [
        (contract.BeforePublishRequest, "BeforePublishRequest"),
        (contract.ChatMessage, "ChatMessage"),
    ],
)
def test_the_parsed_request_has_the_documented_fields(struct, model):
    from chatmod.api import models

    documented = getattr(models, model)
    keys, required = _struct_keys(struct)

    assert keys == {f.alias or name for name, f in documented.model_fields.items()}
    assert required == {
        f.alias or name for name, f in documented.model_fields.items() if f.is_required()
    }


@pytest.mark.parametrize(
    "body",
    [
        {"room": "lobby", "message": {"text": "hi"}},
        {"room": "lobby", "message": {"text": "hi", "clientId": "a", "metadata": {"k": 1}}},
        {"room": "lobby", "message": {"text": "hi", "future": 1}, "future": {"x": 1}},
        {"room": "lobby", "message": {"text": "hi", "userClaim": "c", "headers": {}}},
        {"room": "", "message": {"text": "hi"}},
        {"room": 1, "message": {"text": "hi"}},
        {"room": "lobby", "message": {"text": 1}},
        {"room": "lobby", "message": {"text": "hi", "clientId": 7}},
        {"room": "lobby", "message": {"text": "hi", "headers": []}},
        {"room": "lobby", "message": "hi"},
        {"room": "lobby"},
        {"room": "lobby", "message": {"text": "hi"}, "ruleId": 3},
    ],
)
def test_the_parser_accepts_and_refuses_as_the_documented_model(body):
    from pydantic import ValidationError

    from chatmod.api import models

    try:
        documented = models.BeforePublishRequest.model_validate(body).model_dump(by_alias=True)
    except ValidationError:
        documented = None
    try:
        parsed = contract.parse_request(body)
    except BadRequestError:
        parsed = None

    if documented is None:
        assert parsed is None
    else:
        assert parsed is not None
        assert parsed.room == documented["room"]
        assert parsed.message.text == documented["message"]["text"]
        assert parsed.message.client_id == documented["message"]["clientId"]
        assert parsed.message.metadata == documented["message"]["metadata"]
