"""``sim explore`` in a real browser: headless Debian Chromium driven by Playwright (no browser download).

One app subprocess serves both tests of the module: the page reacts to a lever, and the server
listens on 127.0.0.1 only. The browser test skips when Chromium is absent, unless ``CI`` is set,
where it fails. Its screenshot is kept as a test artefact: in ``$SIM_TEST_ARTEFACTS`` when set
(``.ci/run`` sets ``.ci/artefacts``), else under pytest's tmp path. To refresh ``docs/explorer.png``::

    SIM_TEST_ARTEFACTS=/tmp/sim-explorer-test pytest tests/test_explore_browser.py
    cp /tmp/sim-explorer-test/explorer.png docs/explorer.png
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "klimatkontrakt_2024.toml"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
"""Headless in a container as root (no sandbox, no GPU), and no traffic of its own (updates, sync)."""
START_TIMEOUT = 240.0  # s: a cold numba cache compiles the kernels before the first page is served
UPDATE_TIMEOUT_MS = 60_000  # a batch of 2 x 8 runs at scale 0.02 takes a few seconds; the machine may be busy
LEVER, VALUE, IN_WORDS = "offsets_per_year", "500000", "offsets per year = 500,000 t CO2e/yr"
"""Purchased offsets at the lever's maximum: the targets that count compensation go from never to always met."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_line(process: subprocess.Popen, log: Path, text: str, timeout: float) -> None:
    """Wait until the process's output (in ``log``) has ``text``; fail with that output on exit or timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if text in log.read_text(errors="replace"):
            return
        time.sleep(0.5)
    pytest.fail(f"sim explore did not print {text!r} within {timeout:.0f} s (exit code {process.poll()}); "
                f"output: {log.read_text(errors='replace')!r}")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """``python -m sim explore`` on a free loopback port, small batches; yields (process, url)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("explore") / "sim-explore.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "sim", "explore", str(SCENARIO), "--port", str(port), "--runs", "8",
               "--scale", "0.02", "--workers", "2"]
    with open(log, "w") as output:  # a file, not a pipe: a full pipe would block the server
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        _wait_for_line(process, log, "serving http://127.0.0.1:", START_TIMEOUT)
        yield process, f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def chromium():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"CI is set and Chromium is missing at {CHROMIUM}: .ci/run installs Debian's chromium")
        pytest.skip(f"Chromium not installed at {CHROMIUM} (apt-get install chromium); CI is not set")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _row(page, words: str) -> str:
    """The text of the probability table's row of a target."""
    return next(line for line in page.locator("table.probabilities").inner_text().splitlines()
                if line.startswith(words))


def test_a_lever_updates_the_page(app, chromium, tmp_path):
    _, url = app
    page = chromium.new_page(viewport={"width": 1600, "height": 1250})
    page.goto(url)
    page.wait_for_selector(".updated[data-update='1']", timeout=UPDATE_TIMEOUT_MS)
    figure = page.locator("img.emissions-figure")
    source, alt = figure.get_attribute("src"), figure.get_attribute("alt")
    assert source.startswith("data:image/png;base64,") and "net emissions" in alt
    row_before = _row(page, "2030 -80%, offsets counted")
    assert row_before.split("\t")[-1].startswith("0 %"), row_before  # no offsets in the scenario: never met

    box = page.locator(f".lever-{LEVER} input").first
    box.scroll_into_view_if_needed()
    box.fill(VALUE)
    box.press("Enter")
    page.wait_for_selector(".updated[data-update='2']", timeout=UPDATE_TIMEOUT_MS)

    row_after = _row(page, "2030 -80%, offsets counted")
    assert row_after.split("\t")[-1].startswith("100 %"), row_after
    assert row_after.split("\t")[1] == row_before.split("\t")[1]  # the baseline's column stays as it was
    assert figure.get_attribute("src") != source
    assert figure.get_attribute("alt") != alt
    assert IN_WORDS in page.locator(".updated").inner_text()
    page.get_by_text("Pin this setting").click()
    page.wait_for_selector("img.pinned-figure", timeout=UPDATE_TIMEOUT_MS)
    assert page.locator("img.pinned-figure").get_attribute("src") == figure.get_attribute("src")
    folder = Path(os.environ.get("SIM_TEST_ARTEFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / "explorer.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    page.close()


def test_server_listens_on_loopback_only(app):
    process, url = app
    port = int(url.rsplit(":", 1)[1].strip("/"))
    listening = [(proc.pid, c.laddr) for proc in [psutil.Process(process.pid)]
                 + psutil.Process(process.pid).children(recursive=True)
                 for c in proc.net_connections(kind="inet") if c.status == psutil.CONN_LISTEN]
    assert port in {address.port for _, address in listening}
    assert {address.ip for _, address in listening} == {"127.0.0.1"}, listening  # the Dask cluster's too
    others = [a.address for addresses in psutil.net_if_addrs().values() for a in addresses
              if a.family == socket.AF_INET and not a.address.startswith("127.")]
    for address in others:
        with socket.socket() as probe, pytest.raises(OSError):
            probe.settimeout(2.0)
            probe.connect((address, port))
