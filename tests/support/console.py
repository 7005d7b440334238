"""The moderator console in a browser: where chromium and axe-core are, and what every test does.

Shared by ``tests/e2e/test_console*.py`` (the ``browser`` and ``page`` fixtures live in
``tests/e2e/conftest.py``): sign in as a local user, run axe-core in the page, save
screenshots at the two sizes the issue names, ask ``/token`` whether a user is refused.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from chatmod_local.console import BUILD
from chatmod_local.system import LocalSystem

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-results" / "console"
VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
# The flags a root, offline, headless machine needs (no sandbox as root; no background
# connections, which this machine's closed network would refuse many at a time).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Skip a console module where the build or the browser is missing.
needs_console = pytest.mark.skipif(
    not (BUILD / "index.html").is_file() or not Path(CHROMIUM).exists(),
    reason="needs `make console` and Debian's chromium (.ci/run installs both)",
)


def console_url(system: LocalSystem) -> str:
    return str(system.info()["consoleUrl"])


def sign_in(page: Page, system: LocalSystem, user: str = "moderator", view: str = "") -> None:
    """Sign in on the local sign-in as ``user``, then open ``#/<view>`` if one is named."""
    page.goto(console_url(system))
    page.get_by_label(user, exact=False).first.check()
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {user}")).to_be_visible()
    if view:
        page.goto(f"{console_url(system)}#/{view}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()


def axe_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical findings on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


def shoot(page: Page, name: str) -> None:
    """Full-page screenshots at 1280x800 and 390x844; the phone one must not scroll sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in VIEWPORTS.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{label}.png"), full_page=True)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
    page.set_viewport_size({"width": 1280, "height": 800})


def token_status(system: LocalSystem, client_id: str) -> int:
    """What ``GET /token`` answers ``client_id`` (200, or 403 while banned)."""
    api = system.info()["apiUrl"]
    bearer = system.token_for(client_id, moderator=False)
    return httpx.get(f"{api}/token", headers={"authorization": f"Bearer {bearer}"}).status_code
