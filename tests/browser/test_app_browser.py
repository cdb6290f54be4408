"""The case app in a real browser: Debian's headless Chromium, driven by Playwright (executable_path: Playwright
cannot download its own browsers here), against `jigsaw app` on a free port and the test Neo4j.

Logs in, gives a purpose and gateway, finds and opens a synthetic child, sees the graph drawn and the
chronology, switches to meeting mode, downloads the PDF briefing. Screenshots are kept as artefacts in
``$JIGSAW_TEST_ARTEFACTS`` (default ``out/test-artefacts/browser``) and checked not to be blank. Every request
the browser makes must stay on this machine: the graph component's JavaScript ships with the package.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import neo4j
import pytest
from PIL import Image, ImageStat

from app.governance import Governance
from graph.config import Settings
from tests.test_app_fixtures import CHILD, PASSWORD, app_environment, build_case, make_users

CHROMIUM = os.environ.get("JIGSAW_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = Path(os.environ.get("JIGSAW_TEST_ARTEFACTS", ROOT / "out" / "test-artefacts" / "browser"))
PURPOSE = "Strategy meeting after a DA incident with the child present"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}

playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")

pytestmark = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"{CHROMIUM} not installed: run `make browser` (apt-get install chromium)",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture()
def app_url(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> Iterator[tuple[str, Governance]]:
    env = app_environment(neo4j_settings, tmp_path / "home")
    build_case(graph, neo4j_settings.database)
    gov = make_users(env)
    port = _free_port()
    log = (tmp_path / "app.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "app", "--no-start-db", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, stopped whole at the end
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("the app did not start:\n" + (tmp_path / "app.log").read_text()[-3000:])
            time.sleep(0.5)
        yield url, gov
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=20)
        log.close()


def _not_blank(path: Path, min_colours: int = 8) -> None:
    with Image.open(path) as img:
        rgb = img.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        spread = max(ImageStat.Stat(rgb).stddev)
    assert len(colours) >= min_colours and spread > 5, f"{path} looks blank ({len(colours)} colours)"


def _shot(page: Any, name: str, full_page: bool = False) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    _not_blank(path)
    return path


def test_analyst_journey_in_a_real_browser(app_url: tuple[str, Governance], tmp_path: Path) -> None:
    url, gov = app_url
    (ARTEFACTS / "failure.png").unlink(missing_ok=True)  # a failure shot from an earlier run would mislead
    requested: list[str] = []
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1100}, accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.on("request", lambda req: requested.append(req.url))
            page.goto(url)

            # login
            page.get_by_role("textbox", name="Username").fill("sam")
            page.get_by_role("textbox", name="Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()

            # purpose and legal gateway
            page.get_by_role("textbox", name="Purpose").fill(PURPOSE)
            page.get_by_role("combobox", name="Legal gateway").click()
            page.get_by_role("option", name="Children Act 1989 s47").click()
            page.get_by_role("button", name="Continue").click()

            # find and open the child
            page.get_by_label("Name, date of birth").fill("Kayleigh Jones")
            page.get_by_role("button", name="Search").click()
            page.get_by_text("Kayleigh Jones").first.wait_for()
            _shot(page, "01-search")
            page.get_by_role("button", name="Open").first.click()

            # the case: the graph drawn, the chronology shown
            page.get_by_role("heading", name="The picture").wait_for()
            canvas = page.locator("canvas").first
            canvas.wait_for(state="visible")
            page.wait_for_timeout(4000)  # the force layout settles
            graph_png = ARTEFACTS / "02-graph.png"
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            canvas.screenshot(path=str(graph_png))
            _not_blank(graph_png)
            page.get_by_role("heading", name="Multi-agency chronology").wait_for()
            page.get_by_text("of 6 records").first.wait_for()
            _shot(page, "03-case", full_page=True)
            body = page.inner_text("body")
            assert "Dan Smyth" in body and "Hidden adults" in body

            # meeting mode
            page.get_by_text("Meeting mode", exact=True).click()
            page.locator(".jigsaw-meeting-ready").wait_for(state="attached", timeout=90_000)
            # once drawn, nothing unreduced is left (elements of the previous run can linger for a moment while
            # the page reruns; the app hides the main area until the meeting page is drawn to its end)
            page.wait_for_function(
                "() => !['Tyler Jones', 'Mia Brown', 'B86 0LF'].some(t => document.body.innerText.includes(t))",
                timeout=30_000,
            )
            body = page.inner_text("body")
            assert PURPOSE in body and "Children Act 1989 s47" in body
            assert "Tyler Jones" not in body and "T.J." in body
            assert "B86 0LF" not in body
            _shot(page, "04-meeting-mode", full_page=True)

            # the PDF briefing
            page.get_by_role("button", name="Prepare PDF briefing").click()
            with page.expect_download() as download:
                page.get_by_role("button", name="Download the PDF briefing").click()
            pdf = ARTEFACTS / "briefing.pdf"
            download.value.save_as(str(pdf))
            assert pdf.read_bytes()[:5] == b"%PDF-"
            if shutil.which("pdftoppm"):
                subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                                str(ARTEFACTS / "05-pdf")], check=True)  # fmt: skip
                _not_blank(next(ARTEFACTS.glob("05-pdf*.png")))
        except Exception:
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTEFACTS / "failure.png"), full_page=True)
            raise
        finally:
            browser.close()

    outside = [u for u in requested if urlparse(u).scheme in {"http", "https", "ws", "wss"}
               and urlparse(u).hostname not in LOCAL_HOSTS]  # fmt: skip
    assert not outside, f"the browser fetched from outside this machine: {outside[:5]}"
    actions = [e.action for e in gov.audit.entries()]
    assert {"login", "search", "case_view", "export"} <= set(actions)
    assert [e.details.get("mode") for e in gov.audit.entries() if e.action == "case_view"] == [
        "analyst",
        "meeting",
    ]
    assert CHILD in {e.person_id for e in gov.audit.entries() if e.action == "export"}


def test_the_case_page_benchmark_times_a_real_browser(
    app_url: tuple[str, Governance], tmp_path: Path
) -> None:
    """`jigsaw bench-case-page`'s timing, on the test case: the case page opened cold then warm."""
    from app.benchmark.browser import time_case_pages

    url, _ = app_url
    figures = time_case_pages(
        url, "sam", PASSWORD, [(CHILD, "9434765919")], CHROMIUM, shots=tmp_path / "shots"
    )
    assert figures["failed"] == []
    assert figures["cold"]["n"] == figures["warm"]["n"] == 1
    assert 0 < figures["warm"]["p50_ms"] and 0 < figures["cold"]["p50_ms"]
    _not_blank(tmp_path / "shots" / "case-page.png")
