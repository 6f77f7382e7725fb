"""Test-wide settings (fast hashing, immediate tasks, no lockouts) and the shared browser."""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("OPUS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.AXES_ENABLED = False
    settings.OPUS_API_RATE_LIMITS = False  # on in test_ratelimit.py, which counts its own
    settings.OPUS_DEMO_SERVICES = 120  # a small demo directory (opus/directory/demo.py)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(scope="session", autouse=True)
def _flush_past_append_only_triggers():
    """SQLite's audit and ledger tables refuse DELETE, which the test runner's flush uses."""
    from opus.testing import flush_past_append_only_triggers

    flush_past_append_only_triggers()


@pytest.fixture
def cast(db):
    from opus.testing import create_cast

    return create_cast()


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (which cannot download its own browser here)."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Debian's chromium is needed for browser tests; not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls the
    # tests make meanwhile are ordinary synchronous ones.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def demo_world(transactional_db):
    """The synthetic county, for tests that walk through pages as people would."""
    import importlib

    from django.apps import apps
    from django.core.management import call_command

    # An earlier transactional test's flush empties the tables, the needs taxonomy that a
    # migration ships included: put it back, as a fresh installation has it.
    importlib.import_module("opus.directory.migrations.0002_local_needs_taxonomy").load(apps, None)
    call_command("seed_demo", "--seed", "3", verbosity=0)
