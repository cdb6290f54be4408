"""What the two fuzz test modules share: a stand-in for GraphWriter without a server (every row becomes its
parameters, so a value the model cannot send fails there, and every link 'lands'), the check every fuzzed file
must pass, and the ways a file's end gets damaged."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from graph.model import GraphRows
from graph.writer import WriteResult
from ingest.framework import Adapter, BadFileError, run_file


class DryWriter:
    def write(self, rows: GraphRows, progress: Callable[[int], None] | None = None) -> WriteResult:
        for record in rows.source_records:
            record.to_param()
        for fact in rows.facts:
            fact.to_param()
        for kind in (
            "involvements",
            "person_links",
            "residences",
            "fact_places",
            "fact_parts",
            "household_members",
        ):
            for idx, item in enumerate(getattr(rows, kind)):
                item.to_param(idx)
        return WriteResult(created=len(rows.source_records) + len(rows.facts))

    def submit(
        self,
        rows: GraphRows,
        progress: Callable[[int], None] | None = None,
        after: Sequence[Future[WriteResult]] = (),
    ) -> Future[WriteResult]:
        """As GraphWriter.submit, but written at once."""
        future: Future[WriteResult] = Future()
        future.set_result(self.write(rows, progress))
        return future

    def in_flight(self) -> list[Future[WriteResult]]:
        return []


def check(adapter: Adapter, path: Path, writer: Any = None) -> None:
    """Loading the file either fails as a whole with a clear BadFileError naming it, or balances (read = loaded +
    quarantined) with a row and a reason for every rejection."""
    try:
        report, rejections = run_file(adapter, path, writer or DryWriter(), "fuzz", datetime.now(UTC))  # type: ignore[arg-type]
    except BadFileError as exc:
        assert str(path) in str(exc) and exc.problem
        return
    assert report.read == report.loaded + report.quarantined, (report, rejections[:3])
    assert all(r.row >= 0 for r in rejections)
    assert all(r.reason for r in rejections)


def damage_end(draw: st.DrawFn, data: bytes, endings: Sequence[str]) -> bytes:
    """The file as written, or cut short, or with a Latin-1 line, emptied, an unterminated quote, a BOM."""
    ending = draw(st.sampled_from(list(endings)))
    if ending == "truncated":
        return data[: draw(st.integers(0, len(data)))]
    if ending == "latin1":
        return data + "Zoë,\n".encode("latin-1")
    if ending == "empty":
        return b""
    if ending == "unterminated":
        return data + b'"never closed,\n'
    if ending == "bom":
        return b"\xef\xbb\xbf" + data
    return data
