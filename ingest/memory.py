"""How much memory this process holds: the peak resident set size, sampled in a background thread; and a pause
of the cyclic garbage collector for the bulk stages that hold millions of objects.

The budget (docs/scaling.md) is 6 GiB per Jigsaw process; ``ru_maxrss`` gives the process's peak over its whole
life, which says nothing about which stage of a run reached it. ``PeakRss`` samples the resident set size and
``take()`` returns the peak since the last ``take()``, so a run can report the peak of each of its stages.
"""

from __future__ import annotations

import gc
import resource
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psutil


class PeakRss:
    """Samples this process's resident set size (psutil) every ``interval`` seconds, keeping the peak."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0  # bytes, over the whole sampling
        self._since = 0  # bytes, since the last take()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._proc = psutil.Process()
        self._thread = threading.Thread(target=self._run, daemon=True, name="jigsaw-peak-rss")

    def sample(self) -> None:
        rss = self._proc.memory_info().rss
        with self._lock:
            self.peak = max(self.peak, rss)
            self._since = max(self._since, rss)

    def take(self) -> int:
        """The peak (bytes) since the last call, then start again from the current size."""
        self.sample()
        with self._lock:
            peak, self._since = self._since, 0
        return peak

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def process_peak_rss_mb() -> float:
    """Peak RSS of this process over its life, in MiB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for a bulk load or a pattern sweep.

    Each of its full passes walks every live object, and a big file is millions of them (its rows, read and
    validated whole): at 200,000 children a third of the ingest's samples (py-spy) were the collector, set off
    by whatever allocated next. The rows make no reference cycles, so reference counting frees them anyway;
    the cycles a file's reading leaves (pandas frames) are collected once per file with a young-generation
    pass (``gc.collect(1)``), which walks only what was made since the last one. A pattern sweep at 200,000
    children spent a quarter of its Python time (29.9 -> 22.1 s) in the collector; its rows, links and findings
    make no cycles either."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
