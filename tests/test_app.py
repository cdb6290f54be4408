"""The Streamlit app's logic with Streamlit's AppTest, against the real Neo4j and a small hand-built case.

Login is required; a purpose and legal gateway are required; search is fuzzy and validated; the case page
renders every panel; the time window changes graph and chronology together; meeting mode reduces what is
shown; the case "as known at" a past date shows the past picture under a banner, and what changed since;
every search, view, export and decision is in the audit trail with its purpose and gateway (and the time a
view of the past is as known at).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import neo4j
import pytest
from streamlit.testing.v1 import AppTest

from app.governance import AuditEntry, Governance
from app.web import services
from graph.config import Settings
from ingest.resolution.clustering import pair_key
from ingest.resolution.engine import review_id
from ingest.resolution.store import ResolutionStore
from queries.alerts import Finding, list_alerts, save_findings
from queries.model import Window
from queries.picture import child_picture
from tests.test_app_fixtures import CHILD, PASSWORD, app_environment, build_case, learn_later, make_users

MAIN = str(Path(__file__).resolve().parents[1] / "app" / "web" / "main.py")
PURPOSE = "Strategy discussion after a DA incident with the child present"
TIMEOUT = 60


@pytest.fixture()
def gov(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Governance:
    env = app_environment(neo4j_settings, tmp_path / "home")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    build_case(graph, neo4j_settings.database)
    services.clear_caches()
    return make_users(env)


def entries(gov: Governance, action: str | None = None) -> list[AuditEntry]:
    return [e for e in gov.audit.entries() if action is None or e.action == action]


def texts(at: AppTest) -> str:
    """Everything the page shows as text (markdown, headings, captions, alerts, tables, metrics)."""
    parts: list[str] = []
    for kind in ("markdown", "title", "subheader", "caption", "info", "error", "warning", "success", "text"):
        parts += [str(el.value) for el in getattr(at, kind)]
    for frame in [*at.dataframe, *at.table]:
        parts.append(frame.value.to_string())
    parts += [str(m.value) for m in at.metric]
    return "\n".join(parts)


def login(user: str = "ana", password: str = PASSWORD) -> AppTest:
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.run()
    at.text_input(key="login_username").input(user)
    at.text_input(key="login_password").input(password)
    at.button[0].click().run()
    return at


def with_purpose(at: AppTest, purpose: str = PURPOSE, gateway: str = "CA1989_S47") -> AppTest:
    at.text_area(key="purpose_text").input(purpose)
    at.selectbox(key="purpose_gateway").set_value(gateway)
    at.button[0].click().run()
    return at


def search(at: AppTest, text: str) -> AppTest:
    at.text_input(key="search_text").input(text)
    next(b for b in at.button if b.label == "Search").click().run()
    return at


def open_child(user: str = "ana") -> AppTest:
    at = with_purpose(login(user))
    search(at, "Kayleigh Jones")
    at.button(key=f"open_{CHILD}").click().run()
    assert not at.exception, at.exception
    return at


def test_nothing_without_login(gov: Governance) -> None:
    at = AppTest.from_file(MAIN, default_timeout=TIMEOUT)
    at.query_params["case_id"] = CHILD  # nothing about a child is taken from the URL
    at.query_params["view"] = "case"
    at.run()
    assert not at.exception
    assert [t.key for t in at.text_input] == ["login_username", "login_password"]
    assert "Kayleigh" not in texts(at)
    at = login(password="not the password at all")
    assert "unknown username or wrong password" in texts(at)
    assert [t.key for t in at.text_input] == ["login_username", "login_password"]
    assert [e.action for e in entries(gov)][-1] == "login_failed"
    assert not entries(gov, "search") and not entries(gov, "case_view")


def test_purpose_and_gateway_required_before_any_search(gov: Governance) -> None:
    at = login()
    assert not at.exception
    assert entries(gov, "login")[-1].user == "ana"
    assert "search_text" not in [t.key for t in at.text_input]
    # consent is not offered; a purpose needs words
    assert "CONSENT" not in at.selectbox(key="purpose_gateway").options
    with_purpose(at, purpose="because")
    assert "at least 10 characters" in texts(at)
    assert "search_text" not in [t.key for t in at.text_input]
    with_purpose(at)
    assert "search_text" in [t.key for t in at.text_input]


def test_fuzzy_search_shows_age_area_agencies_and_is_audited(gov: Governance) -> None:
    at = with_purpose(login())
    search(at, "kayleigh jonse")
    shown = texts(at)
    assert "Kayleigh Jones" in shown and "age " in shown and "B86" in shown
    assert "csc, health, police" in shown
    assert f"open_{CHILD}" in [b.key for b in at.button]
    assert "open_P-DAN" not in [b.key for b in at.button]  # an adult is not a child result
    (entry,) = entries(gov, "search")
    assert entry.purpose == PURPOSE and entry.gateway == "CA1989_S47"
    assert entry.details["kind"] == "name" and entry.details["results"] == 1
    # identifiers and dates of birth find the same child
    for text in ("943 476 5919", "LA12345", "01/02/2015"):
        search(at, text)
        assert f"open_{CHILD}" in [b.key for b in at.button], text
    assert len(entries(gov, "search")) == 4


def test_search_input_is_validated_and_changes_nothing(
    gov: Governance, graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    before = graph.execute_query("MATCH (n) RETURN count(n) AS n", database_=neo4j_settings.database).records[
        0
    ]["n"]
    at = with_purpose(login())
    for attack in ("x' OR 1=1 //", "Jones}) DETACH DELETE n //", "<script>alert(1)</script>", "a" * 200):
        search(at, attack)
        assert at.error, attack
        assert not [b for b in at.button if (b.key or "").startswith("open_")]
    after = graph.execute_query("MATCH (n) RETURN count(n) AS n", database_=neo4j_settings.database).records[
        0
    ]["n"]
    assert after == before
    assert not entries(gov, "search")  # refused input searched nothing


def test_case_page_renders_every_panel_and_records_the_view(gov: Governance) -> None:
    at = open_child()
    heads = [h.value for h in at.subheader]
    for panel in ("The picture", "Cumulative risk", "Multi-agency chronology", "Hidden adults", "Linked children",
                  "The child's views"):  # fmt: skip
        assert panel in heads
    shown = texts(at)
    assert "Dan Smyth" in shown and "risk history" in shown  # hidden adult with his history
    assert "Tyler Jones" in shown and "Mia Brown" in shown  # linked children (sibling; through Dan)
    assert "she wants to stay with mum" in shown  # the child's views
    chronology = at.dataframe[-1].value
    assert {"date", "agency", "type", "marker", "summary"} <= set(chronology.columns)
    assert set(chronology["marker"]) == {"FACT", "OPINION"}
    # the analyst sees health's record only in summary: that it exists, not what it says
    assert "wrist injury" not in shown and "health detail is restricted" in shown
    (view,) = entries(gov, "case_view")
    assert view.person_id == CHILD and view.purpose == PURPOSE and view.gateway == "CA1989_S47"
    assert view.category == "consultation" and view.details["as_known_at"] is None
    assert "AS KNOWN AT" not in shown and "as known now" in shown


def test_time_window_changes_graph_and_chronology_together(gov: Governance) -> None:
    at = open_child()
    slider = at.slider(key=f"window_{CHILD}")
    _, hi = slider.value
    full = len(at.dataframe[-1].value)
    full_caption = next(c.value for c in at.caption if "records drawn" in c.value)

    slider.set_value((date(2026, 1, 1), hi)).run()
    assert not at.exception
    narrow = len(at.dataframe[-1].value)
    assert narrow < full
    assert set(at.dataframe[-1].value["date"]) <= {"2026-01-08", "2026-01-10", "2026-01-15"}
    caption = next(c.value for c in at.caption if "records drawn" in c.value)
    assert caption != full_caption  # the graph drew fewer records


def test_expanding_a_person_adds_the_people_around_them_and_is_audited(gov: Governance) -> None:
    at = open_child()
    drawn = next(c.value for c in at.caption if "records drawn" in c.value)
    assert drawn.startswith("4 people") and "Kyle Hart" not in texts(at)
    at.session_state[f"expanded_{CHILD}"] = ["P-DAN"]  # what the "Expand" button under a selected node does
    at.run()
    assert not at.exception, at.exception
    assert next(c.value for c in at.caption if "records drawn" in c.value).startswith("5 people")
    expand = [e for e in entries(gov, "case_view") if e.details.get("mode") == "expand"]
    assert [(e.person_id, e.details["from_case"], e.purpose) for e in expand] == [("P-DAN", CHILD, PURPOSE)]


def test_meeting_mode_reduces_and_marks_and_is_recorded_as_disclosure(gov: Governance) -> None:
    at = open_child()
    at.toggle(key="meeting").set_value(True).run()
    assert not at.exception
    shown = texts(at)
    assert "MEETING MODE" in shown and PURPOSE in shown and "Children Act 1989 s47" in shown
    assert "Tyler Jones" not in shown and "T.J." in shown  # other children by initials
    assert "Mia Brown" not in shown and "M.B." in shown
    assert "B86 0LF" not in shown and "B86" in shown  # addresses by area
    assert "[OPINION]" in shown
    assert "LA12345" not in shown and "9434765919" not in shown  # no identifiers on a shared screen
    views = entries(gov, "case_view")
    assert [v.details["mode"] for v in views] == ["analyst", "meeting"]
    assert views[-1].category == "disclosure" and views[-1].purpose == PURPOSE


def test_pdf_export_is_stamped_and_audited(gov: Governance, tmp_path: Path) -> None:
    at = open_child("ana")
    assert "prepare_pdf" not in [b.key for b in at.button]  # the analyst role may not export
    at = open_child("sam")
    at.button(key="prepare_pdf").click().run()
    assert not at.exception
    (export,) = entries(gov, "export")
    assert export.person_id == CHILD and export.purpose == PURPOSE and export.gateway == "CA1989_S47"
    assert export.category == "disclosure"
    data: Any = at.session_state["pdf"]["bytes"]
    assert data[:5] == b"%PDF-"
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils, `make browser` installs it) is needed to read the PDF")
    path = tmp_path / "briefing.pdf"
    path.write_bytes(data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert text.count("OFFICIAL-SENSITIVE") >= 2
    for stamp in ("sam (supervisor)", PURPOSE, "Children Act 1989 s47", "now (the current picture"):
        assert stamp in " ".join(text.split()), stamp
    assert "AS KNOWN AT" not in text and export.details["as_known_at"] is None
    assert "Tyler Jones" not in text and "T.J." in text and "B86 0LF" not in text
    # a linked child outside the circle, named in free text
    assert "Mia Brown" not in text and "Mia " not in text
    assert "OPINION" in text and "FACT" in text and "police" in text


def pdf_text(data: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils, `make browser` installs it) is needed to read the PDF")
    path = tmp_path / "briefing.pdf"
    path.write_bytes(data)
    return " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )


def as_known_at(at: AppTest, day: date | None) -> AppTest:
    at.date_input(key="known_at_day").set_value(day).run()
    assert not at.exception, at.exception
    return at


def test_case_as_known_at_a_past_date_shows_that_picture_under_a_banner(
    gov: Governance, graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    learn_later(graph, neo4j_settings.database)
    at = open_child()
    now = texts(at)
    assert "Second DA incident" in now and "strategy discussion held" in now and not at.warning
    as_known_at(at, date(2026, 3, 1))
    (banner,) = [w.value for w in at.warning]
    assert (
        banner.startswith("AS KNOWN AT 2026-03-01 23:59 UTC") and "This is not the current picture" in banner
    )
    then = texts(at)
    # learnt on 10 March: not known on 1 March; the referral as CSC had first recorded it
    assert "Second DA incident" not in then and "strategy discussion held" not in then
    assert "Police referral after DA incident" in then
    assert "as known at 01/03/2026 23:59 UTC" in then
    # every panel is still there, and still redacted for the role
    heads = [h.value for h in at.subheader]
    for panel in ("The picture", "Cumulative risk", "Multi-agency chronology", "Hidden adults", "Linked children",
                  "The child's views", "Alerts", "What changed"):  # fmt: skip
        assert panel in heads
    assert "Dan Smyth" in then and "Mia Brown" in then
    assert "wrist injury" not in then and "health detail is restricted" in then
    # the view of the past is audited as such, with the time it is as known at
    views = entries(gov, "case_view")
    assert [v.details.get("as_known_at") for v in views] == [None, "2026-03-01T23:59:59.999999+00:00"]
    assert views[-1].person_id == CHILD and views[-1].purpose == PURPOSE
    # back to now: the current picture again, no banner; that view was already recorded in this session
    at.button(key="known_at_now").click().run()
    assert not at.exception, at.exception
    assert not at.warning and "Second DA incident" in texts(at)
    assert len(entries(gov, "case_view")) == 2
    # a date before Jigsaw knew the child: said plainly
    as_known_at(at, date(2026, 1, 15))
    assert "did not know this child as at 15/01/2026" in texts(at)


def test_a_rewind_too_large_is_a_clear_message(gov: Governance, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("queries.known_at._pending", lambda *args: 10**9)
    at = as_known_at(open_child(), date(2026, 3, 1))
    assert any("to put back in one go" in e.value for e in at.error), texts(at)


def test_pdf_of_a_past_picture_states_the_time(
    gov: Governance, graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    learn_later(graph, neo4j_settings.database)
    at = as_known_at(open_child("sam"), date(2026, 3, 1))
    at.button(key="prepare_pdf").click().run()
    assert not at.exception, at.exception
    (export,) = entries(gov, "export")
    assert export.details["as_known_at"] == "2026-03-01T23:59:59.999999+00:00"
    assert at.session_state["pdf"]["at"] is not None
    text = pdf_text(at.session_state["pdf"]["bytes"], tmp_path)
    assert "AS KNOWN AT 01/03/2026 23:59 UTC - NOT THE CURRENT PICTURE" in text
    assert "This is not the current picture" in text and "Second DA incident" not in text
    # a briefing of the past is not offered once the page shows now
    at.button(key="known_at_now").click().run()
    assert not at.get("download_button")


def test_what_changed_lists_facts_added_and_corrected_by_agency_redacted_for_the_role(
    gov: Governance, graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    learn_later(graph, neo4j_settings.database)
    at = open_child()
    at.date_input(key=f"changes_since_{CHILD}").set_value(date(2026, 3, 1))
    next(b for b in at.button if b.label == "Show what changed").click().run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "change" in d.value.columns)
    rows = {(r["agency"], r["change"]): r for r in table.to_dict("records")}
    assert set(rows) == {("police", "added"), ("csc", "corrected"), ("health", "corrected")}
    added, corrected = rows[("police", "added")], rows[("csc", "corrected")]
    assert added["what"].startswith("Second DA incident") and added["learnt"] == "2026-03-10 09:00"
    assert added["date"] == "2026-03-05" and added["source"] == "O3"
    assert corrected["what"] == "Police referral after DA incident; strategy discussion held"
    assert (
        corrected["was"] == "Police referral after DA incident" and "summary" in corrected["fields changed"]
    )
    # health's correction, which the analyst sees only in summary: that it changed, not what it says
    health = rows[("health", "corrected")]
    assert "health detail is restricted" in health["what"] and "summary" not in health["fields changed"]
    assert "fracture" not in texts(at) and "wrist injury" not in texts(at)
    counts = next(d.value for d in at.dataframe if "withdrawn" in d.value.columns)
    assert counts.set_index("agency").to_dict("index") == {
        "csc": {"added": 0, "corrected": 1, "withdrawn": 0},
        "health": {"added": 0, "corrected": 1, "withdrawn": 0},
        "police": {"added": 1, "corrected": 0, "withdrawn": 0},
    }
    assert "Cumulative risk:" in texts(at)
    (changes,) = [e for e in entries(gov, "case_view") if e.details.get("mode") == "changes"]
    assert changes.person_id == CHILD and changes.purpose == PURPOSE
    assert changes.details["since"] == "2026-03-01T23:59:59.999999+00:00" and changes.details["until"] is None


def test_alert_decisions_need_a_reason_and_are_audited(
    gov: Governance, graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.database
    (incident,) = [f for f in child_picture(graph, db, CHILD, Window(date(2020, 1, 1), date.today(), date.today())).facts
                   if f.fact_key == "police|occurrences|O1"]  # fmt: skip
    finding = Finding("incident_without_referral", CHILD, incident.fact_key, "DA incident, child present, no referral",
                      (incident.evidence(),))  # fmt: skip
    save_findings(graph, db, [finding], ["incident_without_referral"], "run-1")
    at = with_purpose(login("sam"))
    at.session_state["view"] = "alerts"
    at.run()
    assert not at.exception, at.exception
    assert "incident_without_referral" in texts(at)
    (listed,) = [e for e in entries(gov, "search") if e.details.get("via") == "alerts inbox"]  # the inbox too
    assert listed.details["status"] == "open or acknowledged" and listed.purpose == PURPOSE
    at.selectbox(key="alert_pick").set_value(finding.alert_key).run()
    assert "DA incident at 12 High St" in texts(at)  # the evidence opens
    (opened,) = entries(gov, "case_view")  # opening an alert's evidence is a view of the child's information
    assert opened.person_id == CHILD and opened.details["mode"] == "alert" and opened.purpose == PURPOSE
    at.radio(key="alert_decision_kind").set_value("closed")
    at.text_area(key="alert_reason").input("short")
    next(b for b in at.button if b.label == "Record decision").click().run()
    assert at.error and not entries(gov, "alert_decision")
    at.text_area(key="alert_reason").input("Referral made by phone on 9 January; record updated")
    next(b for b in at.button if b.label == "Record decision").click().run()
    assert not at.exception, at.exception
    (decision,) = entries(gov, "alert_decision")
    assert decision.details["decision"] == "closed" and decision.purpose == PURPOSE
    assert decision.person_id == CHILD
    (alert,) = list_alerts(graph, db)
    assert (alert.status, alert.status_by) == ("closed", "sam")


def test_review_queue_shows_the_comparison_and_records_the_decision(
    gov: Governance, graph: neo4j.Driver, neo4j_settings: Settings
) -> None:
    db = neo4j_settings.database
    graph.execute_query(
        "CREATE (r:SourceRecord {record_key: 'csc|children|C9', agency: 'csc', source_table: 'children', "
        "source_record_id: 'C9', given_name: 'Mia', family_name: 'Browne', date_of_birth: date('2016-03-03')}) "
        "CREATE (r)-[:RECORD_OF {method: 'deterministic'}]->(:Person {person_id: 'P-MIA2', "
        "date_of_birth: date('2016-03-03')})",
        database_=db,
    )
    left, right = "csc|children|C9", "police|persons|N3"
    key = pair_key(left, right)
    comparison = {"name": {"level": "jaro_winkler>0.9", "agrees": True, "match_weight": 6.1},
                  "dob": {"level": "exact", "agrees": True, "match_weight": 8.2}}  # fmt: skip
    ResolutionStore(graph, db).write_reviews(
        [{"pair_key": key, "review_id": review_id(key), "status": "pending", "at": datetime.now(UTC),
          "props": {"left": left, "right": right, "probability": 0.86, "matched_fields": ["name", "dob"],
                    "comparison": json.dumps(comparison), "method": "probabilistic", "reason": "between thresholds"}}]
    )  # fmt: skip
    at = with_purpose(login("ana"))
    at.session_state["view"] = "review"
    at.run()
    assert not at.exception, at.exception
    # the queue and the pair shown are recorded before they are read, once each however often the page reruns
    at.run()
    views = [e.details for e in entries(gov, "search") if e.details.get("via") == "review queue"]
    assert views == [{"via": "review queue", "session": views[0]["session"]},
                     {"via": "review queue", "review": review_id(key), "session": views[0]["session"]}]  # fmt: skip
    fields = at.table[0].value
    assert {"record A", "record B", "agrees"} <= set(fields.columns)
    assert "Browne" in fields.to_string() and "Brown" in fields.to_string()
    assert "jaro_winkler>0.9" in at.dataframe[0].value.to_string()  # how the pair was scored
    at.text_input(key="review_reason").input("Same name and date of birth, same address")
    next(b for b in at.button if b.label.startswith("Confirm")).click().run()
    assert not at.exception, at.exception
    (decision,) = entries(gov, "match_decision")
    assert decision.details["decision"] == "confirmed" and decision.gateway == "CA1989_S47"
    persons = graph.execute_query(
        "MATCH (r:SourceRecord)-[:RECORD_OF]->(p:Person) WHERE r.record_key IN $keys RETURN DISTINCT p.person_id AS p",
        keys=[left, right],
        database_=db,
    ).records
    assert len(persons) == 1  # the analyst's confirmation joined the two persons


def test_auditor_sees_the_audit_trail_and_no_case_data(gov: Governance) -> None:
    open_child("ana")  # something to audit
    at = login("aud")
    assert not at.exception, at.exception
    assert "search_text" not in [t.key for t in at.text_input]  # no search, no purpose form: no case data
    assert "Chain verified" in texts(at)
    at.text_input(key="audit_person").input(CHILD)
    next(b for b in at.button if b.label == "Query").click().run()
    table = at.dataframe[0].value
    assert {"case_view"} <= set(table["action"]) and set(table["person"]) == {CHILD}
    assert "Kayleigh" not in texts(at).replace(PURPOSE, "")
    assert entries(gov, "audit_view")[-1].user == "aud"


def test_expired_session_goes_back_to_login(gov: Governance) -> None:
    at = with_purpose(login())
    session = at.session_state["session"]
    at.session_state["session"] = replace(session, last_seen=session.last_seen - timedelta(hours=2))
    at.run()
    assert [t.key for t in at.text_input] == ["login_username", "login_password"]
    assert "expired" in texts(at)


@pytest.fixture(autouse=True)
def _no_leftover_caches() -> Iterator[None]:
    yield
    services.clear_caches()
