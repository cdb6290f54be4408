"""Health: FHIR R4 UK Core resources (NDJSON bulk export and single-resource XML) and the GP / maternity CSVs.

- ``health/fhir/<Type>.ndjson`` (the contract's ``health.fhir``): one adapter per resource type, so that
  Patients load before the RelatedPersons, Encounters and Flags that refer to them:
  Patient -> a person record (with every address as LIVED_AT); RelatedPerson -> a person record and a
  RELATED_TO link to the patient (for a maternity record, the named father or partner of the mother);
  Encounter -> an ``ae_attendance``, ``was_not_brought`` or ``gp_maternity_event`` fact with the patient as
  subject and any RelatedPerson who brought them as ``present``; Flag (CP-IS) -> a ``cp_is_flag`` fact on the
  child (or the mother, for an unborn child's plan).
- The public FHIR UK Core examples are single resources in XML; they are turned into the FHIR JSON shape and
  go through the same transforms. They carry no provenance (no ``meta``): ``recorded_on`` is
  ``meta.lastUpdated`` when there is one, else none; ``recorded_by_role`` None, ``basis`` ``fact``.
- ``health/gp_registrations.csv`` and ``health/maternity.csv``: contract CSVs. A maternity booking holds three
  people: the mother (the record), the unborn baby and the named father or partner: each becomes a person
  record (``B1``, ``B1#baby``, ``B1#partner``) involved in the booking, linked by RELATED_TO.

Doubtful values: an NHS number failing its check digit or a postcode that is not a UK postcode does not lose
the row (the contract's FHIR models reject them): the value moves to ``doubtful_nhs_number`` /
``doubtful_postcode`` with the reason in ``doubtful_reasons``, as the CSV adapters do.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError

from graph.model import (
    FactRow,
    GraphRows,
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
from ingest.contract import health as contract
from ingest.contract import identifiers as ids
from ingest.contract.spec import ISO_DATE, FileSpec
from ingest.framework import BadFileError, Context, RawRow, Rejection, RowError, read_text
from ingest.registry import register

AGENCY = "health"
FHIR_TABLE = contract.FHIR.table  # "fhir": records keyed health|fhir|Patient/<id>
FHIR_NS = "{http://hl7.org/fhir}"

# v3-RoleCode (and the UK Core personal relationship codes seen in the examples) -> RELATED_TO type,
# read as "the related person is <type> of the patient"
FHIR_RELATIONSHIP_TYPES: dict[str, str] = {
    "MTH": "parent", "FTH": "parent", "NFTH": "parent", "NMTH": "parent", "PRN": "parent", "NPRN": "parent",
    "STPMTH": "step_parent", "STPFTH": "step_parent", "STPPRN": "step_parent",
    "DOMPART": "partner", "WIFE": "partner", "HUSB": "partner", "SPS": "partner", "SIGOTHR": "partner",
    "FMRSPS": "ex_partner",
    "GRMTH": "grandparent", "GRFTH": "grandparent", "GRPRN": "grandparent",
    "GUARD": "carer", "SIB": "sibling", "HSIB": "half_sibling", "FAMMEMB": "other_relative",
    "FRND": "friend", "NBOR": "neighbour", "ROOM": "lives_with",
}  # fmt: skip

# the contract's encounter kinds -> fact type
ENCOUNTER_FACT_TYPES: dict[str, str] = {
    "ae-attendance": "ae_attendance",
    "was-not-brought": "was_not_brought",
    "did-not-attend": "gp_maternity_event",  # an adult's missed appointment: kept with its kind
    "antenatal-booking": "gp_maternity_event",
    "gp-consultation": "gp_maternity_event",
    "health-visitor-contact": "gp_maternity_event",
}

FHIR_SEX = {"male": "M", "female": "F", "other": "U", "unknown": "U"}


# -- helpers shared by the FHIR transforms ----------------------------------------------------------------


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _day(value: Any) -> date | None:
    """The date part of a FHIR date or dateTime ("2024-05-02T10:00:00Z" -> 2024-05-02); None when absent."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _code_in(concept: Any, system: str | None = None) -> str | None:
    for coding in _list(concept.get("coding") if isinstance(concept, dict) else None):
        if (
            isinstance(coding, dict)
            and (system is None or coding.get("system") == system)
            and coding.get("code")
        ):
            return str(coding["code"])
    return None


def _display(concept: Any) -> str | None:
    if not isinstance(concept, dict):
        return None
    if concept.get("text"):
        return str(concept["text"])
    for coding in _list(concept.get("coding")):
        if isinstance(coding, dict) and coding.get("display"):
            return str(coding["display"])
    return None


def _ref_id(reference: Any, resource_type: str) -> str | None:
    """``{"reference": "Patient/p1"}`` -> ``"Patient/p1"`` when it points at that resource type."""
    if not isinstance(reference, dict):
        return None
    ref = reference.get("reference")
    if isinstance(ref, str) and ref.startswith(resource_type + "/") and len(ref) > len(resource_type) + 1:
        return ref
    return None


def fhir_key(reference: str) -> str:
    """The record (or fact) key of a FHIR resource: ``health|fhir|Patient/p1``."""
    return record_key(AGENCY, FHIR_TABLE, reference)


def _tag(resource: dict[str, Any], system: str) -> str | None:
    meta = resource.get("meta")
    for coding in _list(meta.get("tag") if isinstance(meta, dict) else None):
        if isinstance(coding, dict) and coding.get("system") == system and coding.get("code"):
            return str(coding["code"])
    return None


def _provenance(resource: dict[str, Any], ctx: Context) -> Provenance:
    """FHIR carries provenance in ``meta``; a resource without it (the public examples) is a fact, role unknown."""
    meta = _dict(resource.get("meta"))
    basis = _tag(resource, contract.BASIS_SYSTEM)
    return ctx.provenance(
        AGENCY, FHIR_TABLE, f"{resource['resourceType']}/{resource['id']}", _day(meta.get("lastUpdated")),
        _tag(resource, contract.RECORDED_BY_ROLE_SYSTEM), basis if basis in codes.BASIS else "fact",
    )  # fmt: skip


def _clean(resource: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in resource.items() if not k.startswith("__") and k != "_line"}


def _address_line(address: dict[str, Any]) -> str | None:
    """The address as one line, town included, as the contract's one-line CSV addresses are written."""
    parts = [str(x) for x in _list(address.get("line")) if x]
    if address.get("city"):
        parts.append(str(address["city"]))
    return ", ".join(parts) or None


def _names(names: Any) -> tuple[str | None, str | None, str | None]:
    """(given, family, other names): the official name first; other names (usual, maiden...) joined by ';'."""
    items = [n for n in _list(names) if isinstance(n, dict)]
    items.sort(key=lambda n: 0 if n.get("use") == "official" else 1)
    main = next((n for n in items if n.get("family") or n.get("given")), None)
    if main is None:
        return None, None, None
    given = " ".join(str(g) for g in _list(main.get("given")) if g) or None
    others = []
    for n in items:
        if n is main:
            continue
        text = " ".join([*(str(g) for g in _list(n.get("given")) if g), str(n.get("family") or "")]).strip()
        if text:
            others.append(text)
    return given, main.get("family"), "; ".join(others) or None


def _doubtful(resource: dict[str, Any]) -> dict[str, Any]:
    return {
        k: resource[k]
        for k in ("doubtful_nhs_number", "doubtful_postcode", "doubtful_reasons")
        if k in resource
    }


def _person(resource: dict[str, Any], ctx: Context, extra: dict[str, Any] | None = None) -> GraphRows:
    """A Patient or RelatedPerson: the person record and where they lived (every address, with its period)."""
    prov = _provenance(resource, ctx)
    given, family, other = _names(resource.get("name"))
    nhs = next(
        (str(i["value"]) for i in _list(resource.get("identifier"))
         if isinstance(i, dict) and i.get("system") == contract.NHS_NUMBER_SYSTEM and i.get("value")),
        None,
    )  # fmt: skip
    addresses = [a for a in _list(resource.get("address")) if isinstance(a, dict)]
    current = next((a for a in addresses if not (a.get("period") or {}).get("end")), None)
    out = GraphRows()
    record = SourceRecordRow(
        prov, _clean(resource), given_name=given, family_name=family, other_names=other,
        date_of_birth=_day(resource.get("birthDate")), sex=FHIR_SEX.get(str(resource.get("gender"))),
        nhs_number=nhs, postcode=current.get("postalCode") if current else None,
        address_line=_address_line(current) if current else None,
        extra={"fhir_resource_type": resource["resourceType"], **_doubtful(resource), **(extra or {})},
    )  # fmt: skip
    out.source_records.append(record)
    for address in addresses:
        place = normalise_address(_address_line(address), address.get("postalCode"))
        if place:
            period = address.get("period") or {}
            out.residences.append(
                ResidenceRow(record.key, place, prov, _day(period.get("start")), _day(period.get("end")))
            )
    return out


def transform_patient(resource: dict[str, Any], ctx: Context) -> GraphRows:
    out = _person(resource, ctx, {"deceased_on": _day(resource.get("deceasedDateTime"))})
    patient_key = out.source_records[0].key
    # a Patient's contacts (next of kin, emergency contact) are people around the child too
    for n, contact in enumerate(c for c in _list(resource.get("contact")) if isinstance(c, dict)):
        given, family, _ = _names(contact.get("name"))
        if not (given or family):
            continue
        pid = f"{resource['resourceType']}/{resource['id']}#contact{n + 1}"
        base = _provenance(resource, ctx)
        prov = ctx.provenance(AGENCY, FHIR_TABLE, pid, base.recorded_on, base.recorded_by_role, base.basis)
        code = next((c for c in (_code_in(r) for r in _list(contact.get("relationship"))) if c), None)
        address = next((a for a in _list(contact.get("address")) if isinstance(a, dict)), None)
        rec = SourceRecordRow(
            prov, contact, given_name=given, family_name=family, sex=FHIR_SEX.get(str(contact.get("gender"))),
            postcode=address.get("postalCode") if address else None,
            address_line=_address_line(address) if address else None,
            extra={"fhir_resource_type": "Patient.contact", "relationship_code": code},
        )  # fmt: skip
        out.source_records.append(rec)
        out.person_links.append(
            PersonLinkRow(rec.key, patient_key, FHIR_RELATIONSHIP_TYPES.get(code or "", "other"), prov)
        )
        place = normalise_address(_address_line(address), address.get("postalCode")) if address else None
        if place:
            out.residences.append(ResidenceRow(rec.key, place, prov))
    return out


def transform_related_person(resource: dict[str, Any], ctx: Context) -> GraphRows:
    patient = _ref_id(resource.get("patient"), "Patient")
    if patient is None:
        raise RowError("patient.reference", resource.get("patient"), "must reference a Patient")
    code = next(
        (
            c
            for c in (_code_in(r, contract.ROLE_CODE_SYSTEM) for r in _list(resource.get("relationship")))
            if c
        ),
        None,
    ) or next((c for c in (_code_in(r) for r in _list(resource.get("relationship"))) if c), None)
    out = _person(resource, ctx, {"relationship_code": code, "related_to_patient": patient})
    period = _dict(resource.get("period"))
    out.person_links.append(
        PersonLinkRow(
            out.source_records[0].key, fhir_key(patient), FHIR_RELATIONSHIP_TYPES.get(code or "", "other"),
            out.source_records[0].provenance, _day(period.get("start")), _day(period.get("end")),
        )
    )  # fmt: skip
    return out


def transform_encounter(resource: dict[str, Any], ctx: Context) -> GraphRows:
    subject = _ref_id(resource.get("subject"), "Patient")
    if subject is None:
        raise RowError("subject.reference", resource.get("subject"), "must reference a Patient")
    kinds = [_code_in(t, contract.ENCOUNTER_KIND_SYSTEM) for t in _list(resource.get("type"))]
    kind = next((k for k in kinds if k), None)
    cls = _dict(resource.get("class"))
    status = resource.get("status")
    if kind in ENCOUNTER_FACT_TYPES:
        fact_type = ENCOUNTER_FACT_TYPES[kind]
    elif cls.get("code") == "EMER":
        fact_type = "ae_attendance"
    elif status == "cancelled":
        fact_type = "was_not_brought"
    else:  # another hospital or community contact (e.g. an inpatient stay): kept with its class and type
        fact_type = "gp_maternity_event"
    period = _dict(resource.get("period"))
    reasons = [r for r in (_display(c) for c in _list(resource.get("reasonCode"))) if r]
    type_text = next((t for t in (_display(c) for c in _list(resource.get("type"))) if t), None)
    prov = _provenance(resource, ctx)
    fact = FactRow(
        prov, fact_type, _clean(resource), occurred_on=_day(period.get("start")), ended_on=_day(period.get("end")),
        summary="; ".join(reasons) or type_text or kind,
        detail={"encounter_kind": kind, "encounter_class": cls.get("code"), "encounter_status": status,
                "encounter_type": type_text, "datetime_start": period.get("start")},
    )  # fmt: skip
    out = GraphRows(facts=[fact])
    out.involvements.append(InvolvementRow(fhir_key(subject), fact.key, "subject", prov))
    for participant in _list(resource.get("participant")):
        who = _ref_id(
            participant.get("individual") if isinstance(participant, dict) else None, "RelatedPerson"
        )
        if who:
            out.involvements.append(InvolvementRow(fhir_key(who), fact.key, "present", prov))
    return out


def transform_flag(resource: dict[str, Any], ctx: Context) -> GraphRows:
    subject = _ref_id(resource.get("subject"), "Patient")
    if subject is None:
        raise RowError("subject.reference", resource.get("subject"), "must reference a Patient")
    code = _code_in(resource.get("code"), contract.CPIS_SYSTEM)
    period = _dict(resource.get("period"))
    author = _dict(resource.get("author"))
    prov = _provenance(resource, ctx)
    fact = FactRow(
        prov, "cp_is_flag", _clean(resource), occurred_on=_day(period.get("start")), ended_on=_day(period.get("end")),
        summary=f"CP-IS: {codes.CPIS_FLAG.get(code or '', code)}",
        detail={"cpis_code": code, "flag_status": resource.get("status"), "held_by": author.get("display")},
    )  # fmt: skip
    role = "mother" if code == "unborn-cp-plan" else "subject"
    return GraphRows(facts=[fact], involvements=[InvolvementRow(fhir_key(subject), fact.key, role, prov)])


TRANSFORMS = {
    "Patient": transform_patient,
    "RelatedPerson": transform_related_person,
    "Encounter": transform_encounter,
    "Flag": transform_flag,
}

# -- doubtful values: flagged, not a reason to lose the resource ---------------------------------------------


def flag_doubtful(resource: dict[str, Any]) -> dict[str, Any]:
    """A copy of the resource without a failing NHS number or postcode; those move to ``doubtful_*``."""
    out = dict(resource)
    reasons: list[str] = []
    identifiers = resource.get("identifier")
    if isinstance(identifiers, list):
        kept = []
        for ident in identifiers:
            if (
                isinstance(ident, dict) and ident.get("system") == contract.NHS_NUMBER_SYSTEM
                and isinstance(ident.get("value"), str) and not ids.is_valid_nhs_number(ident["value"])
            ):  # fmt: skip
                out["doubtful_nhs_number"] = ident["value"]
                reasons.append(f"identifier: NHS number fails its check digit: {ident['value']!r}")
                continue
            kept.append(ident)
        out["identifier"] = kept
    addresses = resource.get("address")
    if isinstance(addresses, list):
        fixed = []
        for address in addresses:
            pc = address.get("postalCode") if isinstance(address, dict) else None
            if isinstance(pc, str) and not ids.is_valid_postcode(pc):
                out.setdefault("doubtful_postcode", pc)
                reasons.append(f"address.postalCode: not a UK postcode: {pc!r}")
                address = {k: v for k, v in address.items() if k != "postalCode"}
            fixed.append(address)
        out["address"] = fixed
    if reasons:
        out["doubtful_reasons"] = reasons
    return out


# -- references between the files of one extract --------------------------------------------------------------
# A row that refers to a record its sibling file does not hold, or will quarantine, is quarantined before it is
# transformed (its fact would otherwise be written and then lose its person). When the sibling file is not in
# the extract (it was loaded by an earlier run), the writer checks the reference in the graph instead.
# Shared by the other agencies' adapters (it would sit well in ingest/adapters/base.py).


@dataclass(frozen=True)
class Ref:
    field: str  # the field named in the quarantine
    values: Callable[[dict[str, Any]], list[str]]  # the source record ids the row refers to
    kind: str  # the adapter kind of the file referred to
    file: str  # that file's name beside the referring file


def column_ref(column: str, kind: str, file: str) -> Ref:
    return Ref(column, lambda d: [str(d[column])] if d.get(column) else [], kind, file)


_LOADABLE: dict[tuple[str, int, int], frozenset[str]] = {}


def _file_key(path: Path) -> tuple[str, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return str(path.resolve()), st.st_mtime_ns, st.st_size


def _row_id(adapter: Any, row: RawRow) -> str:
    if isinstance(adapter, ContractCsvAdapter):
        return adapter.source_id(row)
    return f"{row.data.get('resourceType')}/{row.data.get('id')}"


def remember_loadable(adapter: Any, path: Path, valid: Sequence[RawRow]) -> None:
    """Note which records of this file will load, for the files that refer to them (read once per run)."""
    key = _file_key(path)
    if key is None:
        return
    if len(_LOADABLE) > 64:
        _LOADABLE.clear()
    _LOADABLE[key] = frozenset(_row_id(adapter, r) for r in valid)


def loadable_ids(kind: str, path: Path) -> frozenset[str] | None:
    """The source record ids of ``path`` that its adapter (``kind``) will load; None when there is no such file."""
    key = _file_key(path)
    if key is None:
        return None
    if key not in _LOADABLE:
        from ingest.registry import ADAPTERS

        adapter = next(a for a in ADAPTERS if a.kind == kind)
        try:
            rows = [r for r in adapter.read(path) if "__errors__" not in r.data and "__error__" not in r.data]
            adapter.validate(rows, str(path))  # remembers what loads (its own references checked too)
        except (BadFileError, OSError, ValueError):
            _LOADABLE[key] = frozenset()
    return _LOADABLE.get(key, frozenset())


def check_references(
    path: Path, rows: list[RawRow], refs: Sequence[Ref]
) -> tuple[list[RawRow], list[Rejection]]:
    """(rows whose references resolve, rejections for the others) against the sibling files present."""
    known: list[tuple[Ref, frozenset[str]]] = []
    for ref in refs:
        found = loadable_ids(ref.kind, path.parent / ref.file)
        if found is not None:
            known.append((ref, found))
    if not known:
        return rows, []
    good: list[RawRow] = []
    bad: list[Rejection] = []
    for row in rows:
        missing = [(ref, v) for ref, found in known for v in ref.values(row.data) if v not in found]
        if not missing:
            good.append(row)
            continue
        raw = json.dumps({k: v for k, v in row.data.items() if not k.startswith("__")}, default=str)[:2000]
        for ref, v in missing:
            agency, table = (
                ("health", FHIR_TABLE) if ref.kind.startswith("health.fhir") else ref.kind.split(".", 1)
            )
            key = record_key(agency, table, v)
            bad.append(Rejection(str(path), row.number, ref.field, v,
                                 f"refers to {key}, which {ref.file} does not hold or will not load", raw))  # fmt: skip
    return good, bad


class CheckedReferences:
    """Mixin for a contract CSV adapter: validate also refuses rows whose references will not resolve; dates
    in ISO form are parsed with ``date.fromisoformat`` (several times faster than ``strptime``)."""

    refs: ClassVar[tuple[Ref, ...]] = ()

    def date(self, value: Any) -> date | None:
        if value is None:
            return None
        if self.spec.date_format == ISO_DATE:  # type: ignore[attr-defined]
            return date.fromisoformat(str(value))
        return super().date(value)  # type: ignore[misc,no-any-return]

    def validate(self, rows: list[RawRow], file: str) -> tuple[list[RawRow], list[Rejection]]:
        valid, bad = super().validate(rows, file)  # type: ignore[misc]
        valid, refused = check_references(Path(file), valid, self.refs)
        remember_loadable(self, Path(file), valid)
        return valid, [*bad, *refused]


# -- FHIR NDJSON ------------------------------------------------------------------------------------------


def _reference(element: str, resource_type: str) -> Callable[[dict[str, Any]], list[str]]:
    def values(d: dict[str, Any]) -> list[str]:
        refs = [_ref_id(x.get("individual") if element == "participant" and isinstance(x, dict) else x, resource_type)
                for x in _list(d.get(element))]  # fmt: skip
        return [r for r in refs if r]

    return values


_PATIENT = ("health.fhir_patient", "Patient.ndjson")
FHIR_REFS: dict[str, tuple[Ref, ...]] = {
    "Patient": (),
    "RelatedPerson": (Ref("patient.reference", _reference("patient", "Patient"), *_PATIENT),),
    "Encounter": (
        Ref("subject.reference", _reference("subject", "Patient"), *_PATIENT),
        Ref(
            "participant.individual.reference",
            _reference("participant", "RelatedPerson"),
            "health.fhir_related_person",
            "RelatedPerson.ndjson",
        ),
    ),  # fmt: skip
    "Flag": (Ref("subject.reference", _reference("subject", "Patient"), *_PATIENT),),
}


class FhirNdjsonAdapter:
    """One FHIR resource type of the bulk export (``health/fhir/<Type>.ndjson``), validated by the contract's
    pydantic models, one resource per line (row = line number)."""

    agency = AGENCY
    source_system = "fhir"

    def __init__(self, resource_type: str, kind: str, load_order: int) -> None:
        self.resource_type = resource_type
        self.kind = kind
        self.load_order = load_order
        self._model = contract.RESOURCE_MODELS[resource_type]

    def matches(self, path: Path, header: Sequence[str]) -> bool:
        if path.suffix.lower() not in (".ndjson", ".jsonl"):
            return False
        if path.stem == self.resource_type:
            return True
        try:
            with path.open(encoding="utf-8") as fh:
                first = json.loads(fh.readline())
        except (OSError, ValueError):
            return False
        return isinstance(first, dict) and first.get("resourceType") == self.resource_type

    def read(self, path: Path) -> Iterator[RawRow]:
        try:
            text = read_text(path)
        except BadFileError as exc:
            if exc.problem == "the file is empty":  # an export with no resources of this type
                return
            raise
        lines = text.splitlines()
        parsed = 0
        rows: list[RawRow] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                rows.append(RawRow(number, {"__errors__": [("*", line[:200], f"not valid JSON ({exc})")]}))
                continue
            parsed += 1
            if not isinstance(obj, dict):
                rows.append(
                    RawRow(number, {"__errors__": [("*", line[:200], "a line must hold one JSON object")]})
                )
                continue
            rows.append(RawRow(number, obj))
        if rows and parsed == 0:
            raise BadFileError(
                path, "not FHIR NDJSON: no line is a JSON object (truncated, or another format?)"
            )
        yield from rows

    def validate(self, rows: list[RawRow], file: str) -> tuple[list[RawRow], list[Rejection]]:
        valid: list[RawRow] = []
        bad: list[Rejection] = []
        seen: set[str] = set()
        for row in rows:
            rtype = row.data.get("resourceType")
            raw = json.dumps(row.data, default=str)[:2000]
            if rtype != self.resource_type:
                bad.append(Rejection(file, row.number, "resourceType", str(rtype),
                                     f"expected {self.resource_type}, got {rtype!r}", raw))  # fmt: skip
                continue
            data = flag_doubtful(row.data)
            checked = {k: v for k, v in data.items() if not k.startswith("doubtful_")}
            author = checked.get("author")
            if isinstance(author, dict) and "reference" not in author and author.get("display"):
                # FHIR allows a display-only Reference (and the contract documents Flag.author.display), but
                # the contract's Reference model requires .reference: accept the author by its name
                checked.pop("author")
            try:
                self._model.model_validate(checked)
            except ValidationError as exc:
                for err in exc.errors():
                    loc = ".".join(str(x) for x in err["loc"]) or "*"
                    bad.append(Rejection(file, row.number, loc, _short(err.get("input")), err["msg"], raw))
                continue
            if data["id"] in seen:
                bad.append(
                    Rejection(file, row.number, "id", str(data["id"]), f"duplicate id {data['id']!r}", raw)
                )
                continue
            seen.add(data["id"])
            valid.append(RawRow(row.number, data))
        valid, refused = check_references(Path(file), valid, FHIR_REFS[self.resource_type])
        remember_loadable(self, Path(file), valid)
        return valid, [*bad, *refused]

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        return TRANSFORMS[self.resource_type](row.data, ctx)


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text[:200]


# -- FHIR XML (the public UK Core examples: one resource per file) -----------------------------------------

# elements that repeat in FHIR (arrays in the JSON form); everything else is single
_REPEATING = {
    "identifier", "name", "given", "prefix", "suffix", "line", "address", "telecom", "contact", "relationship",
    "coding", "type", "participant", "reasonCode", "extension", "tag", "communication", "location",
    "diagnosis", "statusHistory", "classHistory", "episodeOfCare", "basedOn", "account", "reasonReference",
    "generalPractitioner", "photo", "link", "category",
}  # fmt: skip


def _xml_to_json(element: ET.Element) -> Any:
    """FHIR XML -> the FHIR JSON shape: ``<x value="v"/>`` -> ``"v"``; repeating elements -> lists."""
    children = list(element)
    if "value" in element.attrib and not [c for c in children if c.tag != FHIR_NS + "extension"]:
        return element.attrib["value"]
    out: dict[str, Any] = {}
    if "url" in element.attrib:
        out["url"] = element.attrib["url"]
    for child in children:
        if not child.tag.startswith(FHIR_NS):
            continue
        name = child.tag[len(FHIR_NS) :]
        if name == "text" and element.tag[len(FHIR_NS) :] in TRANSFORMS:
            continue  # the narrative (XHTML) is not data
        value = _xml_to_json(child)
        if name in _REPEATING:
            out.setdefault(name, []).append(value)
        else:
            out[name] = value
    return out


def read_fhir_xml(path: Path) -> tuple[str, dict[str, Any]]:
    """(resource type, resource as JSON shape) of a FHIR XML file; BadFileError when it is not one."""
    text = read_text(path)
    try:
        root = ET.fromstring(text.encode())
    except ET.ParseError as exc:
        raise BadFileError(path, f"not well-formed XML ({exc})") from None
    if not root.tag.startswith(FHIR_NS):
        raise BadFileError(path, f"not FHIR XML: the root element is {root.tag!r}, not in {FHIR_NS[1:-1]}")
    rtype = root.tag[len(FHIR_NS) :]
    resource = _xml_to_json(root)
    if not isinstance(resource, dict):
        raise BadFileError(path, "not a FHIR resource")
    resource["resourceType"] = rtype
    return rtype, resource


def _xml_root_tag(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            for _event, elem in ET.iterparse(fh, events=("start",)):
                return str(elem.tag)
    except (OSError, ET.ParseError):
        return None
    return None


_FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


def check_xml_resource(resource: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """What the public XML examples must have for the transforms (no contract covers them): (field, value, why)."""
    errors: list[tuple[str, Any, str]] = []
    rid = resource.get("id")
    if not isinstance(rid, str) or not _FHIR_ID.fullmatch(rid):
        errors.append(("id", rid, "a FHIR id (1-64 letters, digits, '-', '.') is required"))
    rtype = resource["resourceType"]
    if rtype == "Patient":
        given, family, _ = _names(resource.get("name"))
        if not (given or family):
            errors.append(("name", None, "a Patient needs a name"))
    elif rtype == "RelatedPerson":
        if _ref_id(resource.get("patient"), "Patient") is None:
            errors.append(("patient.reference", resource.get("patient"), "must reference a Patient"))
    elif rtype == "Encounter":
        if _ref_id(resource.get("subject"), "Patient") is None:
            errors.append(("subject.reference", resource.get("subject"), "must reference a Patient"))
    for fld in ("birthDate",):
        if resource.get(fld) is not None and _day(resource.get(fld)) is None:
            errors.append((fld, resource.get(fld), "not a date YYYY-MM-DD"))
    period = resource.get("period")
    if isinstance(period, dict):
        for end in ("start", "end"):
            if period.get(end) is not None and _day(period.get(end)) is None:
                errors.append((f"period.{end}", period.get(end), "not a date or dateTime"))
    if rtype == "Encounter" and not (isinstance(period, dict) and _day(period.get("start"))):
        errors.append(("period.start", None, "an Encounter needs period.start"))
    return errors


class FhirXmlAdapter:
    """A FHIR R4 (UK Core) resource as an XML file: Patient, RelatedPerson or Encounter. Row 1 = the resource."""

    agency = AGENCY
    source_system = "fhir-xml"

    def __init__(self, resource_type: str, kind: str, load_order: int) -> None:
        self.resource_type = resource_type
        self.kind = kind
        self.load_order = load_order

    def matches(self, path: Path, header: Sequence[str]) -> bool:
        return path.suffix.lower() == ".xml" and _xml_root_tag(path) == FHIR_NS + self.resource_type

    def read(self, path: Path) -> Iterator[RawRow]:
        rtype, resource = read_fhir_xml(path)
        if rtype != self.resource_type:
            raise BadFileError(path, f"not a FHIR {self.resource_type}: the file holds a {rtype}")
        errors = check_xml_resource(resource)
        data = flag_doubtful(resource)
        if errors:
            data["__errors__"] = errors
        yield RawRow(1, data)

    def validate(self, rows: list[RawRow], file: str) -> tuple[list[RawRow], list[Rejection]]:
        return rows, []

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        return TRANSFORMS[self.resource_type](row.data, ctx)


# -- the CSVs -----------------------------------------------------------------------------------------------


def _prov(adapter: ContractCsvAdapter, row: RawRow, ctx: Context, source_id: str | None = None) -> Provenance:
    d = row.data
    return ctx.provenance(
        adapter.agency, adapter.spec.table, source_id or adapter.source_id(row), adapter.date(d.get("recorded_date")),
        d.get("recorded_by_role"), d.get("basis") or "fact",
    )  # fmt: skip


def doubtful_of(d: dict[str, Any], columns: Sequence[str]) -> dict[str, Any]:
    """The ``doubtful_<column>`` values of these columns, and their reasons, for one person of a row."""
    out = {f"doubtful_{c}": d[f"doubtful_{c}"] for c in columns if d.get(f"doubtful_{c}") is not None}
    reasons = [r for r in d.get("doubtful_reasons") or [] if r.split(":", 1)[0] in columns]
    if reasons:
        out["doubtful_reasons"] = reasons
    return out


class GpRegistrations(CheckedReferences, ContractCsvAdapter):
    spec: ClassVar[FileSpec] = contract.GP_REGISTRATIONS
    source_system = "gp-practice"
    load_order = 10

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        prov = _prov(self, row, ctx)
        record = SourceRecordRow(
            prov, d, given_name=d["forenames"], family_name=d["surname"], date_of_birth=self.date(d["dob"]),
            sex=d.get("sex"), nhs_number=d.get("nhs_number"), postcode=d.get("postcode"), address_line=d.get("address"),
            extra={"practice_code": d["practice_code"], "registered_from": self.date(d["registered_from"]),
                   "registered_to": self.date(d.get("registered_to")),
                   **doubtful_of(d, ("nhs_number", "postcode"))},
        )  # fmt: skip
        out = GraphRows(source_records=[record])
        place = normalise_address(d.get("address"), d.get("postcode"))
        if place:
            out.residences.append(ResidenceRow(record.key, place, prov))
        return out


class Maternity(CheckedReferences, ContractCsvAdapter):
    """A booking: the mother's record, the unborn baby (``#baby``) and the named father/partner (``#partner``),
    all involved in the booking fact; RELATED_TO mother -> baby (parent), partner -> mother (partner) and, when
    he is the father, partner -> baby (parent)."""

    spec: ClassVar[FileSpec] = contract.MATERNITY
    source_system = "maternity"
    load_order = 10

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        bid = self.source_id(row)
        prov = _prov(self, row, ctx)
        out = GraphRows()
        mother = SourceRecordRow(
            prov, d, given_name=d["mother_forenames"], family_name=d["mother_surname"],
            date_of_birth=self.date(d["mother_dob"]), sex="F", nhs_number=d.get("mother_nhs_number"),
            postcode=d.get("postcode"), address_line=d.get("address"),
            extra={"maternity_role": "mother", **doubtful_of(d, ("mother_nhs_number", "postcode"))},
        )  # fmt: skip
        out.source_records.append(mother)
        place = normalise_address(d.get("address"), d.get("postcode"))
        if place:
            out.residences.append(ResidenceRow(mother.key, place, prov, self.date(d["booking_date"])))
        born = d["outcome"] == "live_birth"
        baby_prov = _prov(self, row, ctx, f"{bid}#baby")
        baby = SourceRecordRow(
            baby_prov, {"booking_id": bid, "expected_delivery_date": d["expected_delivery_date"],
                        "baby_nhs_number": d.get("baby_nhs_number"), "outcome": d["outcome"]},
            expected_date_of_birth=self.date(d["expected_delivery_date"]),
            date_of_birth=self.date(d.get("outcome_date")) if born else None, nhs_number=d.get("baby_nhs_number"),
            postcode=d.get("postcode"),
            extra={"maternity_role": "baby", "unborn": d["outcome"] == "ongoing", "pregnancy_outcome": d["outcome"],
                   **doubtful_of(d, ("baby_nhs_number",))},
        )  # fmt: skip
        out.source_records.append(baby)
        booking = FactRow(
            prov, "gp_maternity_event", d, occurred_on=self.date(d["booking_date"]),
            ended_on=self.date(d.get("outcome_date")),
            summary=f"maternity booking, expected delivery {d['expected_delivery_date']}, outcome {d['outcome']}",
            detail={"event": "maternity_booking", "expected_delivery_date": self.date(d["expected_delivery_date"]),
                    "pregnancy_outcome": d["outcome"], "partner_named": bool(d.get("partner_forenames")
                                                                             or d.get("partner_surname")),
                    "partner_is_father": d.get("partner_is_father")},
        )  # fmt: skip
        out.facts.append(booking)
        out.involvements += [
            InvolvementRow(mother.key, booking.key, "mother", prov),
            InvolvementRow(baby.key, booking.key, "subject", prov),
        ]
        out.person_links.append(
            PersonLinkRow(mother.key, baby.key, "parent", _prov(self, row, ctx, f"{bid}#mother>baby"))
        )
        if d.get("partner_forenames") or d.get("partner_surname") or d.get("partner_nhs_number"):
            partner_prov = _prov(self, row, ctx, f"{bid}#partner")
            partner = SourceRecordRow(
                partner_prov, {c: d.get(c) for c in contract.MATERNITY.mentions["partner"]} | {"booking_id": bid},
                given_name=d.get("partner_forenames"), family_name=d.get("partner_surname"),
                date_of_birth=self.date(d.get("partner_dob")), nhs_number=d.get("partner_nhs_number"),
                extra={"maternity_role": "partner", "named_as_father": d.get("partner_is_father") == "Y",
                       **doubtful_of(d, ("partner_nhs_number",))},
            )  # fmt: skip
            out.source_records.append(partner)
            father = d.get("partner_is_father") == "Y"
            out.involvements.append(
                InvolvementRow(partner.key, booking.key, "father" if father else "partner", prov)
            )
            out.person_links.append(
                PersonLinkRow(
                    partner.key, mother.key, "partner", _prov(self, row, ctx, f"{bid}#partner>mother")
                )
            )
            if father:
                out.person_links.append(
                    PersonLinkRow(
                        partner.key, baby.key, "parent", _prov(self, row, ctx, f"{bid}#partner>baby")
                    )
                )
        return out


FHIR_NDJSON_ADAPTERS = (
    FhirNdjsonAdapter("Patient", "health.fhir_patient", 10),
    FhirNdjsonAdapter("RelatedPerson", "health.fhir_related_person", 20),
    FhirNdjsonAdapter("Encounter", "health.fhir_encounter", 30),
    FhirNdjsonAdapter("Flag", "health.fhir_flag", 30),
)
FHIR_XML_ADAPTERS = (
    FhirXmlAdapter("Patient", "health.fhir_xml_patient", 10),
    FhirXmlAdapter("RelatedPerson", "health.fhir_xml_related_person", 20),
    FhirXmlAdapter("Encounter", "health.fhir_xml_encounter", 30),
)

for _adapter in (*FHIR_NDJSON_ADAPTERS, *FHIR_XML_ADAPTERS, GpRegistrations(), Maternity()):
    register(_adapter)
