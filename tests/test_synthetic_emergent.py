"""Emergent instances (ingest/synthetic/emergent.py): situations the county's world holds that nobody planted,
labelled from the world. Checked here against what the agencies wrote (the files), without a database."""

from __future__ import annotations

import csv
import filecmp
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from ingest.synthetic import emergent
from ingest.synthetic.config import SynthConfig
from ingest.synthetic.generate import generate

CHILDREN = 600
SEED = 7


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("emergent-county")
    generate(SynthConfig(children=CHILDREN, seed=SEED, out=root, bad_rows=False))
    return root


def _instances(county: Path) -> list[dict[str, Any]]:
    return list(json.loads((county / "truth" / "patterns.json").read_text(encoding="utf-8")))


def _owner(county: Path) -> dict[str, str]:
    with (county / "truth" / "persons.csv").open(newline="", encoding="utf-8") as fh:
        return {r["record_key"]: r["person_id"] for r in csv.DictReader(fh)}


def test_labelling_changes_nothing_but_the_truths_instances(
    county: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(emergent, "label", lambda *_args: [])
    generate(SynthConfig(children=CHILDREN, seed=SEED, out=tmp_path, bad_rows=False))
    differ: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str = "") -> None:
        assert not cmp.left_only and not cmp.right_only, (cmp.left_only, cmp.right_only)
        differ.extend(prefix + name for name in cmp.diff_files)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(str(county), str(tmp_path)))
    assert differ == ["truth/patterns.json"]
    without = _instances(tmp_path)
    assert not any(i["emergent"] for i in without)
    assert [i for i in _instances(county) if not i["emergent"]] == without


def test_every_emergent_type_is_labelled_and_never_a_planted_instance_again(county: Path) -> None:
    instances = _instances(county)
    emergent_ones = [i for i in instances if i["emergent"]]
    assert {i["type"] for i in emergent_ones} >= {"child_involved_no_referral", "unseen_adult_with_history"}
    planted_keys = {k for i in instances if not i["emergent"] for k in i["record_keys"]}
    for i in emergent_ones:
        assert i["record_keys"], i
        if i["type"] == "child_involved_no_referral":
            assert not set(i["record_keys"]) & planted_keys, i
    hidden_on_purpose = {
        p for i in instances if i["type"] in emergent.HIDDEN_ADULT_TYPES for p in i["person_ids"]
    }
    for i in emergent_ones:
        if i["type"] == "unseen_adult_with_history":
            adult = next(p for p, role in i["roles"].items() if role.startswith("adult around"))
            assert adult not in hidden_on_purpose, i


def test_an_unreferred_child_was_under_18_and_no_contact_about_the_child_came_within_three_days(
    county: Path,
) -> None:
    owner = _owner(county)
    with (county / "truth" / "people.csv").open(newline="", encoding="utf-8") as fh:
        born = {r["person_id"]: date.fromisoformat(r["dob"]) for r in csv.DictReader(fh) if r["dob"]}
    told: dict[str, list[date]] = {}
    with (county / "csc" / "ssd" / "ssd_contacts.csv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            key = f"csc|ssd_person|{r['cont_person_id']}"
            told.setdefault(owner[key], []).append(date.fromisoformat(r["cont_contact_date"][:10]))
    with (county / "early_help" / "episodes.csv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            key = f"early_help|clients|{r['eh_person_id']}"
            told.setdefault(owner[key], []).append(date.fromisoformat(r["referral_date"][:10]))
    checked = 0
    for i in _instances(county):
        if i["type"] != "child_involved_no_referral":
            continue
        (child,) = i["person_ids"]
        day = date.fromisoformat(i["dates"]["incident"])
        assert born[child] <= day < born[child].replace(year=born[child].year + 18), i
        assert not [d for d in told.get(child, []) if day <= d <= day + timedelta(days=3)], i
        checked += 1
    assert checked


def test_an_unseen_adult_is_named_by_no_gp_or_school_record_of_the_family(county: Path) -> None:
    owner = _owner(county)
    named: dict[str, set[str]] = {}  # adult -> the people whose health or school records name him
    with (county / "health" / "fhir" / "RelatedPerson.ndjson").open(encoding="utf-8") as fh:
        for line in fh:
            rp = json.loads(line)
            adult = owner[f"health|fhir|RelatedPerson/{rp['id']}"]
            named.setdefault(adult, set()).add(owner[f"health|fhir|{rp['patient']['reference']}"])
    with (county / "education" / "pupil_contacts.csv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            adult = owner[f"education|pupil_contacts|{r['contact_record_id']}"]
            named.setdefault(adult, set()).add(owner[f"education|pupils|{r['pupil_record_id']}"])
    held = {pid for key, pid in owner.items() if key.startswith(("csc|", "early_help|"))}
    checked = 0
    for i in _instances(county):
        if i["type"] != "unseen_adult_with_history":
            continue
        adult = next(p for p, role in i["roles"].items() if role.startswith("adult around"))
        family = {p for p, role in i["roles"].items() if role in ("child", "mother")}
        assert adult not in held, i
        assert not named.get(adult, set()) & family, i
        assert any(k.startswith(("police|", "probation|")) for k in i["record_keys"]), i
        checked += 1
    assert checked


@pytest.fixture(scope="module")
def county_1000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A county (1,000 children, seed 3) whose world holds a build-up and an early help closure with risk."""
    root = tmp_path_factory.mktemp("emergent-county-1000")
    generate(SynthConfig(children=1000, seed=3, out=root, bad_rows=False))
    return root


def test_a_build_up_has_six_concerns_from_four_agencies_in_a_year_and_no_referral_or_early_help(
    county_1000: Path,
) -> None:
    owner = _owner(county_1000)
    answered: dict[str, list[date]] = {}
    with (county_1000 / "csc" / "ssd" / "ssd_cin_episodes.csv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            child = owner[f"csc|ssd_person|{r['cine_person_id']}"]
            answered.setdefault(child, []).append(date.fromisoformat(r["cine_referral_date"][:10]))
    with (county_1000 / "early_help" / "episodes.csv").open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            child = owner[f"early_help|clients|{r['eh_person_id']}"]
            answered.setdefault(child, []).append(date.fromisoformat(r["referral_date"][:10]))
    build_ups = [i for i in _instances(county_1000) if i["type"] == "concerns_without_response"]
    assert build_ups
    for i in build_ups:
        (child,) = i["person_ids"]
        first = date.fromisoformat(i["dates"]["first_concern"])
        last = date.fromisoformat(i["dates"]["last_concern"])
        assert (last - first).days <= 365, i
        assert len(i["record_keys"]) >= emergent.BUILD_UP, i
        assert len({k.split("|")[0] for k in i["record_keys"]}) >= emergent.BUILD_UP_AGENCIES, i
        assert not [d for d in answered.get(child, []) if first <= d <= last + timedelta(days=30)], i


def test_an_early_help_closure_with_risk_closed_for_lack_of_consent_with_a_risk_record_before_it(
    county_1000: Path,
) -> None:
    with (county_1000 / "early_help" / "episodes.csv").open(newline="", encoding="utf-8") as fh:
        episodes = {f"early_help|episodes|{r['eh_episode_id']}": r for r in csv.DictReader(fh)}
    closures = [i for i in _instances(county_1000) if i["type"] == "eh_closed_no_consent_risk_present"]
    assert closures
    for i in closures:
        episode, *risk = i["record_keys"]
        assert episodes[episode]["closure_reason"] == "no_consent", i
        assert episodes[episode]["risk_noted_at_closure"] == "N", i  # else it would be a planted instance
        assert risk, i
