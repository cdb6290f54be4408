"""Property-based tests: malformed rows and files fed to every adapter of police, health, education, early
help, probation, housing and third sector. For every input: no crash and no traceback (a file that cannot be
read is one ``BadFileError`` naming it), and read = loaded + quarantined.

These run read -> validate -> transform through the framework's own ``run_file`` without a database: the
writer here only turns every row into its Cypher parameters (so serialisation is exercised) and reports
every link as written. What the real server adds (links to records missing from the graph) is covered by
the agency tests on the real server.
"""

from __future__ import annotations

import csv
import io
import json
import os
import string
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest.adapters  # noqa: F401
from ingest.adapters.education import FAMILY_CONTEXT_COLUMNS, FamilyContextEducation
from ingest.adapters.health import FHIR_NDJSON_ADAPTERS, FHIR_XML_ADAPTERS
from ingest.adapters.health import FHIR_NS as NS
from ingest.contract import identifiers as ids
from ingest.contract.health import (
    BASIS_SYSTEM,
    CPIS_SYSTEM,
    ENCOUNTER_KIND_SYSTEM,
    NHS_NUMBER_SYSTEM,
    RECORDED_BY_ROLE_SYSTEM,
    ROLE_CODE_SYSTEM,
)
from ingest.contract.spec import Col
from ingest.registry import ADAPTERS
from tests.fuzzkit import check, damage_end

FUZZ = settings(
    max_examples=int(os.environ.get("JIGSAW_FUZZ_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("JIGSAW_FUZZ_EXAMPLES") is None,
)
AGENCIES = ("police", "health", "education", "early_help", "probation", "housing", "third_sector")
CSV_ADAPTERS = [a for a in ADAPTERS if a.agency in AGENCIES and hasattr(a, "spec")]


# -- values: mostly plausible, sometimes wrong -------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12)
NASTY = st.sampled_from(["", " ", '"', "\n", "N/A", "ZZ9", "2024-02-30", "30/02/2024", "9434765918", "0", "-1",
                         "1e9", "null", "Y ", "{", "é", "\x00", "9" * 40])  # fmt: skip


def nhs_numbers() -> st.SearchStrategy[str]:
    def make(nine: str) -> str:
        check_digit = ids.nhs_check_digit(nine)
        return nine + str(check_digit if check_digit is not None else 0)

    return st.text(alphabet=string.digits, min_size=9, max_size=9).map(make)


def upns() -> st.SearchStrategy[str]:
    return st.text(alphabet=string.digits, min_size=12, max_size=12).map(
        lambda b: ids.upn_check_letter(b) + b
    )


def plausible(col: Col, date_format: str) -> st.SearchStrategy[str]:
    k = col.kind
    if k == "id":
        return st.from_regex(r"[A-Z][0-9]{1,6}", fullmatch=True)
    if k == "la_child_id":
        return st.from_regex(r"[0-9]{1,8}", fullmatch=True)
    if k == "date":
        return st.dates(date(1950, 1, 1), date(2030, 12, 31)).map(lambda d: d.strftime(date_format))
    if k == "int":
        lo = col.min_value if col.min_value is not None else 0
        hi = col.max_value if col.max_value is not None else 300
        return st.integers(lo, hi).map(str)
    if k == "code":
        assert col.codes is not None
        return st.sampled_from(list(col.codes))
    if k == "flag":
        return st.sampled_from(["Y", "N"])
    if k == "nhs":
        return nhs_numbers()
    if k in ("upn", "upn_or_unknown"):
        return upns()
    if k == "pnc":
        return st.integers(1, 9_999_999).map(lambda n: ids.format_pnc_id(2001, n))
    if k == "postcode":
        return st.sampled_from(["JG1 2AB", "B86 0LF", "SW1A 1AA"])
    if k == "postcode_nospace":
        return st.sampled_from(["JG12AB", "B860LF"])
    if k == "urn":
        return st.from_regex(r"[0-9]{6}", fullmatch=True)
    if k == "crn":
        return st.from_regex(r"[A-Z][0-9]{6}", fullmatch=True)
    if k == "uprn":
        return st.from_regex(r"[0-9]{1,12}", fullmatch=True)
    if k == "json":
        return st.sampled_from(["{}", '{"A": "Y"}'])
    return TEXT


def value(col: Col, date_format: str) -> st.SearchStrategy[str]:
    return st.one_of(plausible(col, date_format), plausible(col, date_format), st.just(""), NASTY, TEXT)


@st.composite
def csv_files(draw: st.DrawFn, columns: tuple[Col, ...], date_format: str) -> bytes:
    names = [c.name for c in columns]
    header_kind = draw(st.sampled_from(["ok"] * 6 + ["missing", "extra", "semicolon", "shuffled"]))
    header = list(names)
    if header_kind == "missing":
        header = header[: draw(st.integers(0, len(header) - 1))]
    elif header_kind == "extra":
        header = [*header, "unexpected"]
    elif header_kind == "shuffled":
        header = draw(st.permutations(header))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row = [draw(value(c, date_format)) for c in columns]
        shape = draw(st.sampled_from(["ok"] * 5 + ["short", "long"]))
        if shape == "short":
            row = row[: draw(st.integers(0, max(0, len(row) - 1)))]
        elif shape == "long":
            row = [*row, "surplus"]
        rows.append(row)
    buf = io.StringIO()
    out = csv.writer(buf, delimiter=";" if header_kind == "semicolon" else ",")
    out.writerow(header)
    out.writerows(rows)
    return damage_end(
        draw, buf.getvalue().encode(), ["whole"] * 6 + ["truncated", "latin1", "empty", "unterminated"]
    )


@pytest.mark.parametrize("adapter", CSV_ADAPTERS, ids=lambda a: a.kind)
def test_contract_csv_adapters_never_crash_and_balance(
    adapter: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp(adapter.kind)
    path = folder / adapter.spec.paths[0]
    path.parent.mkdir(parents=True, exist_ok=True)

    @FUZZ
    @given(data=csv_files(adapter.spec.columns, adapter.spec.date_format))
    def run(data: bytes) -> None:
        path.write_bytes(data)
        check(adapter, path)

    run()


# -- the public family-context layout ----------------------------------------------------------------------


@st.composite
def family_context_files(draw: st.DrawFn) -> bytes:
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        row = [draw(st.one_of(TEXT, NASTY, st.just("2014-07-28"), st.just("2022-10-15 00:00:00"),
                              st.just("639 Adam glens\nLake Stephenbury\nB86 0LF")))
               for _ in FAMILY_CONTEXT_COLUMNS]  # fmt: skip
        if draw(st.booleans()):
            row[0] = str(draw(st.integers(1, 20)))
        if draw(st.integers(0, 5)) == 0:
            row = row[:5]
        rows.append(row)
    buf = io.StringIO()
    csv.writer(buf).writerows([list(FAMILY_CONTEXT_COLUMNS), *rows])
    data = buf.getvalue().encode()
    if draw(st.integers(0, 4)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


def test_family_context_education_never_crashes(tmp_path: Path) -> None:
    path = tmp_path / "education.csv"
    adapter = FamilyContextEducation()

    @FUZZ
    @given(data=family_context_files())
    def run(data: bytes) -> None:
        path.write_bytes(data)
        check(adapter, path)

    run()


# -- FHIR NDJSON --------------------------------------------------------------------------------------------


def meta() -> dict[str, Any]:
    return {"lastUpdated": "2024-03-01", "tag": [{"system": BASIS_SYSTEM, "code": "fact"},
                                                 {"system": RECORDED_BY_ROLE_SYSTEM, "code": "GP"}]}  # fmt: skip


def base_resource(rtype: str, n: int) -> dict[str, Any]:
    res: dict[str, Any] = {"resourceType": rtype, "id": f"x{n}", "meta": meta()}
    if rtype == "Patient":
        res |= {"name": [{"family": "Jones", "given": ["Amy"]}], "birthDate": "2015-01-01", "gender": "female",
                "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": "9434765919"}],
                "address": [{"line": ["1 High St"], "postalCode": "JG1 2AB"}]}  # fmt: skip
    elif rtype == "RelatedPerson":
        res |= {"patient": {"reference": "Patient/x1"},
                "relationship": [{"coding": [{"system": ROLE_CODE_SYSTEM, "code": "MTH"}]}]}  # fmt: skip
    elif rtype == "Encounter":
        res |= {"status": "finished", "class": {"code": "EMER"}, "subject": {"reference": "Patient/x1"},
                "type": [{"coding": [{"system": ENCOUNTER_KIND_SYSTEM, "code": "ae-attendance"}]}],
                "period": {"start": "2024-01-01"}, "participant": [{"individual": {"reference": "RelatedPerson/r1"}}]}  # fmt: skip
    else:
        res |= {"status": "active", "code": {"coding": [{"system": CPIS_SYSTEM, "code": "cp-plan"}]},
                "subject": {"reference": "Patient/x1"}, "period": {"start": "2024-01-01"}}  # fmt: skip
    return res


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXT | NASTY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


@st.composite
def ndjson_files(draw: st.DrawFn, rtype: str) -> bytes:
    lines = []
    for n in range(draw(st.integers(0, 6))):
        res = base_resource(draw(st.sampled_from([rtype] * 4 + ["Patient", "Flag"])), n)
        for _ in range(draw(st.integers(0, 3))):
            key = draw(st.sampled_from([*res.keys(), "extra"]))
            if draw(st.booleans()):
                res.pop(key, None)
            else:
                res[key] = draw(JSON_VALUES)
        line = json.dumps(res)
        kind = draw(st.sampled_from(["ok"] * 6 + ["cut", "text", "array", "blank"]))
        if kind == "cut":
            line = line[: draw(st.integers(0, len(line)))]
        elif kind == "text":
            line = draw(TEXT).replace("\n", " ")
        elif kind == "array":
            line = "[1, 2]"
        elif kind == "blank":
            line = "   "
        lines.append(line)
    data = "\n".join(lines).encode()
    if draw(st.integers(0, 6)) == 0:
        data += b"\xff\xfe"
    return data


@pytest.mark.parametrize("adapter", FHIR_NDJSON_ADAPTERS, ids=lambda a: a.kind)
def test_fhir_ndjson_adapters_never_crash_and_balance(
    adapter: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp(adapter.kind) / f"{adapter.resource_type}.ndjson"

    @FUZZ
    @given(data=ndjson_files(adapter.resource_type))
    def run(data: bytes) -> None:
        path.write_bytes(data)
        check(adapter, path)

    run()


# -- FHIR XML -----------------------------------------------------------------------------------------------


@st.composite
def xml_files(draw: st.DrawFn, rtype: str) -> bytes:
    children = {
        "Patient": '<id value="p1"/><identifier><system value="https://fhir.nhs.uk/Id/nhs-number"/><value value="{v}"/>'
        '</identifier><name><family value="{t}"/><given value="Amy"/></name><birthDate value="{d}"/>'
        '<address><line value="1 High St"/><postalCode value="{pc}"/></address>',
        "RelatedPerson": '<id value="r1"/><patient><reference value="{ref}"/></patient><relationship><coding><code '
        'value="WIFE"/></coding></relationship><name><family value="{t}"/></name>',
        "Encounter": '<id value="e1"/><status value="finished"/><class><code value="IMP"/></class><subject>'
        '<reference value="{ref}"/></subject><period><start value="{d}"/></period>',
    }[rtype]
    body = children.format(
        v=draw(st.sampled_from(["9434765919", "9434765918", "", "abc"])),
        t=draw(TEXT).replace('"', "").replace("<", "").replace("&", ""),
        d=draw(st.sampled_from(["2020-01-01", "2020-02-30", "", "2020-01-01T10:00:00Z"])),
        pc=draw(st.sampled_from(["JG1 2AB", "nope", ""])),
        ref=draw(st.sampled_from(["Patient/p1", "Practitioner/x", "", "Patient/"])),
    )
    root = draw(st.sampled_from([rtype] * 5 + ["Bundle"]))
    text = f'<{root} xmlns="{NS[1:-1]}">{body}</{root}>'
    kind = draw(st.sampled_from(["ok"] * 5 + ["cut", "noise", "no-namespace"]))
    if kind == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif kind == "noise":
        text = draw(TEXT)
    elif kind == "no-namespace":
        text = text.replace(f' xmlns="{NS[1:-1]}"', "")
    return text.encode()


@pytest.mark.parametrize("adapter", FHIR_XML_ADAPTERS, ids=lambda a: a.kind)
def test_fhir_xml_adapters_never_crash_and_balance(
    adapter: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp(adapter.kind) / "resource.xml"

    @FUZZ
    @given(data=xml_files(adapter.resource_type))
    def run(data: bytes) -> None:
        path.write_bytes(data)
        check(adapter, path)

    run()
