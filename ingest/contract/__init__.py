"""The agencies' data contract as code: what Jigsaw accepts from each agency, file by file.

`FILES` maps a file kind ("police.persons", "csc.ssd_contacts", "health.fhir", ...) to its `FileSpec`: the
relative path(s) in a county folder, the agency, the format, the source record id column(s), the date
format, and the schema (a pandera DataFrameSchema for CSV files; a validator for FHIR NDJSON and the CIN
census XML). Every source record is keyed across the product as `"{agency}|{table}|{source_record_id}"`
(`record_key`), with table = the kind without its agency prefix.

    from ingest.contract import FILES, validate_county
    spec = FILES["police.persons"]
    result = spec.validate_file(county / spec.paths[0], spec.paths[0])
    result.valid      # rows that passed (text), with their file line in `_line`
    result.failures   # Failure(file, row, field, reason) for the quarantine

docs/data-contract.md is generated from these specs (`python -m ingest.contract.document`).
"""

from __future__ import annotations

from pathlib import Path

from ingest.contract import csc, early_help, education, health, housing, police, probation, third_sector
from ingest.contract.spec import (
    ISO_DATE,
    UK_DATE,
    Col,
    Failure,
    FileSpec,
    RowRule,
    ValidationResult,
    read_csv_text,
    record_key,
)
from ingest.contract.withdrawals import withdrawal_spec

AGENCIES: tuple[str, ...] = (
    "police",
    "csc",
    "health",
    "education",
    "early_help",
    "probation",
    "housing",
    "third_sector",
)

_MODULES = (police, csc, health, education, early_help, probation, housing, third_sector)

FILES: dict[str, FileSpec] = {spec.kind: spec for module in _MODULES for spec in module.FILES}
# every agency may withdraw a record it sent (ingest/contract/withdrawals.py): the same file for each, kept apart
# from FILES (what a county as first sent holds, and what the synthetic county writes)
WITHDRAWALS: dict[str, FileSpec] = {
    spec.kind: spec for spec in (withdrawal_spec(agency) for agency in AGENCIES)
}


def files_of(agency: str) -> list[FileSpec]:
    return [spec for spec in FILES.values() if spec.agency == agency]


def validate_county(folder: Path, kinds: list[str] | None = None) -> dict[str, list[ValidationResult]]:
    """Validate every file of a county folder that exists; kind -> one result per path found."""
    out: dict[str, list[ValidationResult]] = {}
    for kind, spec in FILES.items():
        if kinds is not None and kind not in kinds:
            continue
        for rel in spec.paths:
            path = folder / rel
            if path.exists():
                out.setdefault(kind, []).append(spec.validate_file(path, rel))
    return out


__all__ = [
    "AGENCIES",
    "FILES",
    "WITHDRAWALS",
    "ISO_DATE",
    "UK_DATE",
    "Col",
    "Failure",
    "FileSpec",
    "RowRule",
    "ValidationResult",
    "files_of",
    "read_csv_text",
    "record_key",
    "validate_county",
]
