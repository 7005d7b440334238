"""The command lines of the local tools: ``--help`` helps, make passes its options on."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from chatmod_local import demo

ROOT = Path(__file__).resolve().parents[2]


def test_demo_help_prints_usage_and_plays_nothing(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a demo that would fail loudly if it started
    def no_system(port: int) -> None:
        raise AssertionError("--help must not start the demo")

    monkeypatch.setattr(demo, "local_system", no_system)
    # When it is asked for --help
    with pytest.raises(SystemExit) as exit_:
        demo.main(["--help"])
    # Then it prints its usage, names the port variable, and exits 0
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "usage: python -m chatmod_local.demo" in out
    assert "CHATMOD_LOCAL_PORT" in out


def test_demo_port_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHATMOD_LOCAL_PORT", "9999")
    assert demo.parse_args([]).port == 9999
    assert demo.parse_args(["--port", "8000"]).port == 8000


def _make(*args: str) -> str:
    make = shutil.which("make")
    if make is None:
        pytest.skip("no make")
    return subprocess.run(  # noqa: S603 - make, our own Makefile
        [make, "-s", "-C", str(ROOT), *args], capture_output=True, text=True, check=True
    ).stdout


def test_make_load_passes_use_running() -> None:
    assert "--use-running" in _make("-n", "load", "USE_RUNNING=1")
    assert "--use-running" not in _make("-n", "load")


def test_make_help_says_which_port_make_demo_uses() -> None:
    demo_line = next(line for line in _make("help").splitlines() if "make demo" in line)
    assert "CHATMOD_LOCAL_PORT" in demo_line


def test_make_token_without_user_says_how_to_call_it() -> None:
    make = shutil.which("make")
    if make is None:
        pytest.skip("no make")
    # USER from the login environment is not a client id: USER= must be on the command line
    run = subprocess.run(  # noqa: S603 - make, our own Makefile
        [make, "-s", "-C", str(ROOT), "token"], capture_output=True, text=True, check=False
    )
    assert run.returncode != 0
    assert "make token USER=<clientId> [MODERATOR=1]" in run.stderr
    assert "--user" in _make("-n", "token", "USER=carol", "MODERATOR=1")
    assert "--moderator" in _make("-n", "token", "USER=carol", "MODERATOR=1")
    assert "--stage prod" in _make("-n", "policy", "STAGE=prod", "FILE=p.json")
    assert "--stage" not in _make("-n", "policy")
