"""The data contract: identifier validators, the schemas on hand-made rows, the doc matching the code."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from ingest.contract import FILES, document, record_key
from ingest.contract import identifiers as ids
from ingest.contract.csc import cin_xsd_path
from ingest.contract.health import BASIS_SYSTEM, RECORDED_BY_ROLE_SYSTEM

ROOT = Path(__file__).resolve().parents[1]


# --- identifiers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["9434765919", "4010232137", "9990000018"])
def test_nhs_number_known_good(value: str) -> None:
    assert ids.is_valid_nhs_number(value)


@pytest.mark.parametrize(
    "value",
    [
        "9434765918",  # wrong check digit
        "1234567890",  # 123456789 gives check value 10: never issued, whatever the last digit
        "1234567891",
        "943476591",  # nine digits
        "94347659190",  # eleven
        "943 476 5919",  # spaces are not accepted in the files (normalise first)
        "94347659I9",
        "",
        None,
    ],
)
def test_nhs_number_known_bad(value: str | None) -> None:
    assert not ids.is_valid_nhs_number(value)


def test_nhs_check_digit_ten_is_none_and_eleven_is_zero() -> None:
    assert ids.nhs_check_digit("123456789") is None
    # 000000000 -> total 0 -> 11 - 0 = 11 -> check digit 0
    assert ids.nhs_check_digit("000000000") == 0
    assert ids.normalise_nhs_number("943 476-5919") == "9434765919"


@pytest.mark.parametrize("value", ["B801200005001", "H801200001001"])
def test_upn_known_good(value: str) -> None:
    assert ids.is_valid_upn(value)


def test_upn_temporary_letter_counts_by_check_alphabet() -> None:
    body = "80120000500A"  # temporary UPN: serial ends in a letter (A = 0)
    letter = ids.upn_check_letter(body)
    assert letter == ids.upn_check_letter("801200005000")  # A has value 0, like the digit 0
    assert ids.is_valid_upn(letter + body)


@pytest.mark.parametrize(
    "value",
    [
        "A801200005001",  # wrong check letter
        "I801200005001",  # I is never a check letter
        "B80120000500",  # 12 characters
        "B8012000050011",  # 14
        "b801200005001",  # lower case
        "B80120000A001",  # letter in the middle
        "B80120000500O",  # O is not in the alphabet
        None,
    ],
)
def test_upn_known_bad(value: str | None) -> None:
    assert not ids.is_valid_upn(value)


@pytest.mark.parametrize("value", ["1981/0154257C", "2001/0123456F", "81/154257C", "2020/0000001E"])
def test_pnc_known_good(value: str) -> None:
    assert ids.is_valid_pnc_id(value)


@pytest.mark.parametrize(
    "value", ["1981/0154257D", "2001/0123456X", "20010123456F", "2001/01234567F", "01/12345I", "", None]
)
def test_pnc_known_bad(value: str | None) -> None:
    assert not ids.is_valid_pnc_id(value)


def test_pnc_format_roundtrip() -> None:
    assert ids.format_pnc_id(1981, 154257) == "1981/0154257C"


@pytest.mark.parametrize("value", ["123456", "LA0001", "A", "ABCDEFGHIJ0123456789"])
def test_la_child_id_good(value: str) -> None:
    assert ids.is_valid_la_child_id(value)


@pytest.mark.parametrize("value", ["", "child_fails_assessments", "A-1", "ABCDEFGHIJ01234567890", None])
def test_la_child_id_bad(value: str | None) -> None:
    assert not ids.is_valid_la_child_id(value)


def test_postcode_and_others() -> None:
    assert ids.is_valid_postcode("JG1 2AB") and ids.is_valid_postcode("JW12 9ZZ")
    assert not ids.is_valid_postcode("JG12AB") and not ids.is_valid_postcode("jg1 2ab")
    assert ids.is_valid_crn("X123456") and not ids.is_valid_crn("X12345")
    assert ids.is_valid_urn("100001") and not ids.is_valid_urn("10001")


# --- registry and schemas ------------------------------------------------------------------------------------


def test_registry_names_and_keys() -> None:
    agencies = {spec.agency for spec in FILES.values()}
    assert agencies == {
        "police",
        "csc",
        "health",
        "education",
        "early_help",
        "probation",
        "housing",
        "third_sector",
    }
    for kind, spec in FILES.items():
        assert kind == f"{spec.agency}.{spec.table}"
        assert spec.paths and all(p.startswith(spec.agency + "/") for p in spec.paths)
        if spec.format == "csv":
            names = spec.column_names
            assert len(set(names)) == len(names)
            assert set(spec.source_id) <= set(names)
            if spec.standard.startswith("DfE SSDA903"):
                assert "recorded_date" not in names
            else:
                assert names[-3:] == ("recorded_date", "recorded_by_role", "basis"), kind
    assert record_key("police", "persons", "N1") == "police|persons|N1"
    assert FILES["health.fhir"].record_key("Patient/p1") == "health|fhir|Patient/p1"


def _occurrence(**over: str) -> dict[str, str]:
    base = {
        "occurrence_id": "O1",
        "occurrence_type": "da_incident",
        "occurred_date": "2025-01-31",
        "dash_grade": "high",
        "children_present": "Y",
        "referred_to_csc": "N",
        "recorded_date": "2025-02-01",
        "recorded_by_role": "PC",
        "basis": "fact",
    }
    base.update(over)
    return base


def _fails(kind: str, row: dict[str, str]) -> set[str]:
    spec = FILES[kind]
    frame = pd.DataFrame([{c: row.get(c) for c in spec.column_names}]).astype("string").astype(object)
    frame = frame.where(frame.notna(), None)
    return {f.field for f in spec.validate_frame(frame, "x.csv").failures}


def test_police_occurrence_rules() -> None:
    assert _fails("police.occurrences", _occurrence()) == set()
    assert _fails("police.occurrences", _occurrence(dash_grade="severe")) == {"dash_grade"}
    assert _fails("police.occurrences", _occurrence(occurred_date="2025-02-30")) == {"occurred_date"}
    assert _fails("police.occurrences", _occurrence(occurred_date="31/01/2025")) == {"occurred_date"}
    assert _fails("police.occurrences", _occurrence(basis="rumour")) == {"basis"}
    missing = _occurrence()
    del missing["dash_grade"]
    assert _fails("police.occurrences", missing) == {"dash_grade,occurrence_type"}
    assert _fails("police.occurrences", _occurrence(referred_to_csc="Y")) == {"referral_date,referred_to_csc"}


def test_ssd_json_and_linked_identifiers() -> None:
    factors = {
        "cinf_table_id": "F1",
        "cinf_assessment_id": "A1",
        "cinf_assessment_factors_json": json.dumps({"3B": "Yes", "2B": "No"}),
        "recorded_date": "2025-01-01",
        "recorded_by_role": "social worker",
        "basis": "opinion",
    }
    assert _fails("csc.ssd_assessment_factors", factors) == set()
    factors["cinf_assessment_factors_json"] = json.dumps({"18A": "Yes"})  # deprecated code
    assert _fails("csc.ssd_assessment_factors", factors) == {"cinf_assessment_factors_json"}
    link = {
        "link_table_id": "L1",
        "link_person_id": "100001",
        "link_identifier_type": "Unique Pupil Number",
        "link_identifier_value": "B801200005001",
        "recorded_date": "2025-01-01",
        "recorded_by_role": "social worker",
        "basis": "fact",
    }
    assert _fails("csc.ssd_linked_identifiers", link) == set()
    link["link_identifier_value"] = "A801200005001"
    assert _fails("csc.ssd_linked_identifiers", link) == {"link_identifier_type,link_identifier_value"}


def test_csv_reader_reports_truncated_lines(tmp_path: Path) -> None:
    spec = FILES["probation.people"]
    good = "X123456,Tom,Smith,,1980-01-01,M,,,,,2024-01-01,PO,fact"
    path = tmp_path / "people.csv"
    path.write_text(
        ",".join(spec.column_names)
        + "\n"
        + good
        + "\n"
        + "X123457,Ann,Jo\n"
        + good.replace("X123456", "X123458").replace("1980-01-01", "1980-13-01")
        + "\n"
    )
    result = spec.validate_file(path, "probation/people.csv")
    assert [(f.row, f.field) for f in result.failures] == [(3, "*"), (4, "dob")]
    assert isinstance(result.valid, pd.DataFrame)
    assert list(result.valid["_line"]) == [2]


def _fhir_meta() -> dict[str, object]:
    return {
        "lastUpdated": "2025-01-01T10:00:00Z",
        "tag": [{"system": BASIS_SYSTEM, "code": "fact"}, {"system": RECORDED_BY_ROLE_SYSTEM, "code": "GP"}],
    }


def test_fhir_validator(tmp_path: Path) -> None:
    folder = tmp_path / "fhir"
    folder.mkdir()
    good = {
        "resourceType": "Patient",
        "id": "p1",
        "meta": _fhir_meta(),
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}],
        "name": [{"family": "Smith", "given": ["Amy"]}],
        "gender": "female",
        "birthDate": "2019-04-01",
    }
    bad_nhs = dict(good, id="p2", identifier=[{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "1"}])
    no_meta = {k: v for k, v in good.items() if k != "meta"} | {"id": "p3"}
    lines = [json.dumps(good), json.dumps(bad_nhs), json.dumps(no_meta), '{"resourceType": "Pat']
    (folder / "Patient.ndjson").write_text("\n".join(lines) + "\n")
    result = FILES["health.fhir"].validate_file(folder / "Patient.ndjson", "health/fhir/Patient.ndjson")
    assert {f.row for f in result.failures} == {2, 3, 4}
    assert isinstance(result.valid, list)
    assert [r["id"] for r in result.valid] == ["p1"]


def test_cin_census_xsd_is_found() -> None:
    assert cin_xsd_path().exists(), "the public CIN census schema is expected beside the project"


def test_document_matches_code() -> None:
    current = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert current == document.render(), (
        "regenerate: python -m ingest.contract.document > docs/data-contract.md"
    )
