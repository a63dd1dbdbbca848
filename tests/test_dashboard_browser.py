"""The dashboard in a real browser: Solara serves the page on localhost, Playwright drives Debian's chromium.

The server runs in a subprocess on a free port; the browser is headless
chromium with a fresh profile and no background networking (this machine
reaches no CDN: the page's front-end files come from Solara's filled cache).
A screenshot is saved to test-artifacts/dashboard.png.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import unavailable

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(os.environ.get("REDPHONE_TEST_ARTIFACTS") or ROOT / "test-artifacts")  # where the screenshot goes
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SERVER_START_S, PAGE_READY_MS, STEP_MS = 180, 180_000, 60_000

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]  # one server and one browser, on one worker (make test runs two)


def _need_browser():
    if not os.path.exists(CHROMIUM):
        unavailable("a browser (chromium)", "apt-get install chromium (as root, `make test` installs it)")
    pytest.importorskip("playwright.sync_api")
    check = subprocess.run([sys.executable, str(ROOT / "scripts/dashboard/fetch_solara_assets.py"), "--check"], capture_output=True, text=True)
    if check.returncode != 0:
        unavailable("the dashboard's front-end files", "npm, then `make dashboard-assets` (fetches them from the npm registry)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Dashboard:
    """``make dashboard`` (the README's command, through the Makefile target itself) on a free port, in its own
    process group; ``url`` once the page answers, ``stop()`` ends it and returns its log."""

    def __init__(self, log_path: Path):
        self.port, self.log_path = _free_port(), log_path
        venv = Path(sys.prefix) if sys.prefix != sys.base_prefix else None  # this venv, wherever make would look
        make = ["make", "-s", "--no-print-directory", "dashboard", "HOST=127.0.0.1", f"PORT={self.port}", "STAMP="]
        if venv is not None:
            make.append(f"VENV={venv}")
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        with open(log_path, "w") as log:
            self.proc = subprocess.Popen(make, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.url = f"http://127.0.0.1:{self.port}/"

    def wait(self) -> str:
        deadline = time.monotonic() + SERVER_START_S
        while True:
            if self.proc.poll() is not None:
                pytest.fail(f"make dashboard exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    if response.status == 200:
                        return response.read().decode(errors="replace")
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"make dashboard did not answer within {SERVER_START_S} s:\n{self.log()[-3000:]}")
            time.sleep(0.5)

    def log(self) -> str:
        return self.log_path.read_text()

    def stop(self) -> str:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.log()


def _need_assets():
    check = subprocess.run([sys.executable, str(ROOT / "scripts/dashboard/fetch_solara_assets.py"), "--check"], capture_output=True, text=True)
    if check.returncode != 0:
        unavailable("the dashboard's front-end files", "npm, then `make dashboard-assets` (fetches them from the npm registry)")


def test_make_dashboard_starts_and_serves_the_page(tmp_path):
    """The README's command itself: ``make dashboard`` starts, the page answers, the app loads without an error
    (it failed at start with ModuleNotFoundError: the console script found no checkout on its path)."""
    _need_assets()
    dashboard = Dashboard(tmp_path / "make-dashboard.log")
    try:
        page = dashboard.wait()
    finally:
        log = dashboard.stop()
    assert "<html" in page.lower(), page[:500]
    assert "open http://127.0.0.1" in log, log[-3000:]
    assert "Traceback" not in log and "Error" not in log, log[-3000:]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _need_browser()
    dashboard = Dashboard(tmp_path_factory.mktemp("solara") / "server.log")
    try:
        dashboard.wait()
        yield dashboard.url
    finally:
        log = dashboard.stop()
    assert "Traceback" not in log, log[-3000:]


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p, tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, viewport={"width": 1500, "height": 1400},
        )
        yield context
        context.close()


def open_dashboard(browser, server):
    page = browser.new_page()
    page.goto(server)
    page.get_by_role("button", name="Step", exact=True).first.wait_for(timeout=PAGE_READY_MS)
    page.locator(".redphone-run-info").wait_for(timeout=PAGE_READY_MS)
    return page


def run_info(page) -> str:
    return page.locator(".redphone-run-info").inner_text()


def step(page, days_before: int):
    page.get_by_role("button", name="Step", exact=True).first.click()
    page.wait_for_function(
        "n => (document.querySelector('.redphone-run-info') || {innerText: ''}).innerText.includes(`over ${n} days`)",
        arg=days_before + 1, timeout=STEP_MS,
    )


def rendered_plots(page) -> list[str]:
    """Each view's image source, read in the same instant the browser shows all four as real, decoded images.

    Read atomically in the page: Solara may swap an image node while the model
    updates, so a screenshot of a node taken a moment later can find it gone."""
    handle = page.wait_for_function(
        "() => { const im = [...document.querySelectorAll('.redphone-view img')];"
        " const ok = im.length === 4 && im.every(i => i.complete && i.naturalWidth > 100 && i.naturalHeight > 100);"
        " return ok ? im.map(i => i.src) : false; }",
        timeout=PAGE_READY_MS,
    )
    return handle.json_value()


def test_hotline_on_step_and_watch_plots_and_log_change(browser, server):
    page = open_dashboard(browser, server)
    assert re.search(r"backend \w+; devices \w+:\d", run_info(page)), run_info(page)
    before = rendered_plots(page)
    assert "Nothing yet" in page.locator(".redphone-event-log").inner_text()

    hotline = page.get_by_label("Leader hotline")
    assert hotline.get_attribute("aria-checked") == "false"  # the 2025 status quo has no leader hotline
    page.locator("label", has_text="Leader hotline").click()  # Vuetify's ripple covers the input itself
    page.wait_for_function("el => el.getAttribute('aria-checked') === 'true'", arg=hotline.element_handle(), timeout=STEP_MS)
    page.get_by_role("button", name="Reset", exact=True).first.click()
    page.wait_for_function(
        "() => (document.querySelector('.redphone-run-info') || {innerText: ''}).innerText.includes('Leader hotline')",
        timeout=PAGE_READY_MS,
    )
    for day in range(8):
        step(page, day)
    log = page.locator(".redphone-event-log").inner_text()
    assert "day 0: a crisis opens; a severe attack hits India" in log
    assert "the leaders talk on the hotline" in log, log
    after = rendered_plots(page)
    assert all(a != b for a, b in zip(after, before)), "a view did not change after eight days"

    info = run_info(page)
    last_day_ms = float(re.search(r"last day ([\d.]+) ms", info).group(1))
    assert last_day_ms < 1000, info
    assert "10,000 citizens and 50 outlets per side" in info
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS / "dashboard.png", full_page=True)
    print(f"\n{info}")
    page.close()


def test_bad_values_get_a_message_and_build_nothing(browser, server):
    page = open_dashboard(browser, server)
    citizens = page.locator(".redphone-input-n_public input")
    citizens.fill("-5")
    citizens.press("Enter")
    problems = page.locator(".redphone-setup-problems")
    problems.wait_for(timeout=STEP_MS)
    assert "population.public = -5: expected a whole number in [2, 16777216] (citizens per side)" in problems.inner_text()
    outlets = page.locator(".redphone-input-n_media input")
    outlets.fill("many")
    outlets.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.redphone-setup-problems').innerText.includes('population.media')", timeout=STEP_MS
    )

    page.get_by_role("button", name="Reset", exact=True).first.click()  # keeps the last valid set-up
    step(page, 0)
    assert "10,000 citizens and 50 outlets per side" in run_info(page)
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Error in" not in body

    citizens.fill("2000")
    citizens.press("Enter")
    outlets.fill("20")
    outlets.press("Enter")
    problems.wait_for(state="detached", timeout=STEP_MS)
    page.get_by_role("button", name="Reset", exact=True).first.click()
    page.wait_for_function(
        "() => (document.querySelector('.redphone-run-info') || {innerText: ''}).innerText.includes('2,000 citizens and 20 outlets')",
        timeout=PAGE_READY_MS,
    )
    page.close()
