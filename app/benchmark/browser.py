"""The case page in a real browser (issue 7's "case page ready in under 2 seconds at 200,000 children"): a
benchmark, not a timed test.

`jigsaw app` runs on the graph it is pointed at; headless Chromium (Debian's, driven by Playwright with
executable_path) logs in as a benchmark user, gives a purpose and gateway, and for each sampled child finds the
child by NHS number and opens the case: the time from the click on "Open" to the page ready to read (the graph
drawn on its canvas, the chronology and the cumulative risk shown). Each child is opened twice, cold (first
time) and warm (cached per case and window, as when an analyst comes back to it). The app server's peak RSS is
sampled throughout (budget 1 GiB).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psutil

from app.benchmark.run import latency_summary

PURPOSE = "Benchmark: how long the case page takes to be ready"
GATEWAY = "Children Act 1989 s47"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TreeRss:
    """Peak resident memory of a process and its children, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        try:
            root = psutil.Process(self.pid)
            procs = [root, *root.children(recursive=True)]
            self.peak = max(self.peak, sum(p.memory_info().rss for p in procs))
        except psutil.Error:
            pass

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreeRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def running_app(env: dict[str, str], log: Path, root: Path) -> Iterator[tuple[str, int]]:
    """`jigsaw app` on a free port (its own process group, stopped whole at the end): (url, pid)."""
    port = free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "app", "--no-start-db", "--port", str(port)],
            cwd=root, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the app did not start:\n" + log.read_text()[-3000:])
                time.sleep(0.5)
            yield url, proc.pid
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)


def time_case_pages(
    url: str,
    username: str,
    password: str,
    children: list[tuple[str, str]],
    chromium: str,
    shots: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Open each (person id, NHS number) child's case twice; the cold and warm times to ready, in seconds."""
    from playwright.sync_api import sync_playwright  # the dev extra: a benchmark, not the product

    say = progress or (lambda _m: None)
    cold: list[float] = []
    warm: list[float] = []
    failed: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium, headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )  # fmt: skip
        try:
            page = browser.new_context(viewport={"width": 1500, "height": 1100}).new_page()
            page.set_default_timeout(120_000)
            page.goto(url)
            page.get_by_role("textbox", name="Username").fill(username)
            page.get_by_role("textbox", name="Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.get_by_role("textbox", name="Purpose").fill(PURPOSE)
            page.get_by_role("combobox", name="Legal gateway").click()
            page.get_by_role("option", name=GATEWAY).click()
            page.get_by_role("button", name="Continue").click()
            for n, (person_id, nhs) in enumerate(children, 1):
                for times in (cold, warm):
                    try:
                        times.append(_open_case(page, person_id, nhs))
                    except Exception as exc:  # one child's failure is reported, not fatal to the figures
                        failed.append(f"{person_id}: {type(exc).__name__}: {str(exc)[:200]}")
                        break
                say(
                    f"  {n}/{len(children)}: cold {cold[-1] if cold else 0:.2f} s, warm {warm[-1] if warm else 0:.2f} s"
                )
            if shots is not None:
                shots.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shots / "case-page.png"), full_page=True)
        finally:
            browser.close()
    return {"cold": latency_summary(cold), "warm": latency_summary(warm), "failed": failed}


def _open_case(page: Any, person_id: str, nhs: str) -> float:
    # the sidebar's "Go to": Streamlit hides the radio input itself, so its label is what takes the click
    page.locator("[data-testid=stSidebar]").get_by_text("Find a child", exact=True).first.click()
    page.get_by_label("Name, date of birth").fill(nhs)
    page.get_by_role("button", name="Search", exact=True).first.click()
    # this child's own "Open" (the key names the person): the previous search's results may still be shown
    opener = page.locator(f".st-key-open_{person_id} button")
    opener.wait_for()
    t0 = time.perf_counter()
    opener.click()
    page.get_by_role("heading", name="The picture").wait_for()
    page.locator("canvas").first.wait_for(state="visible")
    page.get_by_role("heading", name="Multi-agency chronology").wait_for()
    page.get_by_role("heading", name="Cumulative risk").wait_for()
    return time.perf_counter() - t0
