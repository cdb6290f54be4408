"""Feature preparation: agency records (one row per SourceRecord) -> the columns the matcher compares.

Pure: a pandas DataFrame in, a pyarrow Table out, nothing read or written. The columns are described in
``FEATURE_SCHEMA``; ``FEATURE_VERSION`` changes whenever their meaning or the model's comparisons
(``matcher.COMPARISONS``) change, so that a model trained on other features is not silently reused.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ingest.resolution import identifiers as ids
from ingest.resolution.names import name_tokens, nickname_groups, phonetic

FEATURE_VERSION = "5"
FEATURE_CHUNK_ROWS = 100_000  # records worked at a time (prepare_features)

# what the store hands over: one row per SourceRecord
RECORD_COLUMNS: tuple[str, ...] = (
    "record_key", "agency", "source_record_id", "given_name", "family_name", "other_names",
    "date_of_birth", "expected_date_of_birth", "sex", "nhs_number", "upn", "la_child_id", "pnc_id",
    "postcode", "address_line", "history_postcodes", "history_lines",
)  # fmt: skip

_STR = pa.string()
_LIST = pa.list_(pa.string())
FEATURE_SCHEMA = pa.schema(
    [
        ("unique_id", _STR),  # the record_key
        ("agency", _STR),
        ("given", _STR),  # first given name, normalised
        ("given_initial", _STR),
        ("given_groups", _LIST),  # nickname groups of the first given name
        ("given_ph", _STR),  # phonetic key of the first given name
        ("names_all", _LIST),  # every given and other name token
        ("family", _STR),  # family name, normalised, tokens joined
        ("family_tokens", _LIST),  # parts of a double-barrelled name
        ("family_ph", _STR),
        ("family_initial", _STR),
        ("dob", _STR),  # YYYY-MM-DD, actual date of birth only
        ("dob_t", _STR),  # the same date with day and month swapped (when that is a date)
        ("dob_year", _STR),
        ("dob_any", pa.date32()),  # date of birth, else expected date of birth
        ("is_expected", pa.bool_()),  # dob_any is an expected date (unborn)
        ("sex", _STR),  # m / f / None
        ("postcode", _STR),
        ("postcodes", _LIST),  # current and past postcodes
        ("districts", _LIST),  # their outward codes
        ("addresses", _LIST),  # normalised "line|postcode"
        ("nhs", _STR),  # cleaned, valid or not
        ("upn", _STR),
        ("la_id", _STR),
        ("pnc", _STR),  # year (2 digits) + 7-digit serial
        ("nhs_valid", _STR),  # the identifier when valid, else None: what deterministic rules use
        ("upn_valid", _STR),
        ("la_valid", _STR),
        ("pnc_valid", _STR),
        ("upn_permanent", _STR),  # a valid permanent UPN (a child has at most one)
        ("stage", _STR),  # child / adult / unborn / None, at the reference date
    ]
)


# what a page of the store's read holds per record: RECORD_COLUMNS without the two history columns, then
# lived_at, a list of [postcode, line] pairs (graph/cypher/resolve_read_records.cypher)
PAGE_COLUMNS: tuple[str, ...] = (*RECORD_COLUMNS[:-2], "lived_at")


class RecordColumns:
    """Pages of records, as the store reads them, gathered column by column: a page's rows can go as soon as
    it is added, and ``frame()`` makes one DataFrame in ``RECORD_COLUMNS``."""

    def __init__(self) -> None:
        self._columns: list[list[Any]] = [[] for _ in PAGE_COLUMNS]

    def add(self, rows: Iterable[Sequence[Any]]) -> None:
        for column, values in zip(self._columns, zip(*rows, strict=True), strict=False):
            column.extend(values)

    def frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(dict(zip(PAGE_COLUMNS, self._columns, strict=True)), columns=list(PAGE_COLUMNS))
        return split_lived_at(frame)


def records_frame(pages: Iterable[Iterable[Sequence[Any]]]) -> pd.DataFrame:
    """Pages of records as the store reads them -> one DataFrame in ``RECORD_COLUMNS``."""
    columns = RecordColumns()
    for rows in pages:
        columns.add(rows)
    return columns.frame()


def split_lived_at(frame: pd.DataFrame) -> pd.DataFrame:
    """A ``lived_at`` column of [postcode, line] pairs -> ``history_postcodes`` and ``history_lines``."""
    lived: list[Any] = list(frame.pop("lived_at")) if "lived_at" in frame else [[]] * len(frame)
    frame["history_postcodes"] = [[pair[0] for pair in (v or [])] for v in lived]
    frame["history_lines"] = [[pair[1] for pair in (v or [])] for v in lived]
    return frame


def as_date(value: Any) -> date | None:
    """A Python date from a date, datetime, Neo4j date, ISO string or NaN/None."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    to_native = getattr(value, "to_native", None)
    if callable(to_native):
        return as_date(to_native())
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def transposed(d: date | None) -> date | None:
    """Day and month swapped (03/04/1990 <-> 04/03/1990); None when the swap is no other date."""
    if d is None or d.day > 12 or d.day == d.month:
        return None
    return date(d.year, d.day, d.month)


def normalise_sex(value: Any) -> str | None:
    """'Male', 'M', '1' (CIN code) -> 'm'; 'Female', 'F', '2' -> 'f'; unknown, not stated -> None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip().lower()
    if text in {"m", "male", "1", "man", "boy"}:
        return "m"
    if text in {"f", "female", "2", "woman", "girl"}:
        return "f"
    return None


def age_on(dob: date, on: date) -> int:
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


def life_stage(
    dob: date | None, expected: date | None, has_child_only_identifier: bool, reference: date
) -> str | None:
    """child / adult at the reference date from the date of birth; without one, unborn (expected date) or
    child (a child-only identifier such as a UPN); None when nothing says."""
    if dob is not None:
        return "child" if age_on(dob, reference) < 18 else "adult"
    if expected is not None:
        return "unborn" if expected > reference - timedelta(days=28) else "child"
    return "child" if has_child_only_identifier else None


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None


def _list(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value if v is not None and not (isinstance(v, float) and math.isnan(v))]


def _postcode(value: str | None) -> str | None:
    text = ids.clean(value)
    if not text or len(text) < 5:
        return None
    return f"{text[:-3]} {text[-3:]}"


def _address(line: str | None, postcode: str | None) -> str | None:
    tokens = name_tokens(line) if line else []
    digits = "".join(ch for ch in (line or "") if ch.isdigit())
    if not postcode or not (tokens or digits):
        return None
    return f"{digits}{' '.join(tokens)}|{postcode}"


def _unique(items: Iterable[str | None]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return list(seen)


def features_for(row: Mapping[Any, Any], reference: date) -> dict[str, Any]:
    """The features of one record (see ``FEATURE_SCHEMA``)."""
    given_tokens = name_tokens(_text(row.get("given_name")))
    other_tokens = name_tokens(_text(row.get("other_names")))
    family_tokens = name_tokens(_text(row.get("family_name")))
    given = given_tokens[0] if given_tokens else None
    family = "".join(family_tokens) or None
    dob = as_date(row.get("date_of_birth"))
    expected = as_date(row.get("expected_date_of_birth"))
    dob_t = transposed(dob)

    nhs = ids.clean(row.get("nhs_number"))
    upn = ids.clean(row.get("upn"))
    la_id = ids.clean(row.get("la_child_id"))
    pnc_raw = ids.clean(row.get("pnc_id"))
    upn_valid = upn if ids.valid_upn(upn) else None

    current = _postcode(_text(row.get("postcode")))
    history_pc = [_postcode(p) for p in _list(row.get("history_postcodes"))]
    history_lines = _list(row.get("history_lines"))
    postcodes = _unique([current, *history_pc])
    addresses = _unique(
        [_address(_text(row.get("address_line")), current)]
        + [_address(line, pc) for line, pc in zip(history_lines, history_pc, strict=False)]
    )
    return {
        "unique_id": row["record_key"],
        "agency": _text(row.get("agency")),
        "given": given,
        "given_initial": given[0] if given else None,
        "given_groups": list(nickname_groups(given)) if given else [],
        "given_ph": phonetic(given) if given else None,
        "names_all": _unique([*given_tokens, *other_tokens]),
        "family": family,
        "family_tokens": family_tokens,
        "family_ph": phonetic(family) if family else None,
        "family_initial": family[0] if family else None,
        "dob": dob.isoformat() if dob else None,
        "dob_t": dob_t.isoformat() if dob_t else None,
        "dob_year": str(dob.year) if dob else None,
        "dob_any": dob or expected,
        "is_expected": dob is None and expected is not None,
        "sex": normalise_sex(row.get("sex")),
        "postcode": current,
        "postcodes": postcodes,
        "districts": _unique(p.split(" ")[0] for p in postcodes),
        "addresses": addresses,
        "nhs": nhs,
        "upn": upn,
        "la_id": la_id,
        "pnc": ids.pnc_core(pnc_raw),
        "nhs_valid": nhs if ids.valid_nhs_number(nhs) else None,
        "upn_valid": upn_valid,
        "la_valid": la_id if ids.valid_la_child_id(la_id) else None,
        "pnc_valid": ids.pnc_core(pnc_raw) if ids.valid_pnc_id(pnc_raw) else None,
        "upn_permanent": upn_valid if upn_valid and not ids.temporary_upn(upn_valid) else None,
        "stage": life_stage(dob, expected, upn_valid is not None, reference),
    }


def _missing(value: Any) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def _memo(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``fn`` computed once per distinct (hashable) argument."""
    cache: dict[Any, Any] = {}

    def wrapped(value: Any) -> Any:
        try:
            return cache[value]
        except KeyError:
            result = cache[value] = fn(value)
            return result

    return wrapped


def prepare_features(
    records: pd.DataFrame, reference: date, chunk_rows: int = FEATURE_CHUNK_ROWS
) -> pa.Table:
    """One feature row per record, in the input's order, typed by ``FEATURE_SCHEMA``.

    The same as ``features_for`` on every row, computed column by column with each distinct value
    (name, date, postcode, identifier) worked out once: counties repeat them a great deal. Rows are worked
    ``chunk_rows`` at a time, so that Python holds one chunk's values, not every record's (at 200,000 children
    the whole county's took 3.9 GB).
    """
    if "record_key" not in records.columns:
        raise ValueError("records lack column(s) ['record_key']")
    check_unique_keys(pa.array(records["record_key"], pa.string()))
    memos = _Memos(reference)
    chunks = [
        _chunk_features(records.iloc[start : start + chunk_rows], memos)
        for start in range(0, max(len(records), 1), chunk_rows)
    ]
    return pa.concat_tables(chunks)


def check_unique_keys(keys: pa.Array | pa.ChunkedArray) -> None:
    """Raise ValueError naming up to three record keys that appear more than once."""
    if pc.count_distinct(keys, mode="all").as_py() == len(keys):
        return
    counts = pc.value_counts(keys)
    repeated = counts.filter(pc.greater(counts.field("counts"), 1)).field("values")
    raise ValueError(f"record_key must be unique, repeated: {repeated[:3].to_pylist()}")


def page_features(rows: Iterable[Sequence[Any]], memos: _Memos) -> pa.Table:
    """The features of one page of records as the store reads them (``PAGE_COLUMNS``)."""
    return _chunk_features(records_frame([rows]), memos)


class _Memos:
    """What a chunk of records needs worked out, each distinct value once for the whole run."""

    def __init__(self, reference: date) -> None:
        self.tokens = _memo(lambda v: tuple(name_tokens(_text(v))))
        self.given_info = _memo(lambda t: (t[0], t[0][0], list(nickname_groups(t[0])), phonetic(t[0])) if t else
                                (None, None, [], None))  # fmt: skip
        self.family_info = _memo(
            lambda t: ("".join(t), "".join(t)[0], phonetic("".join(t))) if t else (None, None, None)
        )
        self.to_date = _memo(as_date)
        self.clean = _memo(ids.clean)
        self.nhs_ok, self.upn_ok, self.la_ok, self.pnc_ok = (
            _memo(ids.valid_nhs_number), _memo(ids.valid_upn), _memo(ids.valid_la_child_id), _memo(ids.valid_pnc_id)
        )  # fmt: skip
        self.pnc_core = _memo(ids.pnc_core)
        self.postcode = _memo(lambda v: _postcode(_text(v)))
        self.address = _memo(lambda pair: _address(pair[0], pair[1]))
        self.stage = _memo(lambda t: life_stage(t[0], t[1], t[2], reference))
        self.sex = _memo(normalise_sex)
        self.dob_text = _memo(lambda d: (d.isoformat(), t.isoformat() if (t := transposed(d)) else None, str(d.year))
                              if d else (None, None, None))  # fmt: skip
        # a record with no history and no address line: its places follow from its postcode alone
        self.place_of = _memo(lambda pc: ([pc] if pc else [], [pc.split(" ")[0]] if pc else [], []))


def _columns(rows: Iterable[tuple[Any, ...]], width: int, n: int) -> list[list[Any]]:
    """Tuples of ``width`` values, one per record, as ``width`` columns."""
    columns = [list(c) for c in zip(*rows, strict=True)]
    return columns if columns else [[None] * n for _ in range(width)]


def _places(
    current: str | None,
    history_postcodes: list[str],
    history_lines: list[str],
    line: str | None,
    postcode: Callable[[Any], Any],
    address: Callable[[Any], Any],
) -> tuple[list[str], list[str], list[str]]:
    """(postcodes, their districts, addresses) of one record: its current address and its history."""
    history = [postcode(p) for p in history_postcodes]
    postcodes = _unique([current, *history])
    addresses = _unique(
        [address((line, current))]
        + [address((ln, pc)) for ln, pc in zip(history_lines, history, strict=False)]
    )
    return postcodes, _unique(p.split(" ")[0] for p in postcodes), addresses


def _chunk_features(records: pd.DataFrame, m: _Memos) -> pa.Table:
    n = len(records)

    def col(name: str) -> list[Any]:
        if name not in records.columns:
            return [None] * n
        return [None if _missing(v) else v for v in records[name].tolist()]

    def lists(name: str) -> list[list[Any]]:
        if name not in records.columns:
            return [[] for _ in range(n)]
        return [_list(v) for v in records[name].tolist()]

    tokens, given_info, family_info, to_date, clean = (
        m.tokens,
        m.given_info,
        m.family_info,
        m.to_date,
        m.clean,
    )
    nhs_ok, upn_ok, la_ok, pnc_ok, pnc_core = m.nhs_ok, m.upn_ok, m.la_ok, m.pnc_ok, m.pnc_core
    postcode, address, stage, sex = m.postcode, m.address, m.stage, m.sex
    given_toks = [tokens(v) for v in col("given_name")]
    other_toks = [tokens(v) for v in col("other_names")]
    family_toks = [tokens(v) for v in col("family_name")]
    dobs = [to_date(v) for v in col("date_of_birth")]
    expecteds = [to_date(v) for v in col("expected_date_of_birth")]
    nhs = [clean(v) for v in col("nhs_number")]
    upn = [clean(v) for v in col("upn")]
    la_id = [clean(v) for v in col("la_child_id")]
    pnc_raw = [clean(v) for v in col("pnc_id")]
    agencies = col("agency")
    lines = col("address_line")
    current_pcs = [postcode(v) for v in col("postcode")]
    sexes = [sex(v) for v in col("sex")]

    hist_pcs, hist_lines = lists("history_postcodes"), lists("history_lines")
    lines = [_text(v) for v in lines]
    # column by column (a comprehension per column is several times faster than appending a row at a time)
    given_cols = _columns(map(given_info, given_toks), 4, n)
    family_cols = _columns(map(family_info, family_toks), 3, n)
    dob_cols = _columns(map(m.dob_text, dobs), 3, n)
    place_cols = _columns(
        (_places(current, pcs, lns, line, postcode, address) if pcs or line else m.place_of(current)
         for current, pcs, lns, line in zip(current_pcs, hist_pcs, hist_lines, lines, strict=True)),
        3, n,
    )  # fmt: skip
    upn_valid = [u if upn_ok(u) else None for u in upn]
    cores = [pnc_core(p) for p in pnc_raw]
    out: dict[str, list[Any]] = {
        "unique_id": col("record_key"),
        "agency": [_text(a) for a in agencies],
        "given": given_cols[0],
        "given_initial": given_cols[1],
        "given_groups": given_cols[2],
        "given_ph": given_cols[3],
        "names_all": [_unique([*g, *o]) for g, o in zip(given_toks, other_toks, strict=True)],
        "family": family_cols[0],
        "family_tokens": [list(t) for t in family_toks],
        "family_ph": family_cols[2],
        "family_initial": family_cols[1],
        "dob": dob_cols[0],
        "dob_t": dob_cols[1],
        "dob_year": dob_cols[2],
        "dob_any": [d or e for d, e in zip(dobs, expecteds, strict=True)],
        "is_expected": [d is None and e is not None for d, e in zip(dobs, expecteds, strict=True)],
        "sex": sexes,
        "postcode": current_pcs,
        "postcodes": place_cols[0],
        "districts": place_cols[1],
        "addresses": place_cols[2],
        "nhs": nhs,
        "upn": upn,
        "la_id": la_id,
        "pnc": cores,
        "nhs_valid": [v if nhs_ok(v) else None for v in nhs],
        "upn_valid": upn_valid,
        "la_valid": [v if la_ok(v) else None for v in la_id],
        "pnc_valid": [c if pnc_ok(r) else None for c, r in zip(cores, pnc_raw, strict=True)],
        "upn_permanent": [u if u and not ids.temporary_upn(u) else None for u in upn_valid],
        "stage": [stage((d, e, u is not None)) for d, e, u in zip(dobs, expecteds, upn_valid, strict=True)],
    }
    return pa.table(out, schema=FEATURE_SCHEMA)
