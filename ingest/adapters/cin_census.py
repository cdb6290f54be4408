"""Children's social care: the DfE Children in Need census return (XML), validated against the DfE schema.

A census file is one ``<Message>`` with a ``<Header>`` and ``<Children>``. Each of these elements is one record,
read, validated and loaded (or quarantined) on its own, so that one wrong element does not lose a child's
whole history:

| element | becomes |
|---|---|
| ``Child`` | a person record ``csc|cin_census|<LAchildID>`` (identifiers and characteristics) |
| ``Child/CINdetails`` | a ``referral`` fact (``<LAchildID>:<CINreferralDate>``): source, primary need, closure, NFA |
| ``CINdetails/Assessments`` | an ``assessment`` fact PART_OF the referral, and one ``assessment_factor`` fact per factor identified (PART_OF the assessment, ``code`` and ``attaches_to``) |
| ``CINdetails/CINPlanDates`` | a ``cin_plan`` fact PART_OF the referral |
| ``CINdetails/Section47`` | an ``s47_enquiry`` fact PART_OF the referral |
| ``CINdetails/ChildProtectionPlans`` | a ``cp_plan`` fact PART_OF the referral (categories, reviews) |

The child is ``subject`` of every fact. A record is quarantined for any schema error inside it (not inside a
record nested in it), and with the record it belongs to: a rejected ``Child`` takes its referrals with it, a
rejected referral its assessments, plans and enquiries. The quarantine names each element by its path
(``Child[2]/CINdetails[1]/Assessments[1]/FactorsIdentifiedAtAssessment``); the row number is the line where the
record's element starts (when two records start on the same line, as in a file written on one line, records
are numbered 1, 2, ... in document order instead).

Layouts: a file whose children carry ``<Sex>`` is validated against ``CIN_schema_2026.xsd`` (the contract); a
file whose children carry ``<GenderCurrent>`` (the layout before 2026) against ``CIN_schema_2024.xsd`` from the
same folder, with yes/no elements also accepted as ``true``/``false`` as the 2022-era files spell them.
Beyond the schema: the LAchildID must be an LA child id and unique in the file; a UPN or former UPN failing
its check letter is flagged (``doubtful_UPN``), not a reason to lose the child.

Provenance: the census has no recorder or fact/opinion per element. ``recorded_on`` is the file's own date
(``Header/Source/DateTime``, else ``Header/CollectionDetails/ReferenceDate``, else the file's modification
time), ``recorded_by_role`` None, ``basis`` ``fact``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from graph.model import (
    FactPartRow,
    FactRow,
    GraphRows,
    InvolvementRow,
    Provenance,
    SourceRecordRow,
    record_key,
)
from ingest.adapters.csc import AGENCY, clean, doubtful, factor_detail, file_date, yes_no
from ingest.contract import codes
from ingest.contract import csc as contract
from ingest.contract import identifiers as ids
from ingest.framework import BadFileError, Context, RawRow, Rejection
from ingest.registry import register

SOURCE_SYSTEM = "cin_census"
TABLE = contract.CIN_CENSUS.table  # "cin_census": the child's record
SUB_RECORDS = {  # element inside CINdetails -> record kind
    "Assessments": "assessment",
    "CINPlanDates": "cin_plan",
    "Section47": "s47_enquiry",
    "ChildProtectionPlans": "cp_plan",
}
START_OF = {
    "referral": "CINreferralDate",
    "assessment": "AssessmentActualStartDate",
    "cin_plan": "CINPlanStartDate",
    "s47_enquiry": "S47ActualStartDate",
    "cp_plan": "CPPstartDate",
}
YES_NO_ELEMENTS = frozenset({"ReferralNFA", "ICPCnotRequired"})
GENDER_CURRENT = {
    "1": "M",
    "2": "F",
    "0": "U",
    "9": "U",
}  # before 2026: 0 not recorded or unborn, 9 indeterminate
SNIFF_BYTES = 65536


class _Forbidden(Exception):
    pass


def parse_xml(path: Path) -> tuple[ET.Element, dict[int, int]]:
    """The file as an element tree, with the line where each element starts (by ``id`` of the element).
    A DTD or entity declaration is refused (no entity expansion); not well-formed XML is a bad file."""
    data = path.read_bytes()
    if not data.strip():
        raise BadFileError(path, "the file is empty")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    lines: dict[int, int] = {}

    def start(tag: str, attrs: dict[str, str]) -> None:
        lines[id(builder.start(tag, attrs))] = parser.CurrentLineNumber

    def refuse(*_args: Any) -> None:
        raise _Forbidden

    parser.StartElementHandler = start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    try:
        parser.Parse(data, True)
        root = builder.close()
    except _Forbidden:
        raise BadFileError(
            path, "the XML declares a DTD or entities, which a CIN census file never does"
        ) from None
    except expat.ExpatError as exc:
        raise BadFileError(
            path,
            f"not well-formed XML ({expat.ErrorString(exc.code)}, line {exc.lineno}): truncated or not XML?",
        ) from None
    except (AssertionError, IndexError):  # the tree builder's own complaint about an unbalanced document
        raise BadFileError(path, "not well-formed XML: truncated?") from None
    return root, lines


@cache
def _schema(path: str) -> Any:
    import xmlschema

    return xmlschema.XMLSchema(path)


def schema_for(path: Path, root: ET.Element) -> tuple[str, Path]:
    """(layout, XSD) for a census file: ``2026`` (``<Sex>``, the contract) or ``pre-2026`` (``<GenderCurrent>``)."""
    xsd_2026 = contract.cin_xsd_path()
    has_gender = root.find("Children/Child/ChildIdentifiers/GenderCurrent") is not None
    has_sex = root.find("Children/Child/ChildIdentifiers/Sex") is not None
    if has_gender and not has_sex:
        layout, xsd = "pre-2026", xsd_2026.parent / "CIN_schema_2024.xsd"
    else:
        layout, xsd = "2026", xsd_2026
    if not xsd.exists():
        raise BadFileError(
            path,
            f"the DfE CIN census schema for the {layout} layout is not at {xsd} (set {contract.CIN_XSD_ENV})",
        )
    return layout, xsd


@dataclass
class Record:
    kind: str  # child, referral, assessment, cin_plan, s47_enquiry, cp_plan
    elem: ET.Element
    path: str
    parent: Record | None
    source_id: str = ""
    errors: list[tuple[str, Any, str]] = field(default_factory=list)

    @property
    def table(self) -> str:
        return TABLE if self.kind == "child" else f"{TABLE}_{self.kind}"

    @property
    def key(self) -> str:
        return record_key(AGENCY, self.table, self.source_id)

    def child(self) -> Record:
        rec = self
        while rec.parent is not None:
            rec = rec.parent
        return rec


def _text(elem: ET.Element | None, tag: str) -> str | None:
    if elem is None:
        return None
    found = elem.find(tag)
    if found is None or found.text is None or not found.text.strip():
        return None
    return found.text.strip()


def _simple(elem: ET.Element) -> dict[str, Any]:
    """An element's leaf children as {tag: text}; repeated leaves as a list."""
    out: dict[str, Any] = {}
    for ch in elem:
        if len(ch):
            continue
        value = (ch.text or "").strip() or None
        if ch.tag in out:
            prev = out[ch.tag]
            out[ch.tag] = [*prev, value] if isinstance(prev, list) else [prev, value]
        else:
            out[ch.tag] = value
    return out


def _unique(base: str, seen: set[str]) -> str:
    sid, n = base, 1
    while sid in seen:
        n += 1
        sid = f"{base}#{n}"
    seen.add(sid)
    return sid


def collect_records(root: ET.Element) -> list[Record]:
    """Every record of the file in document order, with its source record id."""
    records: list[Record] = []
    children_seen: set[str] = set()
    for ci, child_el in enumerate(root.iterfind("Children/Child"), start=1):
        child = Record("child", child_el, f"Child[{ci}]", None)
        la_id = _text(child_el.find("ChildIdentifiers"), "LAchildID")
        child.source_id = la_id or f"child-{ci}"
        if not ids.is_valid_la_child_id(la_id):
            child.errors.append(
                (
                    f"{child.path}/ChildIdentifiers/LAchildID",
                    la_id,
                    "not an LA child id (1-20 letters or digits)",
                )
            )
        elif la_id in children_seen:
            child.errors.append(
                (
                    f"{child.path}/ChildIdentifiers/LAchildID",
                    la_id,
                    "a second <Child> with this LAchildID in the file",
                )
            )
        if la_id:
            children_seen.add(la_id)
        records.append(child)
        ref_seen: set[str] = set()
        for ri, det in enumerate(child_el.findall("CINdetails"), start=1):
            ref = Record("referral", det, f"{child.path}/CINdetails[{ri}]", child)
            ref.source_id = _unique(
                f"{child.source_id}:{_text(det, 'CINreferralDate') or f'referral-{ri}'}", ref_seen
            )
            records.append(ref)
            sub_seen: set[str] = set()
            for tag, kind in SUB_RECORDS.items():
                for si, el in enumerate(det.findall(tag), start=1):
                    sub = Record(kind, el, f"{ref.path}/{tag}[{si}]", ref)
                    start = _text(el, START_OF[kind]) or f"n{si}"
                    sub.source_id = _unique(f"{ref.source_id}:{kind}:{start}", sub_seen)
                    records.append(sub)
    return records


def _element_path(elem: ET.Element, top: ET.Element, parents: dict[int, ET.Element]) -> str:
    names: list[str] = []
    node: ET.Element | None = elem
    while node is not None and node is not top:
        names.append(str(node.tag))
        node = parents.get(id(node))
    return "/".join(reversed(names))


def validate_records(path: Path, root: ET.Element, records: list[Record], layout: str, xsd: Path) -> None:
    """Attach the schema's errors to the records they fall in; a whole-file error is a bad file."""
    parents = {id(ch): el for el in root.iter() for ch in el}
    by_elem = {id(r.elem): r for r in records}
    whole_file: list[str] = []
    for err in _schema(str(xsd)).iter_errors(ET.ElementTree(root)):
        elem = err.elem if isinstance(err.elem, ET.Element) else None
        text = (elem.text or "").strip() if elem is not None and not len(elem) else None
        if (
            layout == "pre-2026"
            and elem is not None
            and elem.tag in YES_NO_ELEMENTS
            and text in ("true", "false")
        ):
            continue  # the 2022-era spelling of 1/0
        node = elem
        while node is not None and id(node) not in by_elem:
            node = parents.get(id(node))
        reason = f"XSD ({xsd.name}): {err.reason}"
        if node is None:
            where = err.path or (elem.tag if elem is not None else "file")
            whole_file.append(f"{where}: {err.reason}")
            continue
        rec = by_elem[id(node)]
        inner = _element_path(elem, rec.elem, parents) if elem is not None else ""
        rec.errors.append((f"{rec.path}/{inner}".rstrip("/"), text, reason))
    if whole_file:
        more = f" (and {len(whole_file) - 3} more)" if len(whole_file) > 3 else ""
        raise BadFileError(path, f"not a valid CIN census file: {'; '.join(whole_file[:3])}{more}")


def _header_date(root: ET.Element) -> date | None:
    for where in ("Header/Source/DateTime", "Header/CollectionDetails/ReferenceDate"):
        value = root.findtext(where)
        if value:
            try:
                return date.fromisoformat(value.strip()[:10])
            except ValueError:
                continue
    return None


def _day(value: Any) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return [v for v in (value if isinstance(value, list) else [value]) if v is not None]


class CinCensus:
    """The CIN census XML (``csc.cin_census``)."""

    kind = contract.CIN_CENSUS.kind
    agency = AGENCY
    source_system = SOURCE_SYSTEM
    load_order = 15

    def matches(self, path: Path, header: Sequence[str]) -> bool:
        if path.suffix.lower() != ".xml":
            return False
        if path.as_posix().endswith(contract.CIN_CENSUS.paths[0]):
            return True
        try:
            with path.open("rb") as fh:
                head = fh.read(SNIFF_BYTES).decode("utf-8", errors="replace")
        except OSError:
            return False
        return "<Message" in head and any(
            tag in head for tag in ("<CollectionDetails", "<CINdetails", "<ChildIdentifiers")
        )

    def read(self, path: Path) -> Iterator[RawRow]:
        root, lines = parse_xml(path)
        if root.tag != "Message" or root.find("Children") is None:
            raise BadFileError(
                path, f"not a CIN census file: the root is <{root.tag}>, not <Message> with <Children>"
            )
        layout, xsd = schema_for(path, root)
        records = collect_records(root)
        validate_records(path, root, records, layout, xsd)
        recorded = _header_date(root) or file_date(path)
        starts = [lines.get(id(r.elem), 0) for r in records]
        by_line = len(set(starts)) == len(starts)
        rejected: set[int] = set()
        for pos, rec in enumerate(records):
            data = self._data(rec)
            if rec.kind == "child":
                self._flag_upns(rec, data)
            if rec.parent is not None and id(rec.parent) in rejected:
                rec.errors.append((rec.path, None, f"part of {rec.parent.path}, which was rejected"))
            if rec.errors:
                rejected.add(id(rec))
                data["__errors__"] = rec.errors
            data.update(
                {"__kind__": rec.kind, "__path__": rec.path, "__id__": rec.source_id, "__table__": rec.table,
                 "__child__": rec.child().key, "__parent__": rec.parent.key if rec.parent else None,
                 "__recorded__": recorded, "__layout__": layout}
            )  # fmt: skip
            yield RawRow(starts[pos] if by_line else pos + 1, data)

    @staticmethod
    def _data(rec: Record) -> dict[str, Any]:
        el = rec.elem
        if rec.kind == "child":
            idents = el.find("ChildIdentifiers")
            data = _simple(idents) if idents is not None else {}
            chars = el.find("ChildCharacteristics")
            data["Ethnicity"] = _text(chars, "Ethnicity")
            data["Disabilities"] = [
                d.text.strip() for d in el.iterfind("ChildCharacteristics/Disabilities/Disability") if d.text
            ]
            return data
        data = _simple(el)
        if rec.kind == "assessment":
            data["AssessmentFactors"] = [
                f.text.strip()
                for f in el.iterfind("FactorsIdentifiedAtAssessment/AssessmentFactors")
                if f.text
            ]
        elif rec.kind == "cp_plan":
            data["CPPreviewDate"] = [r.text.strip() for r in el.iterfind("Reviews/CPPreviewDate") if r.text]
        return data

    @staticmethod
    def _flag_upns(rec: Record, data: dict[str, Any]) -> None:
        reasons = []
        for tag in ("UPN", "FormerUPN"):
            value = data.get(tag)
            if isinstance(value, str) and not ids.is_valid_upn(value):
                data[f"doubtful_{tag}"] = value
                data[tag] = None
                reasons.append(f"{tag}: UPN check letter wrong")
        if reasons:
            data["doubtful_reasons"] = reasons

    def validate(self, rows: list[RawRow], file: str) -> tuple[list[RawRow], list[Rejection]]:
        return rows, []

    def transform(self, row: RawRow, ctx: Context) -> GraphRows:
        d = row.data
        kind = d["__kind__"]
        prov = ctx.provenance(AGENCY, d["__table__"], d["__id__"], d["__recorded__"], None, "fact")
        if kind == "child":
            return self._child(d, prov)
        raw = clean(d)
        out = GraphRows()

        def add(fact: FactRow, parent: str | None) -> None:
            out.facts.append(fact)
            out.involvements.append(InvolvementRow(d["__child__"], fact.key, "subject", fact.provenance))
            if parent:
                out.fact_parts.append(FactPartRow(fact.key, parent))

        if kind == "referral":
            source = d.get("ReferralSource")
            meaning = codes.REFERRAL_SOURCE.get(source or "", source)
            add(FactRow(prov, "referral", raw, _day(d.get("CINreferralDate")), _day(d.get("CINclosureDate")),
                        f"referral from {meaning}",
                        {"referral_source": source, "referral_source_meaning": meaning,
                         "primary_need": d.get("PrimaryNeedCode"), "close_reason": d.get("ReasonForClosure"),
                         "date_of_initial_cpc": _day(d.get("DateOfInitialCPC")), "nfa": yes_no(d.get("ReferralNFA"))}),
                None)  # fmt: skip
        elif kind == "assessment":
            factors = _list(d.get("AssessmentFactors"))
            assessment = FactRow(
                prov, "assessment", raw, _day(d.get("AssessmentActualStartDate")),
                _day(d.get("AssessmentAuthorisationDate")), "child and family assessment",
                {"internal_review_on": _day(d.get("AssessmentInternalReviewDate")), "factors": factors or None},
            )  # fmt: skip
            add(assessment, d["__parent__"])
            for code in dict.fromkeys(factors):
                fprov = ctx.provenance(
                    AGENCY, f"{TABLE}_factor", f"{d['__id__']}:{code}", d["__recorded__"], None, "fact"
                )
                add(FactRow(fprov, "assessment_factor", raw, None, None,
                            f"factor {code}: {codes.ASSESSMENT_FACTOR.get(code, code)}",
                            {**factor_detail(code), "assessment_key": assessment.key}),
                    assessment.key)  # fmt: skip
        elif kind == "cin_plan":
            add(FactRow(prov, "cin_plan", raw, _day(d.get("CINPlanStartDate")), _day(d.get("CINPlanEndDate")),
                        "child in need plan"), d["__parent__"])  # fmt: skip
        elif kind == "s47_enquiry":
            add(FactRow(prov, "s47_enquiry", raw, _day(d.get("S47ActualStartDate")), None, "section 47 enquiry",
                        {"initial_cpc_target": _day(d.get("InitialCPCtarget")),
                         "date_of_initial_cpc": _day(d.get("DateOfInitialCPC")),
                         "icpc_not_required": yes_no(d.get("ICPCnotRequired"))}),
                d["__parent__"])  # fmt: skip
        elif kind == "cp_plan":
            initial, latest = d.get("InitialCategoryOfAbuse"), d.get("LatestCategoryOfAbuse")
            category = latest or initial or ""
            previous = d.get("NumberOfPreviousCPP")
            add(FactRow(prov, "cp_plan", raw, _day(d.get("CPPstartDate")), _day(d.get("CPPendDate")),
                        f"child protection plan: {codes.CATEGORY_OF_ABUSE.get(category, category)}",
                        {"initial_category": initial, "latest_category": latest,
                         "previous_cp_plans": int(previous) if previous else None,
                         "review_dates": [_day(r) for r in _list(d.get("CPPreviewDate"))] or None}),
                d["__parent__"])  # fmt: skip
        else:  # pragma: no cover - collect_records makes no other kind
            raise ValueError(f"unknown CIN census record {kind!r}")
        return out

    @staticmethod
    def _child(d: dict[str, Any], prov: Provenance) -> GraphRows:
        sex = d.get("Sex") if d.get("Sex") in codes.SEX else GENDER_CURRENT.get(d.get("GenderCurrent") or "")
        extra = {
            "former_upn": d.get("FormerUPN"), "upn_unknown": d.get("UPNunknown"), "ethnicity": d.get("Ethnicity"),
            "disabilities": _list(d.get("Disabilities")) or None, "date_of_death": _day(d.get("PersonDeathDate")),
            "census_layout": d["__layout__"], **doubtful(d),
        }  # fmt: skip
        record = SourceRecordRow(
            prov, clean(d), date_of_birth=_day(d.get("PersonBirthDate")),
            expected_date_of_birth=_day(d.get("ExpectedPersonBirthDate")), sex=sex, upn=d.get("UPN"),
            la_child_id=d["__id__"], extra=extra,
        )  # fmt: skip
        return GraphRows(source_records=[record])


register(CinCensus())
