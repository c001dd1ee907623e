"""Headless Chromium (Debian's `chromium` package) driven by Playwright, for the UI's browser tests.

Playwright's own browser download needs its CDN; this machine reaches only PyPI, Debian and npm, so the tests use
the system Chromium through `executable_path`. A missing browser fails with what to install: a skip would hide it.
"""

from __future__ import annotations

import shutil

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
INSTALL = "apt-get install -y chromium fonts-noto-cjk (`.ci/run` does this on a fresh machine)"


def chromium_path() -> str:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError(f"no Chromium found on PATH ({', '.join(CANDIDATES)}); install it: {INSTALL}")


def launch(playwright):
    """A headless Chromium: `--no-sandbox` because CI runs as root, where Chromium's sandbox will not start."""
    return playwright.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
