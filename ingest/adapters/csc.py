"""Children's social care: the Standard Safeguarding Dataset (SSD) tables of the data contract (csc/ssd/*.csv).

One adapter per table, each a ``ContractCsvAdapter`` (the contract reads and validates; transforms are pure).
People (``ssd_person``) load first; every other table refers to them by ``*_person_id``, and a row whose person
is not in the graph is quarantined by the writer with that reason.

What each table becomes (fact types and labels from graph.model):
- ``ssd_person``: a person record. The LA's linked identifiers (``ssd_linked_identifiers.csv`` beside it:
  UPN, NHS number, police and court references...) and the current home address (``ssd_address.csv``) are
  looked up while reading and go on the record, so that entity resolution can use them.
- ``ssd_family`` -> MEMBER_OF a Household ``csc|ssd_family|<family id>``; ``ssd_address`` -> LIVED_AT;
  ``ssd_mother`` -> RELATED_TO {type: parent} from the mother to the child; ``ssd_person_relationships`` ->
  RELATED_TO (the contract's ``step-parent`` is the graph's ``step_parent``).
- ``ssd_contacts`` -> ``contact``; ``ssd_cin_episodes`` -> ``referral`` (source, threshold decision, outcome,
  feedback to the referrer, deemed malicious and by whom); ``ssd_cin_assessments`` -> ``assessment`` PART_OF
  its referral; ``ssd_assessment_factors`` -> one ``assessment_factor`` per factor answered "Yes", PART_OF its
  assessment, with ``code`` and ``attaches_to`` (child / parent_carer / household_member); ``ssd_s47_enquiry``
  -> ``s47_enquiry`` PART_OF its referral; ``ssd_cp_plans`` -> ``cp_plan``; ``ssd_cin_plans`` -> ``cin_plan``;
  ``ssd_cla_episodes`` -> ``looked_after_episode``; ``ssd_early_help_episodes`` -> ``early_help_episode``
  (consent to the service, closure reason); ``ssd_missing`` -> ``missing_episode``; ``ssd_voice_of_child`` ->
  ``voice_of_child``; ``ssd_involvements`` (a worker's or team's involvement with the child) -> ``cin_episode``
  with ``episode_kind`` ``worker_involvement`` (the model has no closer type).
- ``ssd_linked_identifiers``: adds nothing of its own: its identifiers are on the person record (above). A row
  whose person has no loadable ``ssd_person`` row beside it is quarantined.
The child is ``subject`` of every fact about it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, ClassVar

from graph.model import (
    FACTOR_ATTACHMENT,
    FactPartRow,
    FactRow,
    GraphRows,
    HouseholdMemberRow,
    InvolvementRow,
    PersonLinkRow,
    Provenance,
    ResidenceRow,
    SourceRecordRow,
    normalise_address,
    record_key,
)
from ingest.adapters.base import ContractCsvAdapter
from ingest.contract import codes
from ingest.contract import csc as contract
from ingest.contract.spec import FileSpec
from ingest.framework import BadFileError, Context, RawRow, RowError
from ingest.registry import ADAPTERS, register

AGENCY = "csc"
SOURCE_SYSTEM = "ssd"


# -- shared helpers (also used by the CIN census, SSDA903 and family-context adapters) -----------------------


def clean(data: dict[str, Any]) -> dict[str, Any]:
    """The row as the agency sent it: without the reader's ``__`` bookkeeping keys."""
    return {k: v for k, v in data.items() if not k.startswith("__")}


def yes_no(value: Any) -> bool | None:
    """``Y``/``N`` (or ``1``/``0``, ``true``/``false``) -> True/False; anything else None."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text in ("y", "yes", "1", "true"):
        return True
    if text in ("n", "no", "0", "false"):
        return False
    return None


def doubtful(data: dict[str, Any]) -> dict[str, Any]:
    """The flagged values of a row (``doubtful_<column>`` and ``doubtful_reasons``), for the record's properties."""
    return {k: v for k, v in data.items() if k.startswith("doubtful_")}


def factor_attachment(code: str) -> str | None:
    """Where a CIN census assessment factor attaches: the A/B/C suffix of the topics that have one (1-6: the
    child, a parent or carer, another household member). Codes with one subject attach to the child: 7A, 9A-17A,
    22A-24A (suffix A), 8B-8F (kinds of private fostering of the child) and 18B/C, 19B/C (abuse of the child,
    by a child / by an adult: there B and C are not people in the household). 20 (other) and 21 (none): None."""
    code = code.strip().upper()
    number = "".join(ch for ch in code if ch.isdigit())
    suffix = code[len(number) :]
    if not number or number in ("20", "21"):
        return None
    if int(number) <= 6:
        return FACTOR_ATTACHMENT.get(suffix)
    return FACTOR_ATTACHMENT["A"]


FACTOR_ABUSER = {"18B": "child", "19B": "child", "18C": "adult", "19C": "adult"}


def factor_detail(code: str) -> dict[str, Any]:
    return {
        "code": code,
        "meaning": codes.ASSESSMENT_FACTOR.get(code),
        "attaches_to": factor_attachment(code),
        "abuse_by": FACTOR_ABUSER.get(code),
    }


def outcome_flags(value: Any) -> tuple[list[str], str | None]:
    """An SSD outcome JSON (``{"NFA_FLAG": "Y", ...}``) -> the outcomes flagged Y (``["nfa"]``) and any comments."""
    if not value:
        return [], None
    try:
        obj = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return [], None
    if not isinstance(obj, dict):
        return [], None
    flagged = [
        k.removesuffix("_FLAG").lower()
        for k, v in obj.items()
        if k.endswith("_FLAG") and str(v).upper() == "Y"
    ]
    comments = obj.get("COMMENTS") or obj.get("OUTCOME_COMMENTS")
    return flagged, (str(comments) if comments not in (None, "") else None)


def person_key(person_id: str) -> str:
    return contract.PERSON.record_key(str(person_id))


def referral_key(referral_id: str | None) -> str | None:
    return contract.CIN_EPISODES.record_key(referral_id) if referral_id else None


def file_date(path: Path) -> date:
    """The file's own date (its modification time), for formats that carry no recorded date."""
    return date.fromtimestamp(os.stat(path).st_mtime)


_ADDRESS_PARTS = ("ROOM", "FLOOR", "FLAT", "BUILDING", "HOUSE", "STREET")


def ssd_address_line(address_json: Any) -> tuple[str | None, str | None, str | None]:
    """The SSD address JSON -> (first line: room/flat/building/house number and street, town, UPRN)."""
    try:
        obj = json.loads(address_json) if isinstance(address_json, str) else address_json
    except ValueError:
        return None, None, None
    if not isinstance(obj, dict):
        return None, None, None
    parts = [str(obj[k]).strip() for k in _ADDRESS_PARTS if obj.get(k) not in (None, "")]
    town = str(obj["TOWN"]).strip() if obj.get("TOWN") not in (None, "") else None
    uprn = str(obj["UPRN"]).strip() if obj.get("UPRN") not in (None, "") else None
    if uprn is not None and not (uprn.isdigit() and len(uprn) <= 12):
        uprn = None  # not a UPRN: the address is keyed by its line and postcode instead
    return (" ".join(parts) or None), town, uprn


# -- the other tables an adapter looks things up in, read once per file version ----------------------------


@cache
def _reader(kind: str) -> ContractCsvAdapter:
    """A bare contract reader (no transform) of a file kind, for look-ups in a sibling file."""
    spec = next(s for s in contract.FILES if s.kind == kind)
    return type(f"Reader_{spec.table}", (ContractCsvAdapter,), {"spec": spec})()  # type: ignore[no-any-return]


def contract_rows(spec: FileSpec, path: Path) -> list[dict[str, Any]]:
    """The rows of a sibling contract file that pass the contract (doubtful values flagged); none when the file is
    absent or unreadable (its own adapter reports why)."""
    try:
        return [
            r.data
            for r in _reader(spec.kind).read(path)
            if "__errors__" not in r.data and "__error__" not in r.data
        ]
    except (BadFileError, OSError, UnicodeDecodeError, ValueError):
        return []


def _folder_state(path: Path) -> tuple[tuple[str, int, int], ...] | None:
    try:
        return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in path.parent.iterdir()))
    except OSError:
        return None


# what an adapter's own read found loadable, so that the files read after it need not read it again
_SEEN: dict[tuple[str, str, tuple[tuple[str, int, int], ...]], dict[str, dict[str, Any]]] = {}


def remember_loadable(spec: FileSpec, path: Path, rows: Iterable[RawRow]) -> Iterator[RawRow]:
    """Pass the rows through, noting (when the file is read to its end) which will load, for ``loadable_index``."""
    state = _folder_state(path)
    index: dict[str, dict[str, Any]] = {}
    for raw in rows:
        yield raw
        d = raw.data
        if "__errors__" not in d and "__error__" not in d:
            index[spec.source_record_id(d)] = {c: d.get(c) for c in spec.person_refs}
    if state is not None:
        while len(_SEEN) >= 16:
            del _SEEN[next(iter(_SEEN))]
        _SEEN[(spec.kind, str(path), state)] = index


def loadable_index(spec: FileSpec, path: Path) -> dict[str, dict[str, Any]]:
    """source record id -> the person references of each row of a sibling file that its own adapter will load
    (the file's own references to other files checked too); read once per version of the folder."""
    state = _folder_state(path)
    if state is None:
        return {}
    seen = _SEEN.get((spec.kind, str(path), state))
    return seen if seen is not None else _loadable_index(spec.kind, str(path), state)


def loadable_ids(spec: FileSpec, path: Path) -> frozenset[str]:
    return frozenset(loadable_index(spec, path))


@lru_cache(maxsize=64)
def _loadable_index(
    kind: str, path: str, _folder: tuple[tuple[str, int, int], ...]
) -> dict[str, dict[str, Any]]:
    spec = next(s for s in contract.FILES if s.kind == kind)
    adapter = next((a for a in ADAPTERS if a.kind == kind), None) or _reader(kind)
    read = getattr(adapter, "checked_read", adapter.read)  # without look-ups that only add to the rows
    try:
        return {
            spec.source_record_id(r.data): {c: r.data.get(c) for c in spec.person_refs}
            for r in read(Path(path))
            if "__errors__" not in r.data and "__error__" not in r.data
        }
    except (BadFileError, OSError, UnicodeDecodeError, ValueError):
        return {}


def sibling(path: Path, spec: FileSpec) -> Path:
    return path.parent / Path(spec.paths[0]).name


def linked_identifiers_by_person(path: Path) -> dict[str, list[dict[str, Any]]]:
    """person id -> the identifiers ``ssd_linked_identifiers.csv`` holds for them (type, value, from, to)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for r in contract_rows(contract.LINKED_IDENTIFIERS, path):
        out.setdefault(r["link_person_id"], []).append(
            {
                "type": r["link_identifier_type"],
                "value": r["link_identifier_value"],
                "from": r.get("link_valid_from_date"),
                "to": r.get("link_valid_to_date"),
            }
        )
    return out


def current_address_by_person(path: Path) -> dict[str, dict[str, Any]]:
    """person id -> their current home address in ``ssd_address.csv`` (no end date, latest start)."""
    best: dict[str, dict[str, Any]] = {}
    for r in contract_rows(contract.ADDRESS, path):
        if r.get("addr_address_end_date") or r.get("addr_address_type") not in (None, "HOME"):
            continue
        pid = r["addr_person_id"]
        start = r.get("addr_address_start_date") or ""
        if pid not in best or start >= (best[pid].get("from") or ""):
            line, town, uprn = ssd_address_line(r["addr_address_json"])
            best[pid] = {
                "line": line,
                "town": town,
                "postcode": r.get("addr_address_postcode"),
                "from": start or None,
            }
    return best


def check_references(path: Path, rows: Iterable[RawRow], refs: dict[str, str]) -> Iterator[RawRow]:
    """Quarantine, before it is transformed, a row that refers (column -> file kind) to a row the sibling file does
    not hold or will quarantine: otherwise its fact would be written and then lose its child. When the sibling
    file is absent (loaded in another run), the writer checks the reference in the graph instead."""
    known: dict[str, tuple[str, frozenset[str]]] = {}
    for column, kind in refs.items():
        target = next(s for s in contract.FILES if s.kind == kind)
        other = sibling(path, target)
        if other.exists() and other.resolve() != path.resolve():
            known[column] = (other.name, loadable_ids(target, other))
    for raw in rows:
        d = raw.data
        if "__errors__" not in d and "__error__" not in d:
            errors = [
                (column, d[column], f"no loadable row with this id in {name} beside this file")
                for column, (name, ids) in known.items()
                if d.get(column) is not None and str(d[column]) not in ids
            ]
            if errors:
                d["__errors__"] = errors
        yield raw


def _choose(identifiers: list[dict[str, Any]], kind: str) -> str | None:
    """The current identifier of a kind: one with no end date first, then the latest start."""
    found = [i for i in identifiers if i["type"] == kind]
    if not found:
        return None
    found.sort(key=lambda i: (i.get("to") is None, i.get("from") or ""))
    return str(found[-1]["value"])


# -- the base of the SSD adapters -----------------------------------------------------------------------------


class SsdAdapter(ContractCsvAdapter):
    source_system = SOURCE_SYSTEM
    person_column: ClassVar[str | None] = None  # the child (or person) the row is about
    part_of: ClassVar[dict[str, str]] = {}  # column -> kind of the file holding the fact this one is PART_OF

    def checked_read(self, path: Path) -> Iterator[RawRow]:
        """The contract's read, and the rows referring to what a sibling file will not load quarantined."""
        refs = {**self.spec.person_refs, **self.part_of}
        return check_references(path, super().read(path), refs)

    def enriched_read(self, path: Path) -> Iterator[RawRow]:
        """The checked rows with what the transform needs from other files (most tables: nothing)."""
        return self.checked_read(path)

    def read(self, path: Path) -> Iterator[RawRow]:
        return remember_loadable(self.spec, path, self.enriched_read(path))

    def prov(self, row: RawRow, ctx: Context, source_id: str | None = None) -> Provenance:
        d = row.data
        return ctx.provenance(
            self.agency, self.spec.table, source_id or self.source_id(row), self.date(d.get("recorded_date")),
            d.get("recorded_by_role"), d.get("basis") or "fact",
        )  # fmt: skip

    def fact(
        self,
        row: RawRow,
        ctx: Context,
        fact_type: str,
        occurred_on: date | None,
        ended_on: date | None = None,
        summary: str | None = None,
        detail: dict[str, Any] | None = None,
        source_id: str | None = None,
    ) -> FactRow:
        return FactRow(
            self.prov(row, ctx, source_id), fact_type, clean(row.data), occurred_on=occurred_on, ended_on=ended_on,
            summary=summary, detail=detail or {},
        )  # fmt: skip

    def about_child(self, row: RawRow, fact: FactRow, out: GraphRows, role: str = "subject") -> None:
        assert self.person_column is not None
        out.facts.append(fact)
        out.involvements.append(
            InvolvementRow(person_key(row.data[self.person_column]), fact.key, role, fact.provenance)
        )


# -- people, families, addresses, links -----------------------------------------------------------------------


class SsdPerson(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.PERSON
    load_order = 10

    def enriched_read(self, path: Path) -> Iterator[RawRow]:
        linked = linked_identifiers_by_person(sibling(path, contract.LINKED_IDENTIFIERS))
        current = current_address_by_person(sibling(path, contract.ADDRESS))
        for raw in self.checked_read(path):
            pid = raw.data.get("pers_person_id")
            if pid in linked:
                raw.data["linked_identifiers"] = linked[pid]
            if pid in current:
                raw.data["current_address"] = current[pid]
            yield raw

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        ids = d.get("linked_identifiers") or []
        home = d.get("current_address") or {}
        nhs = d.get("pers_common_child_id") or _choose(ids, "NHS Number")
        line = ", ".join(p for p in (home.get("line"), home.get("town")) if p) or None
        extra: dict[str, Any] = {
            "gender": d.get("pers_gender"), "ethnicity": d.get("pers_ethnicity"),
            "upn_unknown": d.get("pers_upn_unknown"), "send": yes_no(d.get("pers_send_flag")),
            "date_of_death": self.date(d.get("pers_death_date")), "is_mother": yes_no(d.get("pers_is_mother")),
            "nationality": d.get("pers_nationality"), "legacy_id": d.get("pers_legacy_id"),
            "linked_identifiers": [f"{i['type']}: {i['value']}" for i in ids] or None,
            **doubtful(d),
        }  # fmt: skip
        record = SourceRecordRow(
            self.prov(row, ctx), clean(d), given_name=d.get("pers_forename"), family_name=d.get("pers_surname"),
            date_of_birth=self.date(d.get("pers_dob")), expected_date_of_birth=self.date(d.get("pers_expected_dob")),
            sex=d.get("pers_sex"), nhs_number=nhs, upn=_choose(ids, "Unique Pupil Number"), la_child_id=d["pers_person_id"],
            postcode=home.get("postcode"), address_line=line, extra=extra,
        )  # fmt: skip
        return GraphRows(source_records=[record])


class SsdLinkedIdentifiers(SsdAdapter):
    """Identifiers go on the person record (``SsdPerson`` reads this file); a row is loaded when its person is."""

    spec: ClassVar[FileSpec] = contract.LINKED_IDENTIFIERS
    load_order = 20

    def enriched_read(self, path: Path) -> Iterator[RawRow]:
        people = loadable_ids(contract.PERSON, sibling(path, contract.PERSON))
        for raw in self.checked_read(path):
            raw.data["__person_loadable__"] = raw.data.get("link_person_id") in people
            yield raw

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        if not row.data.get("__person_loadable__"):
            raise RowError(
                "link_person_id", row.data.get("link_person_id"),
                "no loadable row for this person in the ssd_person.csv beside this file: the identifier has no "
                "person record to go on",
            )  # fmt: skip
        return GraphRows()


class SsdFamily(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.FAMILY
    load_order = 20

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        household = record_key(AGENCY, self.spec.table, d["fami_family_id"])
        return GraphRows(
            household_members=[
                HouseholdMemberRow(person_key(d["fami_person_id"]), household, self.prov(row, ctx))
            ]
        )


class SsdAddress(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.ADDRESS
    load_order = 20

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        line, town, uprn = ssd_address_line(d["addr_address_json"])
        full = ", ".join(p for p in (line, town) if p) or None
        address = normalise_address(full, d.get("addr_address_postcode"), uprn)
        if address is None:
            raise RowError(
                "addr_address_json",
                d["addr_address_json"],
                "no street, town, UPRN or valid postcode to place it",
            )
        return GraphRows(
            residences=[
                ResidenceRow(
                    person_key(d["addr_person_id"]), address, self.prov(row, ctx),
                    self.date(d.get("addr_address_start_date")), self.date(d.get("addr_address_end_date")),
                )
            ]
        )  # fmt: skip


class SsdMother(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.MOTHER
    load_order = 20

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        link = PersonLinkRow(
            person_key(d["moth_person_id"]), person_key(d["moth_childs_person_id"]), "parent", self.prov(row, ctx),
            from_date=self.date(d.get("moth_childs_dob")),
        )  # fmt: skip
        return GraphRows(person_links=[link])


def relationship_type(code: str) -> str:
    """The contract's codes (``step-parent``, ``lives-with``) in the graph's vocabulary (``step_parent``)."""
    return code.replace("-", "_")


class SsdPersonRelationships(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.PERSON_RELATIONSHIPS
    load_order = 20

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        link = PersonLinkRow(
            person_key(d["rel_person_id"]), person_key(d["rel_related_person_id"]),
            relationship_type(d["rel_relationship"]), self.prov(row, ctx),
            self.date(d.get("rel_start_date")), self.date(d.get("rel_end_date")),
        )  # fmt: skip
        return GraphRows(person_links=[link])


# -- the front door and what follows -------------------------------------------------------------------------


def _source(code: str | None) -> dict[str, Any]:
    return {"referral_source": code, "referral_source_meaning": codes.REFERRAL_SOURCE.get(code or "")}


class SsdContacts(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.CONTACTS
    load_order = 30
    person_column = "cont_person_id"

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        outcome, _ = outcome_flags(d.get("cont_contact_outcome_json"))
        source = _source(d["cont_contact_source_code"])
        summary = d.get("cont_ext_summary") or f"contact from {source['referral_source_meaning']}"
        fact = self.fact(
            row, ctx, "contact", self.date(d["cont_contact_date"]), summary=summary,
            detail={**source, "referral_source_desc": d.get("cont_contact_source_desc"), "outcome": outcome or None,
                    "referrer_reference": d.get("cont_ext_referrer_reference")},
        )  # fmt: skip
        out = GraphRows()
        self.about_child(row, fact, out)
        return out


class SsdCinEpisodes(SsdAdapter):
    """A referral and the child-in-need episode that follows it (closed at ``cine_close_date``)."""

    spec: ClassVar[FileSpec] = contract.CIN_EPISODES
    load_order = 40
    person_column = "cine_person_id"

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        outcome, _ = outcome_flags(d.get("cine_referral_outcome_json"))
        source = _source(d["cine_referral_source_code"])
        threshold = d.get("cine_ext_threshold_decision")
        malicious = yes_no(d.get("cine_ext_deemed_malicious"))
        summary = f"referral from {source['referral_source_meaning']}" + (
            f"; threshold decision {threshold} ({contract.THRESHOLD[threshold]})" if threshold else ""
        )
        contact = d.get("cine_ext_contact_id")
        fact = self.fact(
            row, ctx, "referral", self.date(d["cine_referral_date"]), self.date(d.get("cine_close_date")), summary,
            detail={
                **source, "referral_source_desc": d.get("cine_referral_source_desc"),
                "primary_need": d.get("cine_cin_primary_need_code"), "outcome": outcome or None,
                "nfa": yes_no(d.get("cine_referral_nfa")), "close_reason": d.get("cine_close_reason"),
                "team": d.get("cine_referral_team"), "worker_id": d.get("cine_referral_worker_id"),
                "contact_key": contract.CONTACTS.record_key(contact) if contact else None,
                "threshold_decision": threshold, "feedback_on": self.date(d.get("cine_ext_feedback_to_referrer_date")),
                "deemed_malicious": malicious, "deemed_malicious_by_role": d.get("cine_ext_deemed_malicious_by_role"),
                "deemed_malicious_on": self.date(d.get("cine_ext_deemed_malicious_date")),
                "multi_agency_assessment": yes_no(d.get("cine_ext_multi_agency_assessment")),
                "referrer_relationship": d.get("cine_ext_referrer_relationship"),
            },
        )  # fmt: skip
        out = GraphRows()
        self.about_child(row, fact, out)
        return out


class SsdCinAssessments(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.CIN_ASSESSMENTS
    load_order = 50
    person_column = "cina_person_id"
    part_of: ClassVar[dict[str, str]] = {"cina_referral_id": contract.CIN_EPISODES.kind}

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        outcome, comments = outcome_flags(d.get("cina_assessment_outcome_json"))
        fact = self.fact(
            row, ctx, "assessment", self.date(d["cina_assessment_start_date"]),
            self.date(d.get("cina_assessment_auth_date")), "child and family assessment",
            detail={"child_seen": yes_no(d.get("cina_assessment_child_seen")), "outcome": outcome or None,
                    "outcome_comments": comments, "nfa": yes_no(d.get("cina_assessment_outcome_nfa")),
                    "team": d.get("cina_assessment_team"), "worker_id": d.get("cina_assessment_worker_id"),
                    "referral_key": referral_key(d.get("cina_referral_id"))},
        )  # fmt: skip
        out = GraphRows()
        self.about_child(row, fact, out)
        if d.get("cina_referral_id"):
            out.fact_parts.append(
                FactPartRow(fact.key, contract.CIN_EPISODES.record_key(d["cina_referral_id"]))
            )
        return out


class SsdAssessmentFactors(SsdAdapter):
    """One ``assessment_factor`` fact per factor answered "Yes" (``<row id>:<code>``), PART_OF the assessment; the
    assessment's child (looked up in ``ssd_cin_assessments.csv`` beside it) is the subject."""

    spec: ClassVar[FileSpec] = contract.ASSESSMENT_FACTORS
    load_order = 60
    part_of: ClassVar[dict[str, str]] = {"cinf_assessment_id": contract.CIN_ASSESSMENTS.kind}

    def enriched_read(self, path: Path) -> Iterator[RawRow]:
        assessments = loadable_index(contract.CIN_ASSESSMENTS, sibling(path, contract.CIN_ASSESSMENTS))
        child_of = {aid: refs["cina_person_id"] for aid, refs in assessments.items()}
        for raw in self.checked_read(path):
            child = child_of.get(raw.data.get("cinf_assessment_id") or "")
            if child is not None:
                raw.data["__child__"] = child
            yield raw

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        factors = json.loads(d["cinf_assessment_factors_json"])
        assessment = contract.CIN_ASSESSMENTS.record_key(d["cinf_assessment_id"])
        out = GraphRows()
        for code, answer in factors.items():
            if str(answer) != "Yes":
                continue
            fact = self.fact(
                row, ctx, "assessment_factor", None, summary=f"factor {code}: {codes.ASSESSMENT_FACTOR.get(code, code)}",
                detail={**factor_detail(code), "assessment_key": assessment},
                source_id=f"{self.source_id(row)}:{code}",
            )  # fmt: skip
            out.facts.append(fact)
            out.fact_parts.append(FactPartRow(fact.key, assessment))
            if d.get("__child__"):
                out.involvements.append(
                    InvolvementRow(person_key(d["__child__"]), fact.key, "subject", fact.provenance)
                )
        return out


class SsdS47(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.S47
    load_order = 50
    person_column = "s47e_person_id"
    part_of: ClassVar[dict[str, str]] = {"s47e_referral_id": contract.CIN_EPISODES.kind}

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        outcome, comments = outcome_flags(d.get("s47e_s47_outcome_json"))
        fact = self.fact(
            row, ctx, "s47_enquiry", self.date(d["s47e_s47_start_date"]), self.date(d.get("s47e_s47_end_date")),
            "section 47 enquiry",
            detail={"nfa": yes_no(d.get("s47e_s47_nfa")), "outcome": outcome or None, "outcome_comments": comments,
                    "worker_id": d.get("s47e_s47_completed_by_worker_id"), "team": d.get("s47e_s47_completed_by_team"),
                    "referral_key": referral_key(d.get("s47e_referral_id"))},
        )  # fmt: skip
        out = GraphRows()
        self.about_child(row, fact, out)
        if d.get("s47e_referral_id"):
            out.fact_parts.append(
                FactPartRow(fact.key, contract.CIN_EPISODES.record_key(d["s47e_referral_id"]))
            )
        return out


class SsdCpPlans(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.CP_PLANS
    load_order = 50
    person_column = "cppl_person_id"

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        initial, latest = d["cppl_cp_plan_initial_category"], d.get("cppl_cp_plan_latest_category")
        category = latest or initial
        fact = self.fact(
            row, ctx, "cp_plan", self.date(d["cppl_cp_plan_start_date"]), self.date(d.get("cppl_cp_plan_end_date")),
            f"child protection plan: {codes.CATEGORY_OF_ABUSE.get(category, category)}",
            detail={"initial_category": initial, "latest_category": latest, "other_la": yes_no(d.get("cppl_cp_plan_ola")),
                    "icpc_id": d.get("cppl_icpc_id"), "referral_key": referral_key(d.get("cppl_referral_id"))},
        )  # fmt: skip
        out = GraphRows()
        self.about_child(row, fact, out)
        return out


class SsdCinPlans(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.CIN_PLANS
    load_order = 50
    person_column = "cinp_person_id"

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        fact = self.fact(
            row, ctx, "cin_plan", self.date(d["cinp_cin_plan_start_date"]), self.date(d.get("cinp_cin_plan_end_date")),
            "child in need plan",
            detail={"team": d.get("cinp_cin_plan_team"), "worker_id": d.get("cinp_cin_plan_worker_id"),
                    "referral_key": referral_key(d.get("cinp_referral_id"))},
        )  # fmt: skip
        out = GraphRows()
        self.about_child(row, fact, out)
        return out


class SsdClaEpisodes(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.CLA_EPISODES
    load_order = 50
    person_column = "clae_person_id"

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        fact = self.fact(
            row, ctx, "looked_after_episode", self.date(d["clae_cla_episode_start_date"]),
            self.date(d.get("clae_cla_episode_ceased_date")), "looked after (care) episode",
            detail={"start_reason": d["clae_cla_episode_start_reason"], "primary_need": d.get("clae_cla_primary_need_code"),
                    "ceased_reason": d.get("clae_cla_episode_ceased_reason"), "cla_id": d.get("clae_cla_id"),
                    "placement_id": d.get("clae_cla_placement_id"),
                    "entered_care_on": self.date(d.get("clae_entered_care_date")),
                    "last_iro_contact_on": self.date(d.get("clae_cla_last_iro_contact_date")),
                    "referral_key": referral_key(d.get("clae_referral_id"))},
        )  # fmt: skip
        out = GraphRows()
        self.about_child(row, fact, out)
        return out


class SsdEarlyHelpEpisodes(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.EARLY_HELP_EPISODES
    load_order = 50
    person_column = "earl_person_id"

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        reason, closure = d.get("earl_episode_reason"), d.get("earl_episode_end_reason")
        stepped = d.get("earl_ext_stepped_down_from_referral_id")
        summary = "early help" + (f": {codes.EH_REASON.get(reason, reason)}" if reason else "")
        if closure:
            summary += f"; closed: {codes.EH_CLOSURE_REASON.get(closure, closure)}"
        fact = self.fact(
            row, ctx, "early_help_episode", self.date(d["earl_episode_start_date"]),
            self.date(d.get("earl_episode_end_date")), summary,
            detail={"reason": reason, "closure_reason": closure, "consent_to_service": d.get("earl_ext_consent_to_service"),
                    "organisation": d.get("earl_episode_organisation"), "worker_id": d.get("earl_episode_worker_id"),
                    "stepped_down_from_key": referral_key(stepped)},
        )  # fmt: skip
        out = GraphRows()
        self.about_child(row, fact, out)
        return out


class SsdMissing(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.MISSING
    load_order = 30
    person_column = "miss_person_id"

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        kind = d["miss_missing_episode_type"]
        fact = self.fact(
            row, ctx, "missing_episode", self.date(d["miss_missing_episode_start_date"]),
            self.date(d.get("miss_missing_episode_end_date")), codes.MISSING_TYPE.get(kind, kind),
            detail={"missing_type": kind, "rhi_offered": d.get("miss_missing_rhi_offered"),
                    "rhi_accepted": d.get("miss_missing_rhi_accepted")},
        )  # fmt: skip
        out = GraphRows()
        self.about_child(row, fact, out)
        return out


class SsdInvolvements(SsdAdapter):
    spec: ClassVar[FileSpec] = contract.INVOLVEMENTS
    load_order = 50
    person_column = "invo_person_id"

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        who = ", ".join(p for p in (d.get("invo_professional_role_id"), d.get("invo_professional_team")) if p)
        fact = self.fact(
            row, ctx, "cin_episode", self.date(d["invo_involvement_start_date"]),
            self.date(d.get("invo_involvement_end_date")), "children's social care involvement" + (f": {who}" if who else ""),
            detail={"episode_kind": "worker_involvement", "worker_id": d.get("invo_professional_id"),
                    "worker_role": d.get("invo_professional_role_id"), "team": d.get("invo_professional_team"),
                    "worker_change_reason": d.get("invo_worker_change_reason"),
                    "referral_key": referral_key(d.get("invo_referral_id"))},
        )  # fmt: skip
        out = GraphRows()
        self.about_child(row, fact, out)
        return out


VOICE_FLAGS = (
    "voch_explained_worries", "voch_story_help_understand", "voch_agree_worker", "voch_plan_safe",
    "voch_tablet_help_explain",
)  # fmt: skip


class SsdVoiceOfChild(SsdAdapter):
    """The child's recorded views. The SSD table has no date of its own: the date recorded is when it happened."""

    spec: ClassVar[FileSpec] = contract.VOICE_OF_CHILD
    load_order = 30
    person_column = "voch_person_id"

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        fact = self.fact(
            row, ctx, "voice_of_child", self.date(d["recorded_date"]), summary=d.get("voch_ext_views") or "the child's views",
            detail={c.removeprefix("voch_"): yes_no(d.get(c)) for c in VOICE_FLAGS} | {"views": d.get("voch_ext_views")},
        )  # fmt: skip
        out = GraphRows()
        self.about_child(row, fact, out)
        return out


SSD_ADAPTERS = (
    SsdPerson(), SsdLinkedIdentifiers(), SsdFamily(), SsdAddress(), SsdMother(), SsdPersonRelationships(),
    SsdContacts(), SsdCinEpisodes(), SsdCinAssessments(), SsdAssessmentFactors(), SsdS47(), SsdCpPlans(),
    SsdCinPlans(), SsdClaEpisodes(), SsdEarlyHelpEpisodes(), SsdMissing(), SsdInvolvements(), SsdVoiceOfChild(),
)  # fmt: skip

for _adapter in SSD_ADAPTERS:
    register(_adapter)
