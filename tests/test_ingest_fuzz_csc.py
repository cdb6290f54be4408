"""Property-based tests for the children's social care adapters: malformed rows and files fed to every SSD table,
the SSDA903 files, the CIN census XML and the family-context csc.csv. For every input: no crash and no traceback
(a file that cannot be read is one ``BadFileError`` naming it), and read = loaded + quarantined.

The CSV files are written into a county folder together with (sometimes) fuzzed sibling files the adapter looks
things up in (the people, the referrals, the assessments, the linked identifiers, the addresses), with ids drawn
from small pools so that references sometimes resolve and sometimes do not. Most runs go through the framework's
``run_file`` with a writer that only serialises the rows (no database); one test runs the CIN census through the
real server, with few examples.

``JIGSAW_FUZZ_EXAMPLES`` sets the number of examples (default 12, derandomised).
"""

from __future__ import annotations

import csv
import io
import os
import string
from datetime import date
from pathlib import Path
from typing import Any

import neo4j
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest.adapters  # noqa: F401
from graph.config import Settings
from graph.writer import GraphWriter
from ingest.adapters.cin_census import CinCensus
from ingest.adapters.family_context import FAMILY_CONTEXT_CSC, FamilyContextCsc
from ingest.contract import codes
from ingest.contract import csc as contract
from ingest.contract import identifiers as ids
from ingest.contract.spec import Col, FileSpec
from ingest.registry import ADAPTERS
from tests.fuzzkit import check, damage_end

EXAMPLES = int(os.environ.get("JIGSAW_FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=os.environ.get("JIGSAW_FUZZ_EXAMPLES") is None,
)
CSC_CSV = [a for a in ADAPTERS if a.agency == "csc" and hasattr(a, "spec") and a.kind != "csc.family_context"]
SPECS = {s.kind: s for s in contract.FILES}
# the files an adapter looks at besides its own: the people and parent facts it refers to, what it looks up
RELATED: dict[str, tuple[str, ...]] = {
    "csc.ssd_person": ("csc.ssd_linked_identifiers", "csc.ssd_address"),
    "csc.ssd_cin_assessments": ("csc.ssd_cin_episodes",),
    "csc.ssd_s47_enquiry": ("csc.ssd_cin_episodes",),
    "csc.ssd_assessment_factors": ("csc.ssd_cin_assessments",),
}


# -- values: mostly plausible, sometimes wrong -------------------------------------------------------------

TEXT = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
NASTY = st.sampled_from(["", " ", '"', "\n", "N/A", "ZZ9", "2024-02-30", "30/02/2024", "9434765918", "0", "-1",
                         "null", "Y ", "{", '{"3B": "Yes"', "[]", '{"NFA_FLAG": 1}', "é", "\x00", "9" * 40])  # fmt: skip
PEOPLE = ["1", "2", "3", "1000001"]  # shared by the person files and the references to them
IDS = ["A1", "A2", "R1", "R2", "X"]  # shared by referrals, assessments and what refers to them


def nhs_numbers() -> st.SearchStrategy[str]:
    def make(nine: str) -> str:
        digit = ids.nhs_check_digit(nine)
        return nine + str(digit if digit is not None else 0)

    return st.text(alphabet=string.digits, min_size=9, max_size=9).map(make)


def upns() -> st.SearchStrategy[str]:
    return st.text(alphabet=string.digits, min_size=12, max_size=12).map(
        lambda b: ids.upn_check_letter(b) + b
    )


def json_for(col: Col) -> st.SearchStrategy[str]:
    keys = list(col.json_keys or ["A"])
    values = list(col.json_values or ["Y"]) + ["?"]
    pairs = st.dictionaries(st.sampled_from(keys), st.sampled_from(values), max_size=4)
    return pairs.map(lambda d: "{" + ", ".join(f'"{k}": "{v}"' for k, v in d.items()) + "}")


def plausible(col: Col, date_format: str) -> st.SearchStrategy[str]:
    k = col.kind
    if k == "id":
        return st.sampled_from(IDS)
    if k == "la_child_id":
        return st.sampled_from(PEOPLE)
    if k == "date":
        return st.dates(date(1950, 1, 1), date(2030, 12, 31)).map(lambda d: d.strftime(date_format))
    if k == "code":
        assert col.codes is not None
        return st.sampled_from(list(col.codes))
    if k == "flag":
        return st.sampled_from(["Y", "N"])
    if k == "nhs":
        return nhs_numbers()
    if k in ("upn", "upn_or_unknown"):
        return st.one_of(upns(), st.sampled_from(["UN1", "UN5"]))
    if k == "postcode":
        return st.sampled_from(["JG1 2AB", "B86 0LF"])
    if k == "postcode_nospace":
        return st.sampled_from(["JG12AB", "B860LF"])
    if k == "json":
        return json_for(col)
    return TEXT


def value(col: Col, date_format: str) -> st.SearchStrategy[str]:
    if col.name == "link_identifier_value":
        return st.one_of(upns(), nhs_numbers(), TEXT)
    return st.one_of(plausible(col, date_format), plausible(col, date_format), st.just(""), NASTY, TEXT)


@st.composite
def csv_bytes(draw: st.DrawFn, spec: FileSpec, damage: bool = True) -> bytes:
    names = list(spec.column_names)
    header_kind = (
        draw(st.sampled_from(["ok"] * 8 + ["missing", "extra", "semicolon", "shuffled"])) if damage else "ok"
    )
    header = list(names)
    if header_kind == "missing":
        header = header[: draw(st.integers(0, len(header) - 1))]
    elif header_kind == "extra":
        header = [*header, "unexpected"]
    elif header_kind == "shuffled":
        header = draw(st.permutations(header))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        row = [draw(value(c, spec.date_format)) for c in spec.columns]
        shape = draw(st.sampled_from(["ok"] * 6 + ["short", "long"])) if damage else "ok"
        if shape == "short":
            row = row[: draw(st.integers(0, max(0, len(row) - 1)))]
        elif shape == "long":
            row = [*row, "surplus"]
        rows.append(row)
    buf = io.StringIO()
    csv.writer(buf, delimiter=";" if header_kind == "semicolon" else ",").writerows([header, *rows])
    data = buf.getvalue().encode()
    if not damage:
        return data
    return damage_end(draw, data, ["whole"] * 8 + ["truncated", "latin1", "empty", "unterminated", "bom"])


@pytest.mark.parametrize("adapter", CSC_CSV, ids=lambda a: a.kind)
def test_csc_csv_adapters_never_crash_and_balance(
    adapter: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp(adapter.kind)
    path = folder / adapter.spec.paths[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    kinds = dict.fromkeys((*adapter.spec.person_refs.values(), *RELATED.get(adapter.kind, ())))
    related = [SPECS[k] for k in kinds if k != adapter.kind]

    @FUZZ
    @given(
        data=csv_bytes(adapter.spec),
        siblings=st.lists(st.booleans(), min_size=3, max_size=3),
        st_data=st.data(),
    )
    def run(data: bytes, siblings: list[bool], st_data: st.DataObject) -> None:
        path.write_bytes(data)
        for spec, present in zip(related, siblings, strict=False):
            other = folder / spec.paths[0]
            other.parent.mkdir(parents=True, exist_ok=True)
            if present:
                other.write_bytes(st_data.draw(csv_bytes(spec, damage=st_data.draw(st.booleans()))))
            elif other.exists():
                other.unlink()
        check(adapter, path)

    run()


# -- the family-context csc.csv ------------------------------------------------------------------------------


@st.composite
def family_context_files(draw: st.DrawFn) -> bytes:
    rows = []
    for _ in range(draw(st.integers(0, 5))):
        row = [draw(st.one_of(TEXT, NASTY, st.just("2014-07-28"), st.just("2022-10-15 00:00:00"), st.just("Male"),
                              st.just("Current"), st.just("639 Adam glens\nLake Stephenbury\nB86 0LF")))
               for _ in FAMILY_CONTEXT_CSC.columns]  # fmt: skip
        if draw(st.booleans()):
            row[0] = str(draw(st.integers(1, 20)))
        if draw(st.integers(0, 5)) == 0:
            row = row[:5]
        rows.append(row)
    buf = io.StringIO()
    csv.writer(buf).writerows([list(FAMILY_CONTEXT_CSC.column_names), *rows])
    data = buf.getvalue().encode()
    if draw(st.integers(0, 4)) == 0:
        data = data[: draw(st.integers(0, len(data)))]
    return data


def test_family_context_csc_never_crashes(tmp_path: Path) -> None:
    path = tmp_path / "csc.csv"

    @FUZZ
    @given(data=family_context_files())
    def run(data: bytes) -> None:
        path.write_bytes(data)
        check(FamilyContextCsc(), path)

    run()


# -- the CIN census XML --------------------------------------------------------------------------------------

XML_TEXT = st.one_of(
    NASTY.map(lambda v: v.replace("<", "").replace("&", "").replace("\x00", "")),
    st.sampled_from(
        ["2024-01-01", "2024-02-30", "1", "0", "true", "M", "U", "3B", "21", "RB", "NEG", "RC8", "N1"]
    ),
)


def leaf(draw: st.DrawFn, tag: str, good: str) -> str:
    kind = draw(st.sampled_from(["good"] * 24 + ["bad", "missing"]))
    if kind == "missing":
        return ""
    return f"<{tag}>{good if kind == 'good' else draw(XML_TEXT)}</{tag}>"


@st.composite
def child_xml(draw: st.DrawFn, n: int, layout: str) -> str:
    la = draw(st.sampled_from([f"C{n}", f"C{n}", "C1", "bad_id!", ""]))
    sex = leaf(draw, "Sex", "F") if layout == "2026" else leaf(draw, "GenderCurrent", "2")
    upn = draw(st.sampled_from(["", f"<UPN>{ids.upn_check_letter('999201122001')}999201122001</UPN>",
                                "<UPN>A999201122001</UPN>", "<UPN>nope</UPN>"]))  # fmt: skip
    idents = f"<ChildIdentifiers><LAchildID>{la}</LAchildID>{upn}{leaf(draw, 'PersonBirthDate', '2015-03-27')}{sex}</ChildIdentifiers>"
    chars = f"<ChildCharacteristics>{leaf(draw, 'Ethnicity', 'WBRI')}</ChildCharacteristics>"
    details = []
    for _ in range(draw(st.integers(0, 2))):
        factors = "".join(f"<AssessmentFactors>{draw(st.sampled_from(list(codes.ASSESSMENT_FACTOR) + ['RB', '']))}"
                          "</AssessmentFactors>" for _ in range(draw(st.integers(0, 3))))  # fmt: skip
        assessment = (f"<Assessments>{leaf(draw, 'AssessmentActualStartDate', '2024-01-02')}"
                      f"<FactorsIdentifiedAtAssessment>{factors}</FactorsIdentifiedAtAssessment></Assessments>")  # fmt: skip
        s47 = (f"<Section47>{leaf(draw, 'S47ActualStartDate', '2024-01-03')}"
               f"{leaf(draw, 'ICPCnotRequired', '1')}</Section47>")  # fmt: skip
        cpp = (f"<ChildProtectionPlans>{leaf(draw, 'CPPstartDate', '2024-02-01')}<InitialCategoryOfAbuse>NEG"
               f"</InitialCategoryOfAbuse><LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
               f"{leaf(draw, 'NumberOfPreviousCPP', '0')}<Reviews><CPPreviewDate>2024-03-01</CPPreviewDate></Reviews>"
               f"</ChildProtectionPlans>")  # fmt: skip
        plan = f"<CINPlanDates>{leaf(draw, 'CINPlanStartDate', '2024-01-10')}</CINPlanDates>"
        parts = [
            leaf(draw, "CINreferralDate", "2024-01-01"), leaf(draw, "ReferralSource", "6"),
            assessment if draw(st.booleans()) else "", plan if draw(st.booleans()) else "",
            s47 if draw(st.booleans()) else "", leaf(draw, "ReferralNFA", draw(st.sampled_from(["0", "false"]))),
            cpp if draw(st.booleans()) else "", "<Surprise/>" if draw(st.integers(0, 8)) == 0 else "",
        ]  # fmt: skip
        details.append(f"<CINdetails>{''.join(parts)}</CINdetails>")
    return f"<Child>{idents}{chars}{''.join(details)}</Child>"


@st.composite
def cin_files(draw: st.DrawFn) -> bytes:
    layout = draw(st.sampled_from(["2026", "pre-2026"]))
    header = ("<Header><CollectionDetails><Collection>CIN</Collection><Year>2026</Year>"
              "<ReferenceDate>2026-03-31</ReferenceDate></CollectionDetails><Source><SourceLevel>L</SourceLevel>"
              f"<LEA>{draw(st.sampled_from(['999'] * 8 + ['99', 'ABC']))}</LEA></Source></Header>")  # fmt: skip
    children = [draw(child_xml(n, layout)) for n in range(1, draw(st.integers(0, 4)) + 1)]
    sep = draw(st.sampled_from(["", "\n"]))
    text = f'<?xml version="1.0" encoding="UTF-8"?>\n<Message>{sep}{header}{sep}<Children>{sep}{sep.join(children)}{sep}</Children></Message>'
    kind = draw(
        st.sampled_from(["ok"] * 8 + ["cut", "noise", "doctype", "root", "latin1", "empty", "no-children"])
    )
    if kind == "cut":
        text = text[: draw(st.integers(0, len(text)))]
    elif kind == "noise":
        text = draw(TEXT)
    elif kind == "doctype":
        text = text.replace("<Message>", '<!DOCTYPE Message [<!ENTITY x "xxxxxxxx">]><Message>', 1)
    elif kind == "root":
        text = text.replace("<Message>", '<Message xmlns="urn:x">', 1)
    elif kind == "no-children":
        text = text.replace("<Children>", "<Kids>").replace("</Children>", "</Kids>")
    data = text.encode()
    if kind == "latin1":
        data = data.replace(b"<Children>", "<Children>é".encode("latin-1"), 1)
    elif kind == "empty":
        data = b""
    return data


def test_cin_census_never_crashes_and_balances(tmp_path: Path) -> None:
    path = tmp_path / "cin_census.xml"

    @FUZZ
    @given(data=cin_files())
    def run(data: bytes) -> None:
        path.write_bytes(data)
        check(CinCensus(), path)

    run()


def test_cin_census_fuzz_on_the_real_server(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    """A few fuzzed census files written for real: links that find no record quarantine their row, and the file
    still balances."""
    path = tmp_path / "cin_census.xml"
    writer = GraphWriter(graph, neo4j_settings.database)

    @settings(max_examples=max(3, EXAMPLES // 4), deadline=None, suppress_health_check=list(HealthCheck),
              derandomize=os.environ.get("JIGSAW_FUZZ_EXAMPLES") is None)  # fmt: skip
    @given(data=cin_files())
    def run(data: bytes) -> None:
        path.write_bytes(data)
        check(CinCensus(), path, writer)

    run()
