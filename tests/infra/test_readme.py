"""The README's configuration examples are valid stage settings (the README stays true)."""

from __future__ import annotations

import json
import re

import pytest

from stacks.config import load_stage_config
from tests.support.cdk_app import ROOT, cdk_context, deep_merge

README = (ROOT / "README.md").read_text()
SECTION = README.split("## Moderation providers", 1)[1].split("\n## ", 1)[0]
EXAMPLES = re.findall(r"```json\n(.*?)```", SECTION, flags=re.DOTALL)


def test_every_provider_has_a_worked_example():
    names = {m for block in EXAMPLES for m in re.findall(r'"name": "(\w+)"', block)}

    assert names == {"blocklist", "hive", "openai", "comprehend", "azure", "http", "links"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: re.findall(r'"name": "(\w+)"', e)[-1])
def test_each_example_is_a_valid_stage_setting(example):
    overrides = json.loads("{" + example + "}")
    context = cdk_context()
    context["chatmod:stages"]["dev"] = deep_merge(context["chatmod:stages"]["dev"], overrides)

    _, config = load_stage_config(context, "dev")

    assert [p.name for p in config.moderation.providers] == re.findall(r'"name": "(\w+)"', example)


RULES = README.split("## Rules: what each category does", 1)[1].split("\n## ", 1)[0]


def test_the_rules_example_is_a_valid_stage_setting_that_does_what_its_sentence_says():
    from chatmod.moderation.blocklist import BlocklistProvider
    from chatmod.moderation.engine import ConfiguredProvider, ModerationEngine, Outcome
    from tests.unit.moderation.test_rules import Scripted

    example = re.findall(r"```json\n(.*?)```", RULES, flags=re.DOTALL)[0]
    overrides = json.loads("{" + example + "}")
    context = cdk_context()
    context["chatmod:stages"]["dev"] = deep_merge(context["chatmod:stages"]["dev"], overrides)
    _, config = load_stage_config(context, "dev")
    moderation = config.moderation

    def decide(openai: dict[str, float], text: str = "hello", **where: str):
        chain = [
            ConfiguredProvider(BlocklistProvider.default(), {}, default_threshold=1, local=True),
            ConfiguredProvider(
                Scripted("openai", openai), dict(moderation.providers[1].thresholds)
            ),
            ConfiguredProvider(Scripted("comprehend", {"TOXICITY": 0.99}), {"TOXICITY": 0.8}),
        ]
        return ModerationEngine(moderation, chain).moderate(text, **where)

    swearing = decide({}, "well shit")
    assert (swearing.outcome, swearing.rule) == (Outcome.MASK, "swearing")
    assert [o.rule for o in swearing.observed] == ["stricter-swearing", "default"]
    assert decide({"harassment": 0.8}).outcome is Outcome.HOLD
    assert decide({"violence": 0.9}).action == "timeout"
    assert decide({"sexual/minors": 0.5}).duration_seconds == 86400
    assert decide({}, "well shit", room="kids-lobby").action == "warn"
    assert decide({"violence": 0.9}, role="moderator").outcome is Outcome.ACCEPT
    assert decide({}).outcome is Outcome.ACCEPT  # comprehend's 0.99 is only observed


# --- The quickstart, the table of contents and the links stay true ------------------------

DOCS = sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(markdown: str) -> set[str]:
    """Every anchor a Markdown page has: its headings' slugs (numbered when repeated), ids."""
    body = re.sub(r"```.*?```", "", markdown, flags=re.DOTALL)  # no headings in code blocks
    anchors: set[str] = set()
    for heading in re.findall(r"(?m)^#{1,6} (.+)$", body):
        slug, n = _slug(heading), 1
        candidate = slug
        while candidate in anchors:
            candidate, n = f"{slug}-{n}", n + 1
        anchors.add(candidate)
    return anchors | set(re.findall(r'<a (?:id|name)="([^"]+)"', body))


def _section(markdown: str, heading: str) -> str:
    return markdown.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def _links(markdown: str) -> list[str]:
    body = re.sub(r"```.*?```", "", markdown, flags=re.DOTALL)
    return [target for target in LINK.findall(body) if "://" not in target]


def test_the_first_screen_is_what_chatmod_is_then_contents_then_the_quickstart():
    headings = re.findall(r"(?m)^## (.+)$", re.sub(r"```.*?```", "", README, flags=re.DOTALL))
    assert headings[:3] == ["Contents", "Quickstart", "Connect your app"]
    intro = README.split("\n## Contents", 1)[0]
    assert "Ably" in intro
    assert "before-publish" in intro  # the architecture picture
    assert len(intro.splitlines()) <= 40


def test_every_contents_entry_points_at_a_heading():
    contents = _section(README, "## Contents")
    targets = [t for t in LINK.findall(contents)]
    assert len(targets) >= 15
    anchors = _anchors(README)
    assert [t for t in targets if t.lstrip("#") not in anchors] == []


def test_every_top_level_section_is_in_the_contents():
    contents = _section(README, "## Contents")
    body = re.sub(r"```.*?```", "", README, flags=re.DOTALL)
    for heading in re.findall(r"(?m)^## (.+)$", body):
        if heading != "Contents":
            assert f"](#{_slug(heading)})" in contents, heading


@pytest.mark.parametrize(
    "page", [ROOT / "README.md", *DOCS], ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_relative_link_resolves_to_a_file_and_an_anchor(page):
    text = page.read_text()
    broken = []
    for target in _links(text):
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists():
            broken.append(f"{target}: no file {resolved.relative_to(ROOT)}")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved.read_text()):
            broken.append(f"{target}: no heading #{anchor} in {resolved.relative_to(ROOT)}")
    assert broken == []


def test_the_internals_moved_to_docs_and_the_readme_links_them():
    for page, heading in [
        ("docs/internals.md", "## Locked dependencies"),
        ("docs/internals.md", "### Where boto3 comes from"),
        ("docs/internals.md", "## Tracing"),
        ("docs/internals.md", "## SnapStart"),
        ("docs/local-mode.md", "## Ably emulator"),
        ("docs/benchmarks.md", "# Benchmarks"),
        ("docs/moderation-paths.md", "## Before-publish answers"),
    ]:
        assert f"\n{heading}\n" in "\n" + (ROOT / page).read_text(), (page, heading)
        assert f"]({page})" in README or f"]({page}#" in README, page
    for internal in ("## Locked dependencies", "## Tracing", "## SnapStart", "## Benchmarks"):
        assert f"\n{internal}\n" not in README


def test_setup_is_exactly_two_commands():
    block = _section(README, "### Two commands").split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make local", "make test"]


def test_every_make_target_the_readme_names_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"(?m)^([a-z][a-z-]*):", makefile))
    named = set(re.findall(r"\bmake (?:-s )?([a-z][a-z-]+)\b", README))
    assert named
    assert named - targets == set()


def test_the_quickstart_commands_are_what_the_tools_accept():
    quickstart = _section(README, "## Quickstart")
    # the example and the options the quickstart passes it
    example = (ROOT / "examples" / "node_chat_client.mjs").read_text()
    for command in re.findall(r"(?m)^node (examples/\S+)((?: --[\w-]+(?: \w+)?)*)", quickstart):
        path, options = command
        assert (ROOT / path).is_file(), path
        for option in re.findall(r"--([\w-]+)", options):
            assert f"'{option}': {{" in example or f"  {option}: {{" in example, option
    # the curl's route is a route of the API
    routes = json.loads((ROOT / "docs" / "openapi.json").read_text())["paths"]
    for path in re.findall(r"curl -s http://127\.0\.0\.1:8787(/\S+)", quickstart):
        assert path.rstrip('"') in routes, path
    # the variables it names are read by local mode or the examples
    sources = (
        "".join(p.read_text() for p in (ROOT / "local" / "chatmod_local").glob("*.py")) + example
    )
    for variable in set(re.findall(r"\b(CHATMOD_[A-Z_]+)\b", quickstart)):
        assert variable in sources, variable


def test_the_quickstart_outputs_are_what_the_tools_print():
    from chatmod_local.__main__ import banner
    from chatmod_local.metrics import MetricsSettings

    quickstart = _section(README, "## Quickstart")
    blocks = [b for lang, b in re.findall(r"(?ms)^```(\w*)\n(.*?)^```", quickstart) if not lang]
    local_block = next(b for b in blocks if b.startswith("chatmod is running locally"))
    info = {
        "apiUrl": "http://127.0.0.1:8787",
        "consoleUrl": "http://127.0.0.1:8787/console/",
        "ablyUrl": "http://127.0.0.1:1",
        "ablyKey": "k",
        "awsUrl": "http://127.0.0.1:2",
        "region": "eu-west-1",
        "parameters": {"policy": "/chatmod/dev/policy"},
        "awsCli": "export X=1",
        "beforePublishSecret": "s",
        "tokens": {"alice": "a", "bob": "b", "moderator": "m"},
        "stage": "dev",
    }
    rendered = banner(info, 3.2, MetricsSettings())
    # every label of the README's banner is one make local prints, and the metrics line is its
    for line in local_block.splitlines():
        label = re.match(r"^(  [A-Za-z (),-]+?)(?:  |$)", line)
        if label and line.strip() != "…":
            assert label.group(1) in rendered, line
    assert [line for line in local_block.splitlines() if line.startswith("  metrics")] == [
        line for line in rendered.splitlines() if line.startswith("  metrics")
    ]
    # the demo's chapters are the demo's
    demo_source = (ROOT / "local" / "chatmod_local" / "demo.py").read_text()
    demo_block = next(b for b in blocks if b.startswith("using the local system"))
    for chapter in re.findall(r"(?m)^(\d\. [^(\n]+)", demo_block):
        assert chapter.strip() in demo_source, chapter
    # the Node example's lines are the formats the end-to-end test checks
    node_block = next(b for b in blocks if b.startswith("sent      "))
    assert re.match(r'sent      "hello from ably-js": serial \S+\n', node_block)
    assert 'latest in "lobby":' in node_block


def test_the_ably_js_snippet_is_the_example_s_own_code():
    snippet = _section(README, "## Quickstart").split("```js\n", 1)[1].split("```", 1)[0]
    example = {
        line.split("//", 1)[0].strip()
        for line in (ROOT / "examples" / "node_chat_client.mjs").read_text().splitlines()
    }
    code = [line.split(" //", 1)[0].strip() for line in snippet.splitlines()]
    missing = [line for line in code if len(line) > 3 and line not in example]
    assert missing == []
    assert sum(len(line) > 3 for line in code) >= 10


def test_every_moderator_route_is_in_the_moderator_api_table():
    routes = json.loads((ROOT / "docs" / "openapi.json").read_text())["paths"]
    table = README.split("### Moderator API", 1)[1].split("\n### ", 1)[0]
    for path, operations in routes.items():
        if path.startswith("/moderation/"):
            for method in operations:
                assert re.search(rf"`{method.upper()} {re.escape(path)}[`?]", table), (method, path)


def test_the_cross_message_example_is_a_valid_stage_setting():
    section = RULES.split("### Across messages", 1)[1]
    (example,) = re.findall(r"```json\n(.*?)```", section, flags=re.DOTALL)
    overrides = {"moderation": json.loads("{" + example + "}")}
    context = cdk_context()
    context["chatmod:stages"]["dev"] = deep_merge(context["chatmod:stages"]["dev"], overrides)

    _, config = load_stage_config(context, "dev")

    assert config.moderation.cross_message[0].repeats is not None
