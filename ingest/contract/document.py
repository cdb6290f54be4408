"""Render docs/data-contract.md from the contract's specs, so the document always matches the code.

python -m ingest.contract.document > docs/data-contract.md
python -m ingest.contract.document --check docs/data-contract.md   # exit 1 when out of date
"""

from __future__ import annotations

import sys
from pathlib import Path

from ingest.contract import _MODULES, AGENCIES, FILES, WITHDRAWALS, police, withdrawals
from ingest.contract.health import FHIR_ELEMENTS
from ingest.contract.spec import FileSpec
from ingest.contract.withdrawals import withdrawal_spec

INTRO = """\
# The data contract

What Jigsaw accepts from each agency, file by file and field by field. This document is generated from the
code in `ingest/contract/` (`python -m ingest.contract.document > docs/data-contract.md`); a test fails
when the two disagree. The synthetic county (`jigsaw synth`) writes every file below but the withdrawal notices
(a county as first sent has nothing to withdraw; the tests of "as known at" write them).

## Conventions

- **A county folder** holds one sub-folder per agency: `police/`, `csc/`, `health/`, `education/`,
  `early_help/`, `probation/`, `housing/`, `third_sector/`. The paths below are relative to the county folder.
- **CSV**: UTF-8, comma separated, a header row with exactly the columns listed, in that order; fields
  quoted when they contain a comma, quote or line break. Every value is read as text and validated as text;
  an empty field is a missing value.
- **Dates** are `YYYY-MM-DD`, except in the SSDA903 files, which keep the DfE layout `DD/MM/YYYY`.
- **Required** means the value must be present in every row; an optional value may be empty, but when
  present it must pass its rule.
- **Source record id**: the column(s) that identify a row within its file (unique). Every record is keyed
  across the product as `{agency}|{table}|{source_record_id}`, with `table` the file kind without its agency
  prefix, e.g. `police|persons|N000123`, `csc|ssd_contacts|C000042`, `health|fhir|Patient/p000017`,
  `csc|ssda903_episodes|100234:15/02/2024` (composite ids are joined with `:`).
- **Person-bearing** files describe one person per record (a nominal, a patient, a pupil, a client...):
  these are the records the ingest matches into people. Other files refer to a person-bearing record by
  its id (the columns listed under "person references").
- **Provenance**: every row-level file carries `recorded_date`, `recorded_by_role` and `basis` (`fact` or
  `opinion`) where its format allows: the SSD, police, health CSV, education, early help, probation, housing
  and third-sector files do (for the SSD tables they are extension columns); FHIR carries them in `meta`;
  the CIN census XML and SSDA903 files (fixed DfE layouts) cannot, and the ingest uses the file's date.
- **Extension** marks a column the source standard does not have: the contract adds it.
- **Validation and quarantine**: a row that breaks any rule (missing required value, bad date, unknown
  code, failed check digit, a cross-field rule, a truncated line) is not loaded; it is reported as
  `(file, row, field, reason)`, where `row` is the physical line of the file (the CSV header is line 1;
  NDJSON line n is row n) or, for the CIN census XML, the position of the `<Child>` element.
- **Identifiers** (`ingest/contract/identifiers.py`): NHS number (10 digits, mod-11 check digit; a check
  value of 10 is never issued), UPN (13 characters: DfE check letter, LA number, establishment number, year,
  serial; a temporary UPN ends in a letter), LA child id (1-20 letters or digits), PNC id
  (`YYYY/NNNNNNNL`, check letter over the 2-digit year and the 7-digit serial, modulo 23), probation CRN
  (a letter and 6 digits), school URN (6 digits), UPRN (1-12 digits), postcode (UK format, one space).
"""

AGENCY_TITLES = {
    "police": "Police",
    "csc": "Children's social care",
    "health": "Health",
    "education": "Education",
    "early_help": "Early help",
    "probation": "Probation",
    "housing": "Housing",
    "third_sector": "Third sector",
}


def _esc(text: str) -> str:
    return text.replace("|", "\\|")


def render_spec(spec: FileSpec) -> list[str]:
    out = [f"### `{spec.kind}`", ""]
    paths = ", ".join(f"`{p}`" for p in spec.paths)
    out.append(f"{spec.description}")
    out.append("")
    out.append(f"- path: {paths} ({spec.format})")
    out.append(f"- standard: {spec.standard}")
    sid = f" joined with `{spec.source_id_sep}`" if len(spec.source_id) > 1 else ""
    out.append(f"- source record id: {', '.join(f'`{c}`' for c in spec.source_id)}{sid}")
    out.append(f"- person-bearing: {'yes' if spec.person_bearing else 'no'}")
    if spec.format == "csv":
        fmt = spec.date_format.replace("%Y", "YYYY").replace("%m", "MM").replace("%d", "DD")
        out.append(f"- dates: `{fmt}`")
    if spec.person_refs:
        refs = ", ".join(f"`{col}` -> `{kind}`" for col, kind in spec.person_refs.items())
        out.append(f"- person references: {refs}")
    if spec.mentions:
        ms = "; ".join(
            f"{name}: " + ", ".join(f"`{c}`" for c in cols) for name, cols in spec.mentions.items()
        )
        out.append(f"- other people described in the row (mentions): {ms}")
    out.append("")
    if spec.columns:
        out.append("| field | type | required | rule | meaning |")
        out.append("|---|---|---|---|---|")
        for col in spec.columns:
            ext = " (extension)" if col.extension else ""
            out.append(
                f"| `{col.name}` | {col.kind} | {'required' if col.required else 'optional'} | "
                f"{_esc(col.rule(spec.date_format))} | {_esc(col.meaning)}{ext} |"
            )
        out.append("")
    if spec.row_rules:
        out.append("Row rules:")
        out.append("")
        for row_rule in spec.row_rules:
            out.append(f"- {row_rule.description}")
        out.append("")
    if spec.kind == "health.fhir":
        out.append("| resource | element | required | rule | meaning |")
        out.append("|---|---|---|---|---|")
        for res, element, req, rule, meaning in FHIR_ELEMENTS:
            out.append(
                f"| {res} | `{_esc(element)}` | {'required' if req else 'optional'} | {_esc(rule)} | "
                f"{_esc(meaning)} |"
            )
        out.append("")
    if spec.kind == "csc.cin_census":
        out.append(
            "Structure (XSD order): `Message/Header/CollectionDetails` (Collection `CIN`, Year, "
            "ReferenceDate), `Header/Source` (SourceLevel `L`, LEA = 3-digit LA number, SoftwareCode, "
            "Release, SerialNo, DateTime), then `Children/Child`: `ChildIdentifiers` (LAchildID, UPN, "
            "FormerUPN, UPNunknown, PersonBirthDate, ExpectedPersonBirthDate, Sex M/F/U, PersonDeathDate), "
            "`ChildCharacteristics` (Ethnicity, Disabilities/Disability), and one or more `CINdetails` "
            "(CINreferralDate, ReferralSource, PrimaryNeedCode, CINclosureDate, ReasonForClosure, "
            "DateOfInitialCPC, Assessments (start, authorisation, FactorsIdentifiedAtAssessment/"
            "AssessmentFactors), CINPlanDates, Section47 (S47ActualStartDate, InitialCPCtarget, "
            "DateOfInitialCPC, ICPCnotRequired 0/1), ReferralNFA 0/1, ChildProtectionPlans (CPPstartDate, "
            "CPPendDate, Initial/LatestCategoryOfAbuse, NumberOfPreviousCPP, Reviews/CPPreviewDate)). "
            "Beyond the XSD the contract checks each child's LAchildID format and the UPN and FormerUPN "
            "check letters."
        )
        out.append("")
    if spec.notes:
        out.append(f"Note: {spec.notes}")
        out.append("")
    return out


SYNTHETIC = """\
## The synthetic county (`jigsaw synth`)

`jigsaw synth --children N --seed S --out DIR [--bad-rows] [--reference-date YYYY-MM-DD]` writes every file
above under `DIR/<agency>/`, and the answers under `DIR/truth/`. Synthetic data only: names come from Faker's
en_GB lists, towns are invented, postcode areas `JG`/`JW` and LA number 999 do not exist, NHS numbers start
`999` or `990` (never a real patient's). The same seed writes byte-identical files. The reference date
(default 2026-03-31, the end of the 2025-26 CIN census year) is the county's "today"; history goes back
about six years (police records further).

The county: households with children (1-5 children, mothers, resident or absent fathers, the mother's new
partners, grandparents, ex-partners, neighbours), moves over the years, about 1.2 adults per child. Need is
concentrated in a few families: health (about 99% of children) and education (school-age children) hold
nearly everyone, police and social care a minority. Base rates: about 480 referrals per 10,000 children a
year and about 22% re-referrals within 12 months (measured in `truth/summary.json`), domestic abuse incidents
with DASH grades, missing episodes, school absence, exclusions, A&E attendances and appointments children were
not brought to, tenancies, probation supervision, third-sector concerns.

Noise, between and within agencies: nicknames and spelling variants, typos, women under a previous surname,
transposed day and month, dates a day or a year out, missing identifiers, old addresses, and duplicate person
records within one agency. Noise never makes a value invalid: that is what `--bad-rows` does.

Truth files (`DIR/truth/`):

- `persons.csv` (`record_key`, `person_id`): one row for every person-bearing record in every agency
  (including any row `--bad-rows` broke).
- `mentions.csv` (`record_key`, `mention`, `person_id`): people described inside another person's record
  (a maternity booking's named partner, the baby, the unborn child).
- `people.csv`: the true people (`person_id`, role, sex, date of birth, names, household, NHS number, UPN,
  PNC id); `relationships.csv`: the true relationships (`person_a` is `relationship` of `person_b`, dates).
- `patterns.json`: every planted pattern instance: `pattern_id`, `type`, `description`, `person_ids`,
  `roles`, `record_keys` (records that show the pattern, and the person records of the key people), `dates`.
  Types: `hidden_adult`, `unborn_father_on_probation`, `adult_around_households`, `shared_address`,
  `co_occurring_missing`, `slow_build_up`, `children_present_no_referral`, `feedback_overdue`,
  `eh_closed_no_consent_with_risk`, `malicious_without_assessment`, and `case_study_1` ... `case_study_5`
  (the NPCC guidance, section 9). The base simulation never produces a police occurrence with children
  present that is not referred, a referral without feedback, a referral deemed malicious, or an early help
  closure for lack of consent with risk noted: the planted instances are all of them. Each entry has
  `emergent`: false for a planted instance, true for an emergent one, a situation the county's world holds
  that nobody planted, labelled from the world (types `child_involved_no_referral`,
  `unseen_adult_with_history`, `missing_together`, `eh_closed_no_consent_risk_present`,
  `concerns_without_response`: `ingest/synthetic/emergent.py`, docs/queries.md). A child in a police record
  is a child whatever the occurrence says of children present: a 15-year-old crime victim, a 17-year-old
  mother in a DA incident.
- `bad_rows.csv` (with `--bad-rows`): `file`, `row`, `field`, `reason` for every planted defect (impossible
  dates, wrong NHS/UPN/PNC check characters, missing required values, unknown codes,
  truncated lines, broken JSON lines; in the CIN census XML a wrong UPN check letter, which the XSD accepts
  and the contract refuses). These are exactly the rows the contract's validation refuses.
- `summary.json`: counts per agency and the measured base rates.
"""


def render() -> str:
    lines = [INTRO]
    lines.append("## Files")
    lines.append("")
    lines.append("| kind | agency | path | format | person-bearing |")
    lines.append("|---|---|---|---|---|")
    for spec in (*FILES.values(), *WITHDRAWALS.values()):
        lines.append(
            f"| `{spec.kind}` | {spec.agency} | {', '.join(f'`{p}`' for p in spec.paths)} | {spec.format} | "
            f"{'yes' if spec.person_bearing else 'no'} |"
        )
    lines.append("")
    for agency, module in zip(AGENCIES, _MODULES, strict=True):
        lines.append(f"## {AGENCY_TITLES[agency]} (`{agency}/`)")
        lines.append("")
        doc = (module.__doc__ or "").strip()
        if doc:
            lines.append(" ".join(doc.split()))
            lines.append("")
        for spec in module.FILES:
            lines.extend(render_spec(spec))
        if agency == "police":
            lines.append("### Accepted alternative: the public Neo4j POLE example")
            lines.append("")
            lines.append(
                "The Neo4j POLE crime-investigation example (neo4j-admin import CSVs) is accepted as a "
                "second police layout. The ingest maps its files as follows (the synthetic county does not "
                "write this layout):"
            )
            lines.append("")
            lines.append("| file | columns and mapping |")
            lines.append("|---|---|")
            for name, mapping in police.POLE_EXAMPLE_LAYOUT.items():
                lines.append(f"| `{name}` | {_esc(mapping)} |")
            lines.append("")
    lines.append("## Withdrawals (every agency: `<agency>/withdrawals.csv`)")
    lines.append("")
    lines.append(" ".join((withdrawals.__doc__ or "").split()))
    lines.append("")
    lines.extend(render_spec(withdrawal_spec("police")))
    lines.append(SYNTHETIC)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if len(argv) == 2 and argv[0] == "--check":
        current = Path(argv[1]).read_text(encoding="utf-8")
        if current != text:
            sys.stderr.write(f"{argv[1]} is out of date: python -m ingest.contract.document > {argv[1]}\n")
            return 1
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
