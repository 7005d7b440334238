"""docs/configuration.md is generated from the config model and kept current (`make docs`)."""

from __future__ import annotations

from tools.config_docs import MEANINGS, OUTPUT, documented_keys, render


def test_the_committed_reference_is_current():
    assert OUTPUT.read_text() == render(), "docs/configuration.md is stale: run `make docs`"


def test_every_key_has_a_meaning_and_no_meaning_is_stale():
    keys = documented_keys()

    assert sorted(set(keys) - set(MEANINGS)) == []
    assert sorted(set(MEANINGS) - set(keys)) == []


def test_the_reference_shows_types_defaults_and_ranges_from_the_model():
    text = render()

    assert "| `moderation.retryTimeoutMs` | integer | `1000` | 0 to 5000 | whole budget" in text
    assert "| `ably.accountId` | string | **required** |" in text
    assert "## Provider `hive` (an entry of `moderation.providers`)" in text


def test_the_readme_points_at_the_reference_instead_of_repeating_it():
    readme = (OUTPUT.parents[1] / "README.md").read_text()
    section = readme.split("## Configuration reference", 1)[1].split("\n## ", 1)[0]

    assert "docs/configuration.md" in section
    assert "| key |" not in section
