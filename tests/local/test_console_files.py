"""Local mode serves the console's local build at /console/, with its config and headers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatmod_local.console import PREFIX, ConsoleFiles


@pytest.fixture
def build(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>console</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log('hi')")
    (tmp_path.parent / "secret.txt").write_text("not for the browser")
    return tmp_path


def test_the_bare_prefix_redirects_to_the_folder(build):
    assert ConsoleFiles(build).answer("/console") == (308, {"location": "/console/"}, b"")


def test_index_and_assets_are_served_with_their_types_and_security_headers(build):
    files = ConsoleFiles(build)

    status, headers, body = files.answer("/console/")  # type: ignore[misc]
    assert (status, headers["content-type"], body) == (
        200,
        "text/html",
        b"<!doctype html><title>console</title>",
    )
    assert headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"

    status, headers, _ = files.answer("/console/assets/index-abc123.js")  # type: ignore[misc]
    assert status == 200
    assert headers["content-type"] == "text/javascript"
    assert "immutable" in headers["cache-control"]


def test_config_points_the_console_at_this_origin_with_local_sign_in(build):
    status, headers, body = ConsoleFiles(build, stage="dev").answer("/console/config.json")  # type: ignore[misc]

    assert status == 200
    assert headers["cache-control"] == "no-store"
    assert json.loads(body) == {"apiUrl": "", "stage": "dev", "signIn": "local"}


def test_config_points_the_live_view_at_the_emulator_when_told(build):
    files = ConsoleFiles(build)
    files.use_ably("127.0.0.1", 8010)

    _, _, body = files.answer("/console/config.json")  # type: ignore[misc]

    assert json.loads(body)["ably"] == {"endpoint": "127.0.0.1", "port": 8010, "tls": False}


@pytest.mark.parametrize(
    "path", ["/console/../secret.txt", "/console/assets/../../secret.txt", "/console/missing.js"]
)
def test_nothing_outside_the_build_and_nothing_missing_is_served(build, path):
    status, _, body = ConsoleFiles(build).answer(path)  # type: ignore[misc]

    assert status == 404
    assert b"not for the browser" not in body


def test_other_paths_are_not_the_consoles(build):
    files = ConsoleFiles(build)

    assert files.answer("/consoles") is None
    assert files.answer("/moderation/bans") is None
    assert PREFIX == "/console"


def test_an_unbuilt_console_says_how_to_build_it(tmp_path):
    status, _, body = ConsoleFiles(tmp_path / "nothing").answer("/console/")  # type: ignore[misc]

    assert status == 404
    assert b"make console" in body
