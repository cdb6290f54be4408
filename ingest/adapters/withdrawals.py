"""Withdrawals (<agency>/withdrawals.csv, one adapter per agency): an agency's notice that records it sent are
withdrawn. Loaded after every other file of the run, so that a record sent and withdrawn in one run is
withdrawn; a notice for a record Jigsaw never had is quarantined with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from graph.model import GraphRows, WithdrawalRow, record_key
from ingest.adapters.base import ContractCsvAdapter
from ingest.contract import WITHDRAWALS
from ingest.contract.spec import FileSpec
from ingest.framework import Context, RawRow
from ingest.registry import register


class Withdrawals(ContractCsvAdapter):
    source_system = "withdrawal-notice"
    load_order = 1000  # after everything the agency sent

    def matches(self, path: Path, header: Sequence[str]) -> bool:
        # every agency's file has the same columns: the folder says whose it is
        return path.as_posix().endswith(self.spec.paths[0]) or (
            path.parent.name == self.agency and set(header) == set(self.spec.column_names)
        )

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = ctx.provenance(
            self.agency, self.spec.table, self.source_id(row), self.date(d.get("recorded_date")),
            d.get("recorded_by_role"), d.get("basis") or "fact",
        )  # fmt: skip
        key = record_key(self.agency, d["source_table"], d["source_record_id"])
        return GraphRows(withdrawals=[WithdrawalRow(key, prov, self.date(d["withdrawn_date"]), d["reason"])])


def _adapter(spec: FileSpec) -> Withdrawals:
    """The adapter of one agency's withdrawals: a subclass whose ``spec`` is that agency's file."""
    kind = type(f"{spec.agency.title().replace('_', '')}Withdrawals", (Withdrawals,), {"spec": spec})
    adapter: Withdrawals = kind()
    return adapter


for _spec in WITHDRAWALS.values():
    register(_adapter(_spec))
