"""Which Cypher the time goes to: wall time per query, for ``jigsaw bench --profile``.

cProfile sees the Python side only; the time a managed transaction waits on the server shows there as socket
reads. ``QueryTimer`` wraps the driver's managed transactions (``Session._run_transaction``, behind
``execute_read``/``execute_write`` and ``Driver.execute_query``) and ``ManagedTransaction.run``: each
transaction's wall time (server work, network and reading the results) is charged to the queries it ran,
named by their ``.cypher`` file when they come from one. Used only while profiling (it patches the driver).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import neo4j

ROOT = Path(__file__).resolve().parents[2]
CYPHER_DIRS = (ROOT / "queries", ROOT / "graph" / "cypher")


def _file_names() -> dict[str, str]:
    out: dict[str, str] = {}
    for folder in CYPHER_DIRS:
        for path in folder.glob("*.cypher"):
            out[path.read_text(encoding="utf-8").strip()] = f"{folder.name}/{path.name}"
    return out


def query_name(query: Any, files: dict[str, str]) -> str:
    text = str(getattr(query, "text", query)).strip()
    if text in files:
        return files[text]
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("//")]
    return " ".join(lines)[:110] or "(empty)"


class QueryTimer:
    """Context manager: ``totals`` maps a query name to [seconds, transactions]."""

    def __init__(self) -> None:
        self.totals: dict[str, list[float]] = {}
        self._files = _file_names()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._saved: tuple[Callable[..., Any], Callable[..., Any]] | None = None

    def __enter__(self) -> QueryTimer:
        run_tx = neo4j.Session._run_transaction
        tx_run = neo4j.ManagedTransaction.run
        self._saved = (run_tx, tx_run)
        timer = self

        def timed_run_transaction(session: Any, *args: Any, **kwargs: Any) -> Any:
            outer = getattr(timer._local, "names", None)
            timer._local.names = []
            t0 = time.perf_counter()
            try:
                return run_tx(session, *args, **kwargs)
            finally:
                elapsed = time.perf_counter() - t0
                names = timer._local.names or ["(transaction ran no query)"]
                timer._local.names = outer
                with timer._lock:
                    for name in set(names):
                        entry = timer.totals.setdefault(name, [0.0, 0])
                        entry[0] += elapsed / len(set(names))
                        entry[1] += 1

        def recording_run(tx: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            names = getattr(timer._local, "names", None)
            if names is not None:
                names.append(query_name(query, timer._files))
            return tx_run(tx, query, *args, **kwargs)

        setattr(neo4j.Session, "_run_transaction", timed_run_transaction)  # noqa: B010
        setattr(neo4j.ManagedTransaction, "run", recording_run)  # noqa: B010
        return self

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            setattr(neo4j.Session, "_run_transaction", self._saved[0])  # noqa: B010
            setattr(neo4j.ManagedTransaction, "run", self._saved[1])  # noqa: B010
            self._saved = None

    def top(self, n: int = 15) -> list[dict[str, Any]]:
        rows = sorted(self.totals.items(), key=lambda kv: kv[1][0], reverse=True)[:n]
        return [{"query": name, "seconds": round(s, 3), "transactions": int(c)} for name, (s, c) in rows]
