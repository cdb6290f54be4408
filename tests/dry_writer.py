"""A stand-in for GraphWriter without a server, for the fuzz tests: every row becomes its parameters (so a value
the model cannot send fails there) and every link 'lands'."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future

from graph.model import GraphRows
from graph.writer import WriteResult


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
