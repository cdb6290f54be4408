"""The app's pure pieces: what the search box accepts, how the graph marks people, the briefing's stamp (and
the time it is as known at), what a role sees of "what changed"."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.commands.app import streamlit_command
from app.governance import meeting_view
from app.web.graphview import COLOURS, graph_elements, visualization
from app.web.pdf import MARKING, Stamp, briefing_pdf
from app.web.search import SearchInputError, _name_score, parse_search
from app.web.views.case import change_rows


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("Kayleigh  Jones", "name", "kayleigh jones"),
        ("O'Brien-Smith", "name", "o'brien-smith"),
        ("Zoë", "name", "zoë"),
        ("01/02/2015", "date_of_birth", "2015-02-01"),
        ("2015-02-01", "date_of_birth", "2015-02-01"),
        ("943 476 5919", "nhs_number", "9434765919"),
        ("A123456789012", "upn", "A123456789012"),
        ("90/123456A", "pnc_id", "90/123456A"),
        ("LA12345", "la_child_id", "LA12345"),
    ],
)
def test_search_box_recognises_what_was_typed(text: str, kind: str, value: str) -> None:
    parsed = parse_search(text)
    assert (parsed.kind, parsed.value) == (kind, value)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "x' OR 1=1 //", "a}) DETACH DELETE n", "<script>", "31/02/2015", "$name", "a" * 81, "12;34"],
)
def test_search_box_refuses_anything_else(text: str) -> None:
    with pytest.raises(SearchInputError):
        parse_search(text)


CHILD: dict[str, Any] = {"person_id": "C", "given_name": "Kayleigh", "family_name": "Jones", "kind": "child", "age": 10,
         "date_of_birth": "2015-02-01"}  # fmt: skip
PEOPLE: list[dict[str, Any]] = [
    {"person_id": "D", "given_name": "Dan", "family_name": "Smyth", "kind": "adult", "age": 36,
     "date_of_birth": "1990-04-03", "risk_history": True, "relationship": "step parent"},
    {"person_id": "S", "given_name": "Sarah", "family_name": "Jones", "kind": "adult", "age": 38,
     "date_of_birth": "1988-06-05", "relationship": "parent"},
    {"person_id": "T", "given_name": "Tyler", "family_name": "Jones", "kind": "child", "age": 8,
     "date_of_birth": "2018-09-09", "relationship": "sibling"},
]  # fmt: skip
FACTS: list[dict[str, Any]] = [
    {"fact_key": "F1", "fact_type": "da_incident", "labels": ["Event"], "occurred_on": "2026-01-08",
     "agency": "police", "basis": "opinion", "summary": "Tyler Jones upstairs at B86 0LF"},
    {"fact_key": "F2", "fact_type": "ae_attendance", "labels": ["Event"], "occurred_on": "2025-12-24",
     "agency": "health", "basis": "fact", "restricted": True},
]  # fmt: skip
INVOLVED: dict[str, list[dict[str, Any]]] = {"F1": [{"person_id": "D", "role": "suspect"}, {"person_id": "C", "role": "present"}],
            "F2": [{"person_id": "C", "role": "subject"}]}  # fmt: skip


def test_graph_marks_risk_and_hidden_adults_and_greys_restricted_records() -> None:
    nodes, rels = graph_elements(CHILD, PEOPLE, [{"source": "D", "target": "C", "type": "step parent"}], FACTS,
                                 INVOLVED, hidden_ids={"D", "S"})  # fmt: skip
    by_id = {n["id"]: n for n in nodes}
    assert by_id["C"]["color"] == COLOURS["subject"] and by_id["C"]["size"] > by_id["T"]["size"]
    assert by_id["D"]["color"] == COLOURS["risk_adult"] and "[RISK] [HIDDEN]" in by_id["D"]["caption"]
    assert by_id["S"]["color"] == COLOURS["hidden_adult"] and "[HIDDEN]" in by_id["S"]["caption"]
    assert by_id["T"]["color"] == COLOURS["child"]
    assert by_id["F2"]["color"] == COLOURS["restricted"]
    assert {(r["source"], r["target"]) for r in rels} == {("D", "C"), ("D", "F1"), ("C", "F1"), ("C", "F2")}
    vg = visualization(nodes, rels)
    assert len(vg.nodes) == len(nodes) and len(vg.relationships) == len(rels)
    # no fact nodes beyond the cap, newest kept
    nodes, _ = graph_elements(CHILD, PEOPLE, [], FACTS, INVOLVED, set(), max_facts=1)
    assert [n["id"] for n in nodes if n["properties"]["type"] == "fact"] == ["F1"]


def test_graph_in_meeting_mode_shows_other_children_by_initials() -> None:
    mv = meeting_view("C", [CHILD, *PEOPLE], FACTS, date(2026, 2, 1))
    others = [p for p in mv.people if p.get("person_id") != "C"]
    nodes, _ = graph_elements(mv.people[0], others, [], mv.facts, INVOLVED, set())
    captions = " ".join(n["caption"] for n in nodes)
    assert "Tyler" not in captions and "T.J. (7)" in captions and "Dan Smyth" in captions


def test_briefing_is_marked_and_stamped(tmp_path: Path) -> None:
    stamp = Stamp(datetime(2026, 2, 1, 10, 30, tzinfo=UTC), "sam", "supervisor", "Strategy discussion today",
                  "Children Act 1989 s47: Local authority's duty to investigate", "01/01/2025 to 01/02/2026")  # fmt: skip
    mv = meeting_view("C", [CHILD, *PEOPLE], FACTS, date(2026, 2, 1))
    risk = {"score": 3.2, "suggested_level": 2, "contributions": [
        {"indicator": "DA incident", "points": 2.7, "occurred_on": "2026-01-08", "agency": "police",
         "marker": "OPINION"}]}  # fmt: skip
    data = briefing_pdf(stamp, mv.people[0], mv.people[1:], mv.facts, risk, None)
    assert data.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils; `make browser` installs it) reads the PDF")
    path = tmp_path / "b.pdf"
    path.write_bytes(data)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())  # fmt: skip
    assert text.count(MARKING) >= 2
    for expected in ("01/02/2026 10:30", "sam (supervisor)", "Strategy discussion today", "Children Act 1989 s47",
                     "[OPINION] T.J. upstairs at B86", "T.J.", "2025-12-24 health", "DA incident"):  # fmt: skip
        assert expected in text, expected
    assert "Tyler" not in text and "B86 0LF" not in text


def test_briefing_of_a_past_picture_says_so_on_every_page(tmp_path: Path) -> None:
    at = datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC)
    stamp = Stamp(datetime(2026, 12, 6, 10, 30, tzinfo=UTC), "sam", "supervisor", "Strategy discussion today",
                  "Children Act 1989 s47: Local authority's duty to investigate", "01/01/2025 to 01/03/2026", at)  # fmt: skip
    many = [dict(FACTS[0], fact_key=f"F{i}", marker="FACT") for i in range(120)]  # more than one page
    data = briefing_pdf(stamp, CHILD, [], many, None, None)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils; `make browser` installs it) reads the PDF")
    path = tmp_path / "b.pdf"
    path.write_bytes(data)
    pages = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    pages_text = [" ".join(page.split()) for page in pages.split("\f") if page.strip()]
    assert len(pages_text) > 1
    for page in pages_text:
        assert "AS KNOWN AT 01/03/2026 23:59 UTC - NOT THE CURRENT PICTURE" in page
    first = pages_text[0]
    assert "As known at 01/03/2026 23:59 UTC: what Jigsaw had learnt by then" in first
    assert "AS KNOWN AT 2026-03-01 23:59 UTC" in first and "This is not the current picture" in first
    assert "Generated 06/12/2026 10:30" in first
    now = Stamp(
        *[getattr(stamp, f) for f in ("generated_at", "user", "role", "purpose", "gateway", "window")]
    )
    assert now.known_at_text() == "now (the current picture, as at 06/12/2026 10:30 UTC)"


def _version(agency: str, summary: str, key: str = "K") -> dict[str, Any]:
    return {"fact_key": f"{agency}|t|{key}", "fact_type": "referral", "agency": agency, "summary": summary,
            "source_record_id": key, "basis": "fact", "detail": {"x": summary}}  # fmt: skip


def test_what_changed_shows_each_version_as_the_role_may_see_it() -> None:
    changes: list[dict[str, Any]] = [
        {"kind": "added", "occurred_on": "2026-03-05", "learnt_at": "2026-03-10T09:00:00+00:00", "fields": [],
         "before": None, "after": _version("police", "Second DA incident", "O3")},
        {"kind": "corrected", "occurred_on": "2026-01-10", "learnt_at": "2026-03-10T09:00:00+00:00",
         "fields": ["detail", "source_record_id", "summary"], "before": _version("csc", "Referral", "R1"),
         "after": _version("csc", "Referral; strategy discussion held", "R1")},
        {"kind": "withdrawn", "occurred_on": "2025-12-24", "learnt_at": None, "fields": [],
         "before": _version("health", "A&E: wrist injury", "A1"), "after": None},
    ]  # fmt: skip

    def role(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """police in detail, csc in summary, health not at all"""
        out = []
        for f in facts:
            if f["agency"] == "police":
                out.append({**f, "restricted": False})
            elif f["agency"] == "csc":
                out.append({k: f[k] for k in ("fact_key", "fact_type", "agency", "source_record_id")}
                           | {"restricted": True, "restricted_note": "csc detail is restricted"})  # fmt: skip
        return out

    rows, counts = change_rows(changes, role)
    assert [(r["agency"], r["change"]) for r in rows] == [("police", "added"), ("csc", "corrected")]
    added, corrected = rows
    assert (added["what"], added["learnt"], added["source"]) == (
        "Second DA incident",
        "2026-03-10 09:00",
        "O3",
    )
    assert corrected["what"] == corrected["was"] == "referral (csc detail is restricted)"
    assert corrected["fields changed"] == "source_record_id, (restricted fields)"
    assert "strategy" not in str(rows) and "wrist" not in str(rows)  # neither content nor the hidden change
    assert counts == {"csc": {"added": 0, "corrected": 1, "withdrawn": 0},
                      "police": {"added": 1, "corrected": 0, "withdrawn": 0}}  # fmt: skip


def test_app_command_is_headless_loopback_and_without_telemetry() -> None:
    cmd = streamlit_command(8600, "127.0.0.1")
    pairs = dict(zip(cmd[5::2], cmd[6::2], strict=False))
    assert cmd[3:5] == ["run", str(Path("app/web/main.py").resolve())]
    assert pairs["--server.headless"] == "true" and pairs["--browser.gatherUsageStats"] == "false"
    assert pairs["--server.address"] == "127.0.0.1" and pairs["--server.port"] == "8600"


def test_name_matching_forgives_nicknames_spellings_and_slips() -> None:
    assert _name_score("dan smith", "Daniel", "Smyth", None) >= 0.9
    assert _name_score("kayleigh jonse", "Kayleigh", "Jones", None) >= 0.85
    assert _name_score("kayleigh jones", "Tyler", "Jones", None) < 0.85
