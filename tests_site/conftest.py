"""The site's tests (make test-site): the built site, one Chromium for all of them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import build_site  # noqa: E402
import check_site  # noqa: E402

SITE = ROOT / "build" / "site"


def pytest_configure(config):
    # Sphinx 9 announces its extensions' uses of APIs it drops in Sphinx 11 (pinned below 10).
    config.addinivalue_line("filterwarnings", "ignore::PendingDeprecationWarning")


@pytest.fixture(scope="session")
def site() -> Path:
    """``build/site``, as ``make site`` left it (built here when it is missing)."""
    if not (SITE / "index.html").is_file():
        assert build_site.main(["--out", str(SITE)]) == 0, "make site fails: see above"
    return SITE


@pytest.fixture(scope="session")
def driver():
    with check_site.chromium() as driver:
        yield driver


@pytest.fixture(scope="session")
def base(site):
    """The built site's address on 127.0.0.1."""
    with check_site.serve(site) as base:
        yield base
