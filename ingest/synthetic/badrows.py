"""--bad-rows: plant a known set of unloadable rows and broken values in each agency's files.

Runs after the files are written: it picks data lines, breaks exactly one thing on each (an impossible or
wrongly formatted date, a failed NHS/UPN/PNC check character, a missing required value, an unknown code, a
truncated line, a broken JSON line) and lists them in truth/bad_rows.csv as (file, row, field, reason), with
`row` the file's physical line (CSV header = line 1) or, for the CIN census XML, the <Child> position. The
source record id of a broken row is never touched, so the row can still be named and quarantined.
"""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path

from ingest.contract import FILES
from ingest.contract import identifiers as ids
from ingest.contract.spec import Col, FileSpec
from ingest.synthetic.output import Ctx

Planted = tuple[str, int, str, str]

DEFECTS = ("bad_date", "missing_required", "unknown_code", "bad_identifier", "truncated")
IDENTIFIER_KINDS = ("nhs", "upn", "upn_or_unknown", "pnc", "postcode", "postcode_nospace", "urn", "crn", "uprn",
                    "la_child_id", "json")  # fmt: skip


def _wrong_check(value: str, kind: str) -> str | None:
    """The same identifier with a wrong check character (still the right shape)."""
    if kind == "nhs" and ids.is_valid_nhs_number(value):
        return value[:9] + str((int(value[9]) + 1) % 10)
    if kind in ("upn", "upn_or_unknown") and ids.is_valid_upn(value):
        letters = ids.UPN_ALPHABET
        return letters[(letters.index(value[0]) + 1) % len(letters)] + value[1:]
    if kind == "pnc" and ids.is_valid_pnc_id(value):
        letters = ids.PNC_ALPHABET
        return value[:-1] + letters[(letters.index(value[-1]) + 1) % len(letters)]
    return None


def _broken_identifier(value: str, col: Col) -> tuple[str, str] | None:
    wrong = _wrong_check(value, col.kind)
    if wrong is not None:
        return wrong, f"{col.kind} check character wrong"
    broken = {
        "postcode": value.replace(" ", ""),
        "postcode_nospace": value[:-3] + " " + value[-3:],
        "urn": value[:-1],
        "crn": value[:-1],
        "uprn": value + "X",
        "la_child_id": value + "-X",
        "json": value[: len(value) // 2],
    }.get(col.kind)
    if broken is None or broken == value:
        return None
    return broken, f"{col.kind} malformed"


def _bad_date(value: str, fmt: str) -> str:
    year = value[-4:] if fmt.startswith("%d") else value[:4]
    return f"30/02/{year}" if fmt.startswith("%d") else f"{year}-02-30"


def _one_line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow(values)
    return buf.getvalue()


def _plant_csv(
    spec: FileSpec, path: Path, rel: str, rnd: random.Random, k: int, offset: int
) -> list[Planted]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    n_data = len(lines) - 1
    if n_data < 2:
        return []
    out: list[Planted] = []
    chosen = sorted(rnd.sample(range(2, n_data + 2), min(k, max(1, n_data // 3))))
    cols = spec.columns
    id_cols = set(spec.source_id)
    for i, line_no in enumerate(chosen):
        values = next(csv.reader([lines[line_no - 1]]))
        planted = None
        order = DEFECTS[(i + offset) % len(DEFECTS) :] + DEFECTS[: (i + offset) % len(DEFECTS)]
        for defect in order:
            if defect == "truncated":
                cut = max(len(spec.source_id) + 1, len(values) // 3)
                if cut >= len(values):
                    continue
                lines[line_no - 1] = _one_line(values[:cut])
                planted = ("*", f"truncated line: {cut} of {len(values)} fields")
                break
            candidates = []
            for j, col in enumerate(cols):
                v = values[j]
                if col.name in id_cols or not v:
                    continue
                if defect == "bad_date" and col.kind == "date":
                    candidates.append((j, col))
                elif defect == "missing_required" and col.required:
                    candidates.append((j, col))
                elif defect == "unknown_code" and col.kind in ("code", "flag"):
                    candidates.append((j, col))
                elif defect == "bad_identifier" and col.kind in IDENTIFIER_KINDS:
                    candidates.append((j, col))
            rnd.shuffle(candidates)
            for j, col in candidates:
                v = values[j]
                if defect == "bad_date":
                    values[j] = _bad_date(v, spec.date_format)
                    planted = (col.name, f"impossible date {values[j]}")
                elif defect == "missing_required":
                    values[j] = ""
                    planted = (col.name, "required value missing")
                elif defect == "unknown_code":
                    values[j] = "ZZ9"
                    planted = (col.name, f"unknown code ZZ9 (was {v})")
                else:
                    broken = _broken_identifier(v, col)
                    if broken is None:
                        continue
                    values[j], why = broken
                    planted = (col.name, why)
                break
            if planted is not None:
                lines[line_no - 1] = _one_line(values)
                break
        if planted is not None:
            out.append((rel, line_no, planted[0], planted[1]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _plant_ndjson(path: Path, rel: str, rnd: random.Random, k: int, offset: int) -> list[Planted]:
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if len(lines) < 2:
        return []
    out: list[Planted] = []
    for i, line_no in enumerate(
        sorted(rnd.sample(range(1, len(lines) + 1), min(k, max(1, len(lines) // 3))))
    ):
        obj = json.loads(lines[line_no - 1])
        kind = ("bad_date", "missing_required", "unknown_code", "bad_identifier", "truncated")[
            (i + offset) % 5
        ]
        field, reason = "*", ""
        if kind == "bad_identifier" and any(x.get("system", "").endswith("nhs-number") for x in obj.get(
                "identifier", [])):  # fmt: skip
            ident = next(x for x in obj["identifier"] if x.get("system", "").endswith("nhs-number"))
            ident["value"] = _wrong_check(ident["value"], "nhs") or "123"
            field, reason = "identifier", "NHS number check digit wrong"
        elif kind == "bad_date" and "birthDate" in obj:
            obj["birthDate"] = obj["birthDate"][:4] + "-02-30"
            field, reason = "birthDate", "impossible date"
        elif kind == "bad_date" and "period" in obj:
            obj["period"]["start"] = obj["period"]["start"][:4] + "-13-01"
            field, reason = "period.start", "impossible date"
        elif kind == "unknown_code" and "status" in obj:
            obj["status"] = "lost"
            field, reason = "status", "unknown status code"
        elif kind == "unknown_code" and "gender" in obj:
            obj["gender"] = "M"
            field, reason = "gender", "unknown gender code"
        elif kind in ("missing_required", "unknown_code", "bad_date", "bad_identifier"):
            del obj["meta"]
            field, reason = "meta", "required provenance (meta) missing"
        if kind == "truncated":
            text = lines[line_no - 1]
            lines[line_no - 1] = text[: len(text) // 2]
            reason = "truncated line (not valid JSON)"
        else:
            lines[line_no - 1] = json.dumps(obj, separators=(",", ":"), ensure_ascii=False)
        out.append((rel, line_no, field, reason))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _plant_cin_xml(path: Path, rel: str, rnd: random.Random, k: int) -> list[Planted]:
    """Wrong UPN check letters on some <Child> elements: still valid against the XSD, refused by the
    contract (one <Child> per line, as the writer lays it out)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    children = [i for i, line in enumerate(lines) if line.startswith("<Child>")]
    with_upn = [(pos, i) for pos, i in enumerate(children, start=1) if "<UPN>" in lines[i]]
    out: list[Planted] = []
    for pos, i in sorted(rnd.sample(with_upn, min(k, len(with_upn)))):
        line = lines[i]
        a = line.index("<UPN>") + 5
        upn = line[a : a + 13]
        wrong = _wrong_check(upn, "upn")
        if wrong is None:
            continue
        lines[i] = line[:a] + wrong + line[a + 13 :]
        out.append((rel, pos, "UPN", "UPN check letter wrong"))
    path.write_text("\n".join(lines), encoding="utf-8")
    return out


def plant_bad_rows(ctx: Ctx) -> None:
    rnd = random.Random(ctx.seed * 7_777 + 13)
    children = ctx.world.cfg.children
    k = max(2, min(25, children // 400))
    planted: list[Planted] = []
    for offset, (kind, spec) in enumerate(FILES.items()):
        for rel in spec.paths:
            path = ctx.root / rel
            if not path.exists():
                continue
            if spec.format == "csv":
                planted += _plant_csv(spec, path, rel, rnd, k, offset)
            elif spec.format == "ndjson":
                planted += _plant_ndjson(path, rel, rnd, k, offset)
            elif kind == "csc.cin_census":
                planted += _plant_cin_xml(path, rel, rnd, max(1, k // 2))
    ctx.truth.bad_rows = [(str(a), int(b), str(c), str(d)) for a, b, c, d in planted]
