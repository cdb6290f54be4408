"""The ingest run on the real server, with a minimal adapter defined here: nothing lost, nothing invented."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path

import neo4j
import pytest

from graph.config import Settings
from graph.model import FactRow, GraphRows, InvolvementRow, SourceRecordRow, record_key
from graph.writer import GraphWriter
from ingest.framework import BadFileError, Context, RawRow, Rejection, RowError, read_csv_rows, run_ingest


class PeopleAndIncidents:
    """Test format: one row = a person and (optionally) an incident they were present at."""

    kind = "test.people"
    agency = "police"
    source_system = "test"
    load_order = 0

    def matches(self, path: Path, header: Sequence[str]) -> bool:
        return "person_id" in header

    def read(self, path: Path) -> Iterator[RawRow]:
        return read_csv_rows(path, required=["person_id", "name", "dob"])

    def validate(self, rows: list[RawRow], file: str) -> tuple[list[RawRow], list[Rejection]]:
        good, bad = [], []
        for row in rows:
            if not row.data.get("person_id"):
                bad.append(Rejection(file, row.number, "person_id", "", "required field is empty"))
            else:
                good.append(row)
        return good, bad

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        try:
            dob = date.fromisoformat(d["dob"])
        except (TypeError, ValueError):
            raise RowError("dob", d["dob"], "not a date (YYYY-MM-DD)") from None
        out = GraphRows()
        p = ctx.provenance("police", "people", d["person_id"], None, "PC")
        out.source_records.append(SourceRecordRow(p, d, d["name"], None, date_of_birth=dob))
        if d.get("incident"):
            f = ctx.provenance("police", "incidents", d["incident"], None, "PC")
            out.facts.append(FactRow(f, "police_incident", {"id": d["incident"]}, dob))
            out.involvements.append(
                InvolvementRow(record_key("police", "people", d["person_id"]), f"police|incidents|{d['incident']}",
                               "present", p)
            )  # fmt: skip
        if d.get("witness_of"):
            out.involvements.append(
                InvolvementRow(record_key("police", "people", d["person_id"]), f"police|incidents|{d['witness_of']}",
                               "witness", p)
            )  # fmt: skip
        return out


def write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="") as fh:
        csv.writer(fh).writerows([["person_id", "name", "dob", "incident", "witness_of"], *rows])
    return path


def test_every_row_is_loaded_or_quarantined_and_rerun_changes_nothing(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path
) -> None:
    src = write(tmp_path / "people.csv", [
        ["P1", "Ann", "2015-01-02", "I1", ""],
        ["", "NoId", "2015-01-02", "", ""],          # required field empty -> validation
        ["P3", "Bad", "02/31/2015", "", ""],          # bad date -> RowError in transform
        ["P4", "Dee", "2016-05-05", "", "I404"],      # refers to an incident nobody loaded -> unlinked
        ["P5", "Eve", "2012-12-12", "", ""],
    ])  # fmt: skip
    with src.open("a") as fh:
        fh.write("P6,too,many,fields,here,extra\n")
    writer = GraphWriter(graph, neo4j_settings.database, batch_size=2)
    run = run_ingest([(PeopleAndIncidents(), src)], writer, tmp_path / "q")
    (report,) = run.files
    assert (report.read, report.loaded, report.quarantined) == (6, 2, 4)
    assert report.balanced
    assert run.quarantine_file is not None
    rows = list(csv.DictReader(run.quarantine_file.open()))
    got = {(int(r["row"]), r["field"]) for r in rows}
    assert got == {(3, "person_id"), (4, "dob"), (5, "*"), (7, "*")}  # physical lines; header is line 1
    reasons = {int(r["row"]): r["reason"] for r in rows}
    assert "police|incidents|I404" in reasons[5] and "6 fields" in reasons[7]
    assert all(r["file"] == str(src) for r in rows)

    def state() -> tuple[int, int]:
        rec = graph.execute_query(
            "MATCH (n) WHERE NOT n:SchemaMigration AND NOT n:IngestRun WITH count(n) AS n "
            "MATCH ()-[r]->() RETURN n, count(r) AS r",
            database_=neo4j_settings.database,
        ).records[0]
        return rec["n"], rec["r"]

    before = state()
    again = run_ingest([(PeopleAndIncidents(), src)], writer, tmp_path / "q")
    assert again.files[0].created == 0 and again.files[0].updated == 0
    assert state() == before
    runs = graph.execute_query(
        "MATCH (r:IngestRun) RETURN r.read AS read, r.loaded AS loaded, r.quarantined AS q, r.file_hashes AS h",
        database_=neo4j_settings.database,
    ).records
    assert len(runs) == 2 and all((r["read"], r["loaded"], r["q"]) == (6, 2, 4) for r in runs)
    assert runs[0]["h"] == runs[1]["h"]


@pytest.mark.parametrize("threads", [1, 2])
def test_a_link_to_a_row_further_down_the_file_loads_across_chunks_and_a_rerun_keeps_its_provenance(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path, threads: int
) -> None:
    # P1 witnessed I2, an incident the last row brings: with one row per chunk the link is written before the
    # incident exists, so it must be tried again once the file is written, not quarantined
    src = write(tmp_path / "people.csv", [
        ["P1", "Ann", "2015-01-02", "", "I2"],
        ["P2", "Bob", "2014-03-04", "", ""],
        ["P3", "Cat", "2013-05-06", "I2", ""],
    ])  # fmt: skip
    db = neo4j_settings.database
    writer = GraphWriter(graph, db, batch_size=1, threads=threads)
    first = run_ingest([(PeopleAndIncidents(), src)], writer, tmp_path / "q", chunk_rows=1)
    (report,) = first.files
    assert (report.read, report.loaded, report.quarantined) == (3, 3, 0)
    query = (
        "MATCH (:SourceRecord {record_key: 'police|people|P1'})-[i:INVOLVED_IN {role: 'witness'}]->"
        "(:Fact {fact_key: 'police|incidents|I2'}) RETURN i.ingest_run_id AS run"
    )
    assert [r["run"] for r in graph.execute_query(query, database_=db).records] == [first.run_id]
    # the same file again: nothing is rewritten, so the link still names the run that brought it
    again = run_ingest([(PeopleAndIncidents(), src)], writer, tmp_path / "q", chunk_rows=2)
    assert again.run_id != first.run_id and again.files[0].created == 0
    assert [r["run"] for r in graph.execute_query(query, database_=db).records] == [first.run_id]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (b"person_id;name;dob\nP1;Ann;2015-01-01\n", "delimiter"),
        ("person_id,name,dob\nP1,Zo\u00eb,2015-01-01\n".encode("latin-1"), "UTF-8"),
        (b"surname,forename\nA,B\n", "missing column"),
    ],
)
def test_a_bad_file_gets_one_clear_error_and_the_others_still_load(
    graph: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path, content: bytes, problem: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(content)
    good = write(tmp_path / "good.csv", [["P1", "Ann", "2015-01-02", "", ""]])
    run = run_ingest(
        [(PeopleAndIncidents(), bad), (PeopleAndIncidents(), good)],
        GraphWriter(graph, neo4j_settings.database), tmp_path / "q",
    )  # fmt: skip
    assert len(run.bad_files) == 1 and problem in str(run.bad_files[0]) and str(bad) in str(run.bad_files[0])
    assert [f.loaded for f in run.files] == [1]


def test_truncated_file_keeps_rows_before_the_break_and_quarantines_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "cut.csv"
    path.write_text('person_id,name,dob\nP1,Ann,2015-01-02\nP2,"Unclosed,2015-01-02\nP3,Cy,2015-01-03\n')
    rows = list(read_csv_rows(path))
    assert rows[0].data["person_id"] == "P1"
    assert "__error__" in rows[-1].data and "truncated" in rows[-1].data["__error__"]


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    from ingest.registry import files_under

    with pytest.raises(BadFileError, match="no such file"):
        files_under([tmp_path / "nope.csv"])
