"""The one `browser` fixture (rebond/conftest.py): only for tests marked `browser`, and the
environment it needs for Django's ORM is set only while such a test runs."""

from __future__ import annotations

import asyncio
import os

import pytest
from playwright.sync_api import Browser

from rebond.accounts.models import User

# What the environment held before any test of this run, whatever the shell exported.
UNSAFE_AT_IMPORT = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")


def test_the_browser_fixture_refuses_a_test_not_marked_browser(
    request: pytest.FixtureRequest,
) -> None:
    # Refused before Chromium starts: a test the fast leg cannot deselect must not use it.
    with pytest.raises(pytest.fail.Exception, match="without the `browser` marker"):
        request.getfixturevalue("browser")


@pytest.mark.browser
@pytest.mark.django_db
def test_a_browser_test_may_use_the_orm_between_browser_steps(browser: Browser) -> None:
    context = browser.new_context()
    assert os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"
    assert User.objects.count() == 0
    context.close()


@pytest.mark.django_db
def test_after_a_browser_test_the_environment_is_as_before(
    request: pytest.FixtureRequest,
) -> None:
    # Run after the browser test above in one process (-n 0, or the same xdist worker), with
    # the session's Chromium still open: no event loop is marked running in this thread.
    assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == UNSAFE_AT_IMPORT
    with pytest.raises(RuntimeError, match="no running event loop"):
        asyncio.get_running_loop()
    assert User.objects.count() == 0
