"""Features worked out in worker processes while the records are still being read.

Reading the records keeps the server and Jigsaw's decoding busy in turn; working out their features is pure
Python on one core (at 200,000 children, 61 s of reading then 77 s of features on this 2-core machine, one
after the other). Here each page of records goes to a worker process as soon as it is read, so the features
of one page are worked out while the next is read, on both cores. The result is the same table
``prepare_features`` gives on the whole frame: the same function (``features.page_features``) on each page,
in page order; the workers' memos only save work.

A county that fits in one page is worked in this process: starting a worker costs a second or two.
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from datetime import date
from typing import Any

import pyarrow as pa

from ingest.resolution.features import FEATURE_SCHEMA, _Memos, check_unique_keys, page_features

_memos: _Memos | None = None  # a worker's, for the whole run: each distinct value worked out once per worker


def _start_worker(reference: date) -> None:
    global _memos
    _memos = _Memos(reference)
    # the worker holds memos and a page's values, which make no reference cycles (see ingest.memory)
    gc.disable()


def _page_features(rows: Sequence[Sequence[Any]]) -> pa.Table:
    assert _memos is not None, "the worker was not started with _start_worker"
    return page_features(rows, _memos)


class FeatureWorkers:
    """Takes pages of records (``add``) as they are read; ``table()`` gives their features in page order.

    ``processes`` is the number of worker processes (0: every page in this process). They are forked when a
    second page arrives, so they copy no more than one page of what the caller has read. Forked, not spawned:
    a spawned worker imports the caller's main module again, which breaks any script that calls
    ``resolve`` without an ``if __name__ == "__main__"`` guard; a worker runs only the pure feature code,
    which takes no lock another thread of the caller (the memory sampler, a progress display) could hold.
    """

    def __init__(self, reference: date, processes: int = 2) -> None:
        if processes < 0:
            raise ValueError("feature processes: give 0 (work in this process) or more")
        self.reference = reference
        self.processes = processes
        self._pool: ProcessPoolExecutor | None = None
        self._first: Sequence[Sequence[Any]] | None = None
        self._tables: list[Future[pa.Table] | pa.Table] = []
        self._memos: _Memos | None = None
        self._used_pool = False

    def __enter__(self) -> FeatureWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers; pages not worked yet are dropped (after an error)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    @property
    def started(self) -> bool:
        """Whether worker processes were started (a second page arrived)."""
        return self._used_pool

    def add(self, rows: Sequence[Sequence[Any]]) -> None:
        """A page of records, each a list in ``features.PAGE_COLUMNS``."""
        if not rows:
            return
        if self.processes == 0:
            self._tables.append(self._here(rows))
            return
        if self._first is None and self._pool is None:
            self._first = rows  # the only page, perhaps: no worker yet
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_start_worker,
                initargs=(self.reference,),
            )
            self._used_pool = True
        if self._first is not None:
            self._tables.append(self._pool.submit(_page_features, self._first))
            self._first = None
        self._tables.append(self._pool.submit(_page_features, rows))

    def table(self) -> pa.Table:
        """The features of every page added, in order (waits for the workers)."""
        if self._first is not None:
            self._tables.append(self._here(self._first))
            self._first = None
        tables = [t.result() if isinstance(t, Future) else t for t in self._tables]
        self._tables = []
        self.close()
        if not tables:
            return FEATURE_SCHEMA.empty_table()
        features = pa.concat_tables(tables)
        check_unique_keys(features["unique_id"])
        return features

    def _here(self, rows: Sequence[Sequence[Any]]) -> pa.Table:
        if self._memos is None:
            self._memos = _Memos(self.reference)
        return page_features(rows, self._memos)
