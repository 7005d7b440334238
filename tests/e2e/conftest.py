"""One local system for all end-to-end tests: moto, the Ably emulator, the HTTP API, pollers.

Started on free ports, in this process (threads), once for the ``tests/e2e`` package
(a package-scoped fixture: this directory has an ``__init__.py`` for that), and stopped
when its last test is done (so no other suite sees it); the environment and chatmod's
caches are restored. Tests share it, so each works with fresh users (``new_user``) and
puts back whatever it changes (``make policy``'s test restores the policy).
The policy rejects instead of masking (so strikes climb the ladder), and the
emulator's before-publish rule covers rooms named ``bp-*`` only, so chat messages
in other rooms reach the async path unjudged, as with a rule filtered by room.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from chatmod_local.client import AblyUser, ApiUser
from chatmod_local.system import LocalConfig, LocalSystem
from tests.support.console import CHROMIUM, CHROMIUM_ARGS

_users = itertools.count(1)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package")
def system() -> Iterator[LocalSystem]:
    local = LocalSystem(
        LocalConfig(
            api_port=0,
            policy_overrides={"moderation": {"onMatch": "reject"}},
            before_publish_rooms=r"^bp-",
        )
    ).start()
    try:
        yield local
    finally:
        local.stop()


@pytest.fixture
def load_seconds(request: pytest.FixtureRequest) -> float:
    """How long the load test sends (``--load-seconds``; 2 s in the suite)."""
    return float(request.config.getoption("load_seconds"))


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=15) as client:
        yield client


@pytest.fixture
def new_user(system: LocalSystem, http: httpx.Client):  # type: ignore[no-untyped-def]
    """A fresh user (no strikes, no ban) calling the API: ``new_user()`` → ApiUser."""

    def make(moderator: bool = False) -> ApiUser:
        name = f"{'mod' if moderator else 'user'}-{next(_users)}"
        return ApiUser(http, system.info()["apiUrl"], system.token_for(name, moderator=moderator))

    return make


@pytest.fixture
def moderator(new_user) -> ApiUser:  # type: ignore[no-untyped-def]
    return new_user(moderator=True)


@pytest.fixture
def ably_user(system: LocalSystem, http: httpx.Client):  # type: ignore[no-untyped-def]
    """A user of the emulator authorized through chatmod's /token: ``ably_user(api_user)``."""

    def make(api_user: ApiUser) -> AblyUser:
        user = AblyUser(http, system.info()["ablyUrl"], api_user)
        assert user.authorize().status_code == 200
        return user

    return make


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless, for one console module."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh page at 1280x800; the test fails if the page threw."""
    # axe-core is injected as an inline script, which the console's CSP rightly refuses:
    # only the accessibility tests bypass it.
    bypass_csp = request.node.get_closest_marker("axe") is not None
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, accept_downloads=True, bypass_csp=bypass_csp
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"the page threw: {errors}"
