"""The links provider: links found plainly and in disguise, innocents left alone, lists per room.

Expectations are written out here, never read from the provider's tables.
"""

from __future__ import annotations

import msgspec
import pytest

from chatmod.core.policy_runtime import ModerationPolicy
from chatmod.moderation.base import MessageContext
from chatmod.moderation.engine import Outcome
from chatmod.moderation.factory import build_engine
from chatmod.moderation.links import LinksProvider

PROVIDER = LinksProvider.from_config(
    allow=["ably.com"], block=["evil.com"], rooms={"kids-*": ((), ["youtube.com"])}
)


def found(text: str, room: str | None = None) -> list[tuple[str, str]]:
    context = MessageContext(room=room) if room is not None else None
    result = PROVIDER.moderate(text, timeout=1.0, context=context)
    return [(m.term, m.category) for m in result.matches]


@pytest.mark.parametrize(
    ("text", "domain"),
    [
        ("visit https://spam.xyz/free now", "spam.xyz"),
        ("go to www.cheap-pills.biz today", "cheap-pills.biz"),
        ("http://localhost.com:8080/x", "localhost.com"),
        ("example[.]com", "example.com"),
        ("example(.)net", "example.net"),
        ("example{.}org", "example.org"),
        ("example dot com", "example.com"),
        ("example . com", "example.com"),
        ("hxxp://bad.ru/x", "bad.ru"),
        ("hxxps://bad.ru", "bad.ru"),
        ("EXAMPLE.COM", "example.com"),
        ("bit.ly/3xYz", "bit.ly"),
        ("youtu.be/abc", "youtu.be"),
        ("a.b.c.example.io", "a.b.c.example.io"),
        ("shop at casa.de", "casa.de"),
    ],
)
def test_links_plain_and_disguised_are_found_with_their_domain(text, domain):
    assert found(text) == [(domain, "link")]


@pytest.mark.parametrize(
    "text",
    [
        "see e.g. this",
        "file.txt and notes.md",
        "pi is 3.14 and v1.2.3",
        "Mr. Smith went home",
        "node.js is fine",
        "I love it.No really",
        "it.is what it is",
        "no . it is",
        "this dot is fine",
        "top . live",
        "write to bob@gmail.com",
        "hello.world",
        "the docs at ably.com/docs",  # allowed
        "www.ably.com",  # allowed
        "",
    ],
)
def test_innocent_text_and_allowed_domains_are_no_link(text):
    assert found(text) == []


def test_a_blocked_domain_and_its_subdomains_are_blocked_domain():
    assert found("buy at evil.com and shop.evil.com") == [
        ("evil.com", "blocked_domain"),
        ("shop.evil.com", "blocked_domain"),
    ]
    assert found("notevil.com") == [("notevil.com", "link")]


def test_a_rooms_lists_apply_there_only():
    assert found("watch youtube.com/watch?v=1", room="kids-1") == [
        ("youtube.com", "blocked_domain")
    ]
    assert found("watch youtube.com/watch?v=1", room="lobby") == [("youtube.com", "link")]
    assert found("watch youtube.com/watch?v=1") == [("youtube.com", "link")]


def test_the_span_covers_the_whole_link_so_a_mask_hides_it():
    text = "go to https://spam.xyz/free?x=1 now"
    (match,) = PROVIDER.moderate(text, timeout=1.0).matches

    assert text[match.start : match.end] == "https://spam.xyz/free?x=1"


def test_rules_decide_what_links_do_where():
    policy = msgspec.convert(
        {
            "providers": [
                {"name": "blocklist"},
                {"name": "links", "block": ["evil.com"], "roomBlock": {"kids-*": ["youtube.com"]}},
            ],
            "rules": [
                {
                    "match": {"provider": "links", "categories": ["blocked_domain"]},
                    "action": "reject",
                },
                {"match": {"provider": "links", "rooms": ["kids-*"]}, "action": "mask"},
                {"match": {"provider": "links"}, "action": "accept"},
            ],
        },
        ModerationPolicy,
    )
    engine = build_engine(policy, keys={})

    def decide(text: str, room: str) -> tuple[Outcome, str | None]:
        decision = engine.moderate(text, room=room, context=MessageContext(room=room))
        return decision.outcome, decision.text

    assert decide("see example.com", "lobby") == (Outcome.ACCEPT, None)
    assert decide("see example.com", "kids-1") == (Outcome.MASK, "see ***********")
    assert decide("see evil.com", "lobby")[0] is Outcome.REJECT
    assert decide("see youtube.com", "kids-1")[0] is Outcome.REJECT


def test_no_time_left_is_a_timeout():
    from chatmod.moderation.base import ProviderTimeoutError

    with pytest.raises(ProviderTimeoutError):
        PROVIDER.moderate("x.com", timeout=0)


# --- links from new senders -------------------------------------------------------


def test_links_from_a_sender_with_few_published_messages_are_new_sender_links():
    from chatmod.core.deadline import Deadline
    from chatmod.core.policy_runtime import RuntimePolicy
    from chatmod.enforcement.bans import StrikeRef
    from chatmod.moderation.pipeline import ModerationPipeline, Submission, Verdict
    from tests.support.sender_store import InMemorySenderStore

    policy = msgspec.convert(
        {
            "providers": [{"name": "blocklist"}, {"name": "links", "trustAfterMessages": 2}],
            "rules": [
                {
                    "match": {"provider": "links", "categories": ["new_sender_link"]},
                    "action": "reject",
                    "strike": False,
                },
                {"match": {"provider": "links"}, "action": "accept"},
            ],
        },
        ModerationPolicy,
    )
    store = InMemorySenderStore()
    pipeline = ModerationPipeline(
        RuntimePolicy(moderation=policy), build_engine(policy, keys={}), store, clock=lambda: 1e9
    )
    refs = iter(range(100))

    def send(text: str, client: str = "newbie") -> Verdict:
        submission = Submission(
            text=text, client_id=client, room="lobby", ref=StrikeRef(f"m{next(refs)}")
        )
        return pipeline.run(submission, Deadline(5)).verdict

    first = send("join my server at spam.gg")
    chatting = [send("hello"), send("how are you")]
    later = send("join my server at spam.gg")

    assert first is Verdict.REJECT
    assert chatting == [Verdict.ACCEPT, Verdict.ACCEPT]
    assert later is Verdict.ACCEPT  # two messages published: trusted
    assert store.published == {"newbie": 2}  # counted up to the bar, then no more writes
    calls_before = store.round_trips
    send("more chat")
    assert store.round_trips - calls_before == 1  # the read only
