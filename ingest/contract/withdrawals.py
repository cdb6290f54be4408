"""Withdrawals: an agency's notice that a record it sent should not have been (entered in error, the wrong
person, a duplicate). One file per agency, `<agency>/withdrawals.csv`, naming each record by the table it came
in and its id there. Jigsaw never erases it: the record's last version is closed when Jigsaw learnt of the
withdrawal, and the record leaves the current picture (it stays in the picture as known at any earlier time).
"""

from __future__ import annotations

from ingest.contract.spec import Col, FileSpec, provenance

STANDARD = "Jigsaw CSV (withdrawal notice)"


def withdrawal_spec(agency: str) -> FileSpec:
    return FileSpec(
        kind=f"{agency}.withdrawals",
        paths=(f"{agency}/withdrawals.csv",),
        format="csv",
        description="One row per record the agency withdraws: it leaves the current picture, and stays in "
        "the picture as known at any time before Jigsaw learnt of the withdrawal.",
        standard=STANDARD,
        source_id=("withdrawal_id",),
        person_bearing=False,
        columns=(
            Col("withdrawal_id", "id", True, "the agency's reference for the notice", unique=True),
            Col("source_table", "id", True, "the table (file) the record came in, e.g. occurrences"),
            Col("source_record_id", "text", True, "the record's id in that table"),
            Col("withdrawn_date", "date", True, "when the agency withdrew it"),
            Col("reason", "text", True, "why, e.g. entered in error, the wrong person, a duplicate"),
            *provenance("role of who withdrew it"),
        ),
    )
