"""Browser fixtures: the `app` fixture served over HTTP, and a phone-sized Chromium page.

Chromium is Debian's /usr/bin/chromium (installed by scripts/ensure-browser.sh from `make test`);
never `playwright install`, which downloads a browser and fails offline. A missing browser is a
test failure, not a skip, so a broken setup cannot pass silently.
"""

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@pytest.fixture
def live_server(app):
    """Serve `app` on a free local port in a daemon thread; yield its base URL.

    Each request thread pushes its own app context (the test thread keeps the one the `app`
    fixture pushed, so the test can query the database directly).
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def browser_page():
    """A Chromium page the size of a phone, Chinese locale; everything closed afterwards."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's Chromium and a CJK font. "
            "Run `make test` (scripts/ensure-browser.sh installs chromium and fonts-wqy-microhei) "
            "or `apt-get install chromium fonts-wqy-microhei`. Do not use `playwright install`.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(
                viewport=PHONE,
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale="zh-CN",
                timezone_id="Asia/Shanghai",
            )
            context.set_default_timeout(10_000)
            try:
                yield context.new_page()
            finally:
                context.close()
        finally:
            browser.close()


@pytest.fixture
def screenshot(browser_page):
    """screenshot("01-form") saves a full-page PNG under test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name):
        path = SCREENSHOTS / f"{name}.png"
        browser_page.screenshot(path=str(path), full_page=True)
        return path

    return take
