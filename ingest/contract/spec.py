"""The building blocks of the data contract: a column, a row rule, a file, and how a file is validated.

A tabular file is described once, column by column (`Col`); from that one description come the pandera
schema the ingest validates with and the field tables in docs/data-contract.md, so the two cannot drift.

Every file reads as text (no type guessing): a value is valid when its text matches the column's rule.
Rows that fail are reported as `Failure(file, row, field, reason)`; `row` is the 1-based physical line of
the file (the CSV header is line 1, so the first data row is line 2; NDJSON line n is row n) or, for the
CIN census XML, the 1-based position of the <Child> element.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pandera.pandas as pa

from ingest.contract import identifiers as ids

ISO_DATE = "%Y-%m-%d"
UK_DATE = "%d/%m/%Y"

Kind = Literal[
    "id",
    "la_child_id",
    "text",
    "date",
    "int",
    "code",
    "flag",
    "nhs",
    "upn",
    "upn_or_unknown",
    "pnc",
    "postcode",
    "postcode_nospace",
    "urn",
    "crn",
    "uprn",
    "json",
]

_ID_RE = r"[A-Za-z0-9][A-Za-z0-9_\-]{0,39}"

# keys of SSD outcome JSON objects whose values are free text or numbers, not flags
JSON_FREE_KEYS = frozenset({"COMMENTS", "OUTCOME_COMMENTS", "TOTAL_NO_OF_OUTCOMES"})

PROVENANCE_NOTE = "provenance: when the agency recorded it, the role of who recorded it, and fact or opinion"


@dataclass(frozen=True)
class Col:
    """One column of a tabular file."""

    name: str
    kind: Kind
    required: bool
    meaning: str
    codes: Mapping[str, str] | None = None
    min_value: int | None = None
    max_value: int | None = None
    json_keys: tuple[str, ...] | None = None  # allowed keys of a JSON object column
    json_values: tuple[str, ...] | None = None  # allowed values of a JSON object column
    extension: bool = False  # not in the source standard: added by the Jigsaw contract
    unique: bool = False

    def rule(self, date_format: str) -> str:
        """The validation rule in words, for the document."""
        k = self.kind
        if k == "id":
            return "1-40 letters, digits, `_` or `-`" + (", unique in the file" if self.unique else "")
        if k == "la_child_id":
            return "LA child id: 1-20 letters or digits" + (", unique in the file" if self.unique else "")
        if k == "text":
            return "free text"
        if k == "date":
            return f"date `{_human_format(date_format)}`"
        if k == "int":
            lo = "" if self.min_value is None else f" >= {self.min_value}"
            hi = "" if self.max_value is None else f" <= {self.max_value}"
            return f"whole number{lo}{hi}".replace(" >= ", " ≥ ").replace(" <= ", " ≤ ")
        if k == "code":
            assert self.codes is not None
            return "one of " + ", ".join(f"`{c}`" for c in self.codes)
        if k == "flag":
            return "`Y` or `N`"
        if k == "nhs":
            return "NHS number: 10 digits, mod-11 check digit"
        if k == "upn":
            return "UPN: 13 characters, DfE check letter first"
        if k == "upn_or_unknown":
            return "UPN (13 characters, check letter) or a UPN-unknown code `UN1`-`UN5`"
        if k == "pnc":
            return "PNC id `YYYY/NNNNNNNL` with check letter"
        if k == "postcode":
            return "UK postcode, upper case, one space (`JG1 2AB`)"
        if k == "postcode_nospace":
            return "UK postcode, upper case, no space (`JG12AB`)"
        if k == "urn":
            return "school URN: 6 digits"
        if k == "crn":
            return "probation CRN: a letter and 6 digits"
        if k == "uprn":
            return "UPRN: 1-12 digits"
        if k == "json":
            parts = ["a JSON object"]
            if self.json_keys:
                parts.append("keys from: " + ", ".join(f"`{x}`" for x in self.json_keys))
            if self.json_values:
                parts.append("values from: " + ", ".join(f"`{x!s}`" for x in self.json_values))
            return "; ".join(parts)
        raise AssertionError(k)


def _human_format(fmt: str) -> str:
    return fmt.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")


@dataclass(frozen=True)
class RowRule:
    """A rule across columns of one row; `check(frame)` gives True for the rows that pass."""

    name: str
    fields: tuple[str, ...]
    description: str
    check: Callable[[pd.DataFrame], pd.Series]


def required_when(target: str, column: str, values: tuple[str, ...]) -> RowRule:
    """`target` must be given when `column` is one of `values`, and left empty otherwise."""

    def check(df: pd.DataFrame) -> pd.Series:
        hit = df[column].isin(values)
        has = df[target].notna()
        return (hit & has) | (~hit & ~has)

    vals = ", ".join(f"`{v}`" for v in values)
    return RowRule(
        name=f"{target}_iff_{column}",
        fields=(target, column),
        description=f"`{target}` is required when `{column}` is {vals}, and empty otherwise",
        check=check,
    )


def together(a: str, b: str) -> RowRule:
    """`a` and `b` are given together or not at all (e.g. an end date and an end reason)."""

    def check(df: pd.DataFrame) -> pd.Series:
        return df[a].notna() == df[b].notna()

    return RowRule(
        name=f"{a}_with_{b}",
        fields=(a, b),
        description=f"`{a}` and `{b}` are given together or both left empty",
        check=check,
    )


def not_greater(small: str, big: str) -> RowRule:
    """Whole number `small` must not exceed whole number `big`."""

    def check(df: pd.DataFrame) -> pd.Series:
        a = pd.to_numeric(df[small], errors="coerce")
        b = pd.to_numeric(df[big], errors="coerce")
        return ~(a > b)

    return RowRule(
        name=f"{small}_le_{big}",
        fields=(small, big),
        description=f"`{small}` must not exceed `{big}`",
        check=check,
    )


def sum_not_greater(parts: tuple[str, ...], total: str) -> RowRule:
    def check(df: pd.DataFrame) -> pd.Series:
        s = sum(pd.to_numeric(df[p], errors="coerce").fillna(0) for p in parts)
        t = pd.to_numeric(df[total], errors="coerce")
        return ~(s > t)

    names = " + ".join(f"`{p}`" for p in parts)
    return RowRule(
        name="sum_le_" + total,
        fields=(*parts, total),
        description=f"{names} must not exceed `{total}`",
        check=check,
    )


def provenance(role_meaning: str = "role of the person who recorded it") -> tuple[Col, ...]:
    """The three provenance columns every row-level file carries where its format allows."""
    from ingest.contract.codes import BASIS

    return (
        Col("recorded_date", "date", True, "date the agency recorded this row", extension=True),
        Col("recorded_by_role", "text", True, role_meaning, extension=True),
        Col("basis", "code", True, "is the row's content fact or opinion", codes=BASIS, extension=True),
    )


@dataclass(frozen=True)
class Failure:
    file: str
    row: int | None
    field: str
    reason: str


@dataclass
class ValidationResult:
    """The rows that passed (as text, with their file line in `row`) and the failures."""

    kind: str
    valid: pd.DataFrame | list[dict[str, Any]]
    failures: list[Failure] = field(default_factory=list)

    @property
    def failed_rows(self) -> set[int | None]:
        return {f.row for f in self.failures}


@dataclass(frozen=True)
class FileSpec:
    """One kind of file an agency sends."""

    kind: str  # "<agency>.<table>"
    paths: tuple[str, ...]  # relative to the county folder
    format: Literal["csv", "ndjson", "xml"]
    description: str
    standard: str  # where the layout comes from
    source_id: tuple[str, ...]  # column(s) making the source record id, joined with source_id_sep
    person_bearing: bool  # each record describes one person (name/dob/identifiers)
    date_format: str = ISO_DATE
    columns: tuple[Col, ...] = ()
    row_rules: tuple[RowRule, ...] = ()
    notes: str = ""
    # for ndjson / xml: the validator of one file (path, relative name) -> ValidationResult
    validator: Callable[[Path, str], ValidationResult] | None = None
    person_refs: Mapping[str, str] = field(default_factory=dict)  # column -> kind of the person table
    # other people described inside a row: mention name -> its columns (e.g. a maternity booking's partner)
    mentions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source_id_sep: str = ":"

    @property
    def agency(self) -> str:
        return self.kind.split(".", 1)[0]

    @property
    def table(self) -> str:
        return self.kind.split(".", 1)[1]

    @property
    def date_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.kind == "date")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def source_record_id(self, row: Mapping[str, Any]) -> str:
        return self.source_id_sep.join(str(row[c]) for c in self.source_id)

    def record_key(self, source_record_id: str) -> str:
        return record_key(self.agency, self.table, source_record_id)

    @cached_property
    def schema(self) -> pa.DataFrameSchema:
        if self.format != "csv":
            raise TypeError(f"{self.kind} is {self.format}: use spec.validate_file")
        return build_schema(self)

    def validate_frame(self, df: pd.DataFrame, file: str, lines: list[int] | None = None) -> ValidationResult:
        """Validate text columns (as read by `read_csv_text`); `lines` maps row position -> file line."""
        return _validate_frame(self, df, file, lines)

    def validate_file(self, path: Path, relative: str | None = None) -> ValidationResult:
        name = relative or path.name
        if self.validator is not None:
            return self.validator(path, name)
        frame, lines, failures = read_csv_text(path, self.column_names, name)
        result = self.validate_frame(frame, name, lines)
        result.failures[:0] = failures
        return result


def record_key(agency: str, table: str, source_record_id: str) -> str:
    """The key of one source record across the product: "{agency}|{table}|{source_record_id}"."""
    return f"{agency}|{table}|{source_record_id}"


# --- checks -----------------------------------------------------------------------------------------------


def _date_ok(fmt: str) -> Callable[[pd.Series], pd.Series]:
    shape = re.escape(fmt).replace("%Y", r"\d{4}").replace("%m", r"\d{2}").replace("%d", r"\d{2}")

    def check(s: pd.Series) -> pd.Series:
        parsed = pd.to_datetime(s, format=fmt, errors="coerce")
        return parsed.notna() & s.str.fullmatch(shape).fillna(False).astype(bool)

    return check


def _elementwise(fn: Callable[[object], bool]) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        return s.map(fn).astype(bool)

    return check


def _int_ok(lo: int | None, hi: int | None) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        shape = s.str.fullmatch(r"-?\d{1,9}").fillna(False).astype(bool)
        n = pd.to_numeric(s.where(shape), errors="coerce")
        ok = shape.copy()
        if lo is not None:
            ok &= n >= lo
        if hi is not None:
            ok &= n <= hi
        return ok

    return check


def _json_ok(keys: tuple[str, ...] | None, values: tuple[str, ...] | None) -> Callable[[object], bool]:
    keyset = set(keys) if keys else None
    valset = set(values) if values else None

    def check(v: object) -> bool:
        if not isinstance(v, str):
            return False
        try:
            obj = json.loads(v)
        except ValueError:
            return False
        if not isinstance(obj, dict):
            return False
        if keyset is not None and not set(obj) <= keyset:
            return False
        if valset is None:
            return True
        return all(k in JSON_FREE_KEYS or (isinstance(x, str) and x in valset) for k, x in obj.items())

    return check


def _upn_or_unknown(v: object) -> bool:
    return ids.is_valid_upn(v) or v in ("UN1", "UN2", "UN3", "UN4", "UN5")


def _postcode_nospace(v: object) -> bool:
    if not isinstance(v, str) or len(v) < 5 or " " in v:
        return False
    return ids.is_valid_postcode(v[:-3] + " " + v[-3:])


def column_checks(col: Col, date_format: str) -> list[pa.Check]:
    k = col.kind
    name: str = k
    fn: Callable[[pd.Series], pd.Series]
    if k == "id":
        return [pa.Check.str_matches(rf"^{_ID_RE}$", name="id_format")]
    if k == "la_child_id":
        return [pa.Check.str_matches(r"^[A-Za-z0-9]{1,20}$", name="la_child_id")]
    if k == "text":
        return []
    if k == "date":
        fn, name = _date_ok(date_format), f"date {_human_format(date_format)}"
    elif k == "int":
        fn = _int_ok(col.min_value, col.max_value)
    elif k == "code":
        assert col.codes is not None
        return [pa.Check.isin(list(col.codes), name="known_code")]
    elif k == "flag":
        return [pa.Check.isin(["Y", "N"], name="Y_or_N")]
    elif k == "nhs":
        fn, name = _elementwise(ids.is_valid_nhs_number), "nhs_number_check_digit"
    elif k == "upn":
        fn, name = _elementwise(ids.is_valid_upn), "upn_check_letter"
    elif k == "upn_or_unknown":
        fn, name = _elementwise(_upn_or_unknown), "upn_or_unknown"
    elif k == "pnc":
        fn, name = _elementwise(ids.is_valid_pnc_id), "pnc_check_letter"
    elif k == "postcode":
        fn = _elementwise(ids.is_valid_postcode)
    elif k == "postcode_nospace":
        fn = _elementwise(_postcode_nospace)
    elif k == "urn":
        fn = _elementwise(ids.is_valid_urn)
    elif k == "crn":
        fn = _elementwise(ids.is_valid_crn)
    elif k == "uprn":
        fn = _elementwise(ids.is_valid_uprn)
    elif k == "json":
        fn, name = _elementwise(_json_ok(col.json_keys, col.json_values)), "json_object"
    else:
        raise AssertionError(k)
    return [pa.Check(fn, name=name)]


def build_schema(spec: FileSpec) -> pa.DataFrameSchema:
    columns = {
        c.name: pa.Column(
            str,
            nullable=not c.required,
            unique=c.unique,
            checks=column_checks(c, spec.date_format),
            description=c.meaning,
            title=c.name,
        )
        for c in spec.columns
    }
    checks = [pa.Check(rule.check, name=rule.name, error=rule.description) for rule in spec.row_rules]
    return pa.DataFrameSchema(columns, checks=checks, strict=True, ordered=True, name=spec.kind)


# --- reading and validating --------------------------------------------------------------------------------


def read_csv_text(
    path: Path, expected: tuple[str, ...] | None = None, name: str | None = None
) -> tuple[pd.DataFrame, list[int], list[Failure]]:
    """Read a CSV as text. Empty fields are missing (NA). Rows with the wrong number of fields are not
    loaded: they come back as failures. Returns (frame, file line of each frame row, failures)."""
    label = name or path.name
    failures: list[Failure] = []
    # utf-8-sig: Excel's "CSV UTF-8" starts with a byte-order mark, which must not become part of a column name
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        try:
            header = next(reader)
        except StopIteration:
            return pd.DataFrame(columns=list(expected or ())), [], [Failure(label, None, "*", "empty file")]
        rows: list[list[str]] = []
        lines: list[int] = []
        start = reader.line_num + 1
        for row in reader:
            if len(row) != len(header):
                what = "truncated" if len(row) < len(header) else "too many fields"
                failures.append(
                    Failure(label, start, "*", f"{what}: {len(row)} fields, header has {len(header)}")
                )
            else:
                rows.append(row)
                lines.append(start)
            start = reader.line_num + 1
    if expected is not None and tuple(header) != expected:
        failures.insert(0, Failure(label, 1, "*", f"header is {header}, expected {list(expected)}"))
    frame = pd.DataFrame(rows, columns=header, dtype=str) if rows else pd.DataFrame(columns=header, dtype=str)
    frame = frame.astype(str).replace("", pd.NA)
    return frame, lines, failures


def _validate_frame(spec: FileSpec, df: pd.DataFrame, file: str, lines: list[int] | None) -> ValidationResult:
    line_of = lines if lines is not None else [i + 2 for i in range(len(df))]
    df = df.reset_index(drop=True)
    failures: list[Failure] = []
    bad_positions: set[int] = set()
    seen_rules: set[tuple[int, str]] = set()
    try:
        spec.schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for rec in cases.to_dict("records"):
            idx = rec.get("index")
            column = rec.get("column")
            check = str(rec.get("check"))
            fcase = rec.get("failure_case")
            if idx is None or (isinstance(idx, float) and pd.isna(idx)):
                failures.append(Failure(file, None, str(column or "*"), f"{check}: {fcase}"))
                continue
            pos = int(idx)
            bad_positions.add(pos)
            if rec.get("schema_context") == "DataFrameSchema":
                number = rec.get("check_number")
                rule = spec.row_rules[int(number)] if number is not None and not pd.isna(number) else None
                fieldname = ",".join(rule.fields) if rule else "*"
                reason = rule.description if rule else check
                if (pos, fieldname) not in seen_rules:  # pandera reports a row rule once per column
                    seen_rules.add((pos, fieldname))
                    failures.append(Failure(file, line_of[pos], fieldname, reason))
            else:
                reason = "required value missing" if check == "not_nullable" else f"{check}: {fcase!r}"
                failures.append(Failure(file, line_of[pos], str(column), reason))
    failures.sort(key=lambda f: (f.row or 0, f.field))
    keep = [i for i in range(len(df)) if i not in bad_positions]
    valid = df.iloc[keep].copy()
    valid.insert(0, "_line", [line_of[i] for i in keep])
    return ValidationResult(spec.kind, valid, failures)


def read_ndjson(path: Path, name: str) -> tuple[list[tuple[int, dict[str, Any]]], list[Failure]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    failures: list[Failure] = []
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                failures.append(Failure(name, lineno, "*", f"not valid JSON ({exc.msg})"))
                continue
            if not isinstance(obj, dict):
                failures.append(Failure(name, lineno, "*", "a line must hold one JSON object"))
                continue
            rows.append((lineno, obj))
    return rows, failures
