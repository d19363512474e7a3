"""Fixtures shared by every test folder."""

import os
import shutil

import pytest


@pytest.fixture(scope="session")
def chromium_executable():
    """Path of the Chromium that browser tests drive: Debian's `chromium`, or $CHROMIUM.

    Without one the test is skipped with the reason below, which `-ra` prints in pytest's
    summary: a browser test that cannot run never passes silently.
    """
    path = shutil.which(os.environ.get("CHROMIUM", "chromium"))
    if path is None:
        pytest.skip(
            "chromium not found: install it with `sudo apt-get install -y chromium` "
            "(./course test does so as root or with passwordless sudo), "
            "or set CHROMIUM=/path/to/chromium"
        )
    return path
