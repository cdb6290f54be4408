"""Health: FHIR R4 UK Core NDJSON (Patient, RelatedPerson, Encounter, Flag), GP registrations, maternity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any

from ingest.contract.health import (
    ACT_CODE_SYSTEM,
    BASIS_SYSTEM,
    CPIS_SYSTEM,
    ENCOUNTER_KIND_SYSTEM,
    NHS_NUMBER_SYSTEM,
    RECORDED_BY_ROLE_SYSTEM,
    ROLE_CODE_SYSTEM,
)
from ingest.synthetic.output import Counter, Ctx, Table, flag
from ingest.synthetic.world import CHILD, END, GRANDPARENT

GENDER = {"M": "male", "F": "female", "U": "unknown"}
FLAG_DISPLAY = {"cp-plan": "Child protection plan", "looked-after": "Looked after child",
                "unborn-cp-plan": "Unborn child protection plan"}  # fmt: skip
_DUMP = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


class Ndjson:
    def __init__(self, root: Path, rel: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self.rel = rel
        self.fh: IO[str] = path.open("w", encoding="utf-8", newline="\n")
        self.n = 0

    def add(self, obj: dict[str, Any]) -> int:
        self.fh.write(_DUMP(obj))
        self.fh.write("\n")
        self.n += 1
        return self.n

    def add_parts(self, rtype: str, rid: str, meta: str, rest: dict[str, Any]) -> int:
        """Same JSON as add(), faster: the head and the (pre-serialised) meta are written as text."""
        body = _DUMP(rest)
        self.fh.write(f'{{"resourceType":"{rtype}","id":"{rid}","meta":{meta}')
        self.fh.write("}\n" if body == "{}" else "," + body[1:] + "\n")
        self.n += 1
        return self.n

    def close(self) -> None:
        self.fh.close()


_META_TEXT: dict[tuple[str, str], str] = {}


def _meta_text(iso_day: str, role: str, basis: str = "fact") -> str:
    """meta as JSON text (the same as _DUMP(_meta(...)))."""
    key = (role, basis)
    if key not in _META_TEXT:
        _META_TEXT[key] = _DUMP(_meta("@DAY@", role, basis)).replace('"@DAY@"', "{}")
    return _META_TEXT[key].replace("{}", f'"{iso_day}"', 1)


def _meta(iso_day: str, role: str, basis: str = "fact") -> dict[str, Any]:
    return {
        "lastUpdated": iso_day,
        "tag": [{"system": BASIS_SYSTEM, "code": basis}, {"system": RECORDED_BY_ROLE_SYSTEM, "code": role}],
    }


def render_health(ctx: Ctx) -> None:
    w, ev, truth = ctx.world, ctx.events, ctx.truth
    rnd = ctx.rnd("health")
    noise = ctx.noise("health", rnd)
    ref = w.ref
    iso = ctx.dates.iso_of

    needed: set[int] = set()
    for e in ev.encounters:
        needed.add(e.pid)
    for f in ev.health_flags:
        needed.add(f.pid)
    for m in ev.maternity:
        needed.add(m.mother)
        if m.baby is not None:
            needed.add(m.baby)
    needed.update(ev.extra_people.get("health", {}))

    def address_of(a: int, f: int | None = None, t: int | None = None, use: str = "home") -> dict[str, Any]:
        flat, number, street, town = w.address_parts(a)
        lines = ([f"Flat {flat}"] if flat else []) + [f"{number} {street}"]
        out: dict[str, Any] = {"use": use, "line": lines, "city": town, "postalCode": w.postcode(a)}
        if t is not None and t < END and t <= ref:
            out["period"] = {"start": iso(max(f or t - 365, ctx.dates.base)), "end": iso(t)}
            out["use"] = "old"
        return out

    patients = Ndjson(ctx.root, "health/fhir/Patient.ndjson")
    pat_id = Counter("pat", 7)
    patient_of: dict[int, str] = {}
    practices = [f"Z9{9000 + i:04d}"[:6] for i in range(40)]
    gp = Table(ctx.root, "health.gp_registrations")
    gpid = Counter("GP", 8)
    for pid in range(w.n):
        role = int(w.role[pid])
        born = int(w.dob[pid])
        if born > ref or ev.is_hidden("health", pid):
            continue
        if pid not in needed and rnd.random() < (0.01 if role == CHILD else 0.03):
            continue  # not registered with the NHS in the county
        res = w.residences(pid)
        n_rec = 2 if noise.duplicate() else 1
        for k in range(n_rec):
            boost = 1.0 if k == 0 else 4.0
            p_id = pat_id()
            registered = max(born, res[0][1], ref - 9000)
            fore = noise.forename(w.forename[pid], boost)
            names: list[dict[str, Any]] = [
                {
                    "use": "official",
                    "family": noise.surname(w.surname[pid], w.birth_surname[pid], boost),
                    "given": [fore],
                }  # fmt: skip
            ]
            if k == 0 and w.surname[pid] != w.birth_surname[pid] and rnd.random() < 0.3:
                names.append({"use": "maiden", "family": w.birth_surname[pid], "given": [fore]})
            old = noise.old_address() and len(res) > 1
            cur = res[-2] if old else res[-1]
            addrs = [address_of(cur[0])]
            if len(res) > 1 and not old and rnd.random() < 0.3:
                prev_addr, prev_from, prev_to = res[-2]
                addrs.append(address_of(prev_addr, prev_from, prev_to))
            dob = noise.dob(born, boost)
            obj: dict[str, Any] = {}
            if k == 0 or rnd.random() < 0.3:
                obj["identifier"] = [{"system": NHS_NUMBER_SYSTEM, "value": w.nhs[pid]}]
            obj["name"] = names
            obj["gender"] = GENDER[str(w.sex[pid])]
            if dob is not None:
                obj["birthDate"] = iso(dob)
            obj["address"] = addrs
            meta = _meta_text(
                iso(min(max(registered, ctx.dates.base) + 30 * k, ref)), "GP practice administrator"
            )
            patients.add_parts("Patient", p_id, meta, obj)
            truth.person("health", f"health|fhir|Patient/{p_id}", pid)
            if k == 0:
                patient_of[pid] = p_id
                if w.town_of(cur[0]) >= 8 and rnd.random() < 0.9:  # the west of the county sends CSV
                    g_id = gpid()
                    a = cur[0]
                    gp.add(
                        (
                            g_id,
                            w.nhs[pid] if noise.keep_id() else None,
                            noise.forename(w.forename[pid]),
                            noise.surname(w.surname[pid], w.birth_surname[pid]),
                            iso(noise.dob(born) or born),
                            str(w.sex[pid]),
                            w.address_line(a),
                            w.postcode(a),
                            practices[(a * 7) % len(practices)],
                            iso(max(registered, ctx.dates.base)),
                            None,
                            iso(max(registered, ctx.dates.base)),
                            "Practice administrator",
                            "fact",
                        )  # fmt: skip
                    )
                    truth.person("health", gp.key(g_id), pid)
    patients.close()
    gp.close()

    # related people on a patient's record
    related = Ndjson(ctx.root, "health/fhir/RelatedPerson.ndjson")
    rp_id = Counter("rp", 8)
    rp_of: dict[tuple[int, int], str] = {}

    def add_related(patient: int, person: int, code: str, day: int) -> None:
        if patient not in patient_of or (patient, person) in rp_of or ev.is_hidden("health", person):
            return
        r_id = rp_id()
        meta = _meta_text(
            iso(min(max(day, ctx.dates.base), ref)), "health visitor" if code != "DOMPART" else "midwife"
        )
        obj: dict[str, Any] = {
            "patient": {"reference": f"Patient/{patient_of[patient]}"},
            "relationship": [{"coding": [{"system": ROLE_CODE_SYSTEM, "code": code}]}],
            "name": [
                {
                    "family": noise.surname(w.surname[person], w.birth_surname[person], 2.0),
                    "given": [noise.forename(w.forename[person], 2.0)],
                }
            ],  # fmt: skip
            "gender": GENDER[str(w.sex[person])],
        }
        if rnd.random() < 0.3:
            obj["identifier"] = [{"system": NHS_NUMBER_SYSTEM, "value": w.nhs[person]}]
        if rnd.random() < 0.5:
            dob = noise.dob(int(w.dob[person]), 2.0)
            if dob is not None:
                obj["birthDate"] = iso(dob)
        if rnd.random() < 0.4:
            obj["address"] = [address_of(w.current_address(person))]
        related.add_parts("RelatedPerson", r_id, meta, obj)
        rp_of[(patient, person)] = r_id
        truth.link("health", patient, person)
        truth.person("health", f"health|fhir|RelatedPerson/{r_id}", person)

    for h in range(w.n_hh):
        mum, dad, away = int(w.mother[h]), int(w.father[h]), int(w.absent_father[h])
        p, g = int(w.partner[h]), int(w.grandparent[h])
        for c in w.children[h]:
            born = int(w.dob[c])
            if mum >= 0 and rnd.random() < 0.95:
                add_related(c, mum, "MTH", born)
            if dad >= 0 and rnd.random() < 0.75:
                add_related(c, dad, "NFTH", born)
            if away >= 0 and rnd.random() < 0.25:
                add_related(c, away, "NFTH", born)
            if p >= 0 and int(w.partner_from[h]) < ref and rnd.random() < 0.12:
                add_related(c, p, "STPFTH", int(w.partner_from[h]) + 30)
            if g >= 0 and int(w.role[g]) == GRANDPARENT and rnd.random() < 0.05:
                add_related(c, g, "GRMTH", born)
    for mat in ev.maternity:
        if mat.partner is not None:
            add_related(mat.mother, mat.partner, "DOMPART", mat.booking_day)
    for patient, person, code in ev.related:
        add_related(patient, person, code, ref - 60)
    related.close()

    encounters = Ndjson(ctx.root, "health/fhir/Encounter.ndjson")
    enc_id = Counter("enc", 8)
    for e in sorted(ev.encounters, key=lambda e: e.day):
        if e.pid not in patient_of:
            continue
        e_id = enc_id()
        cancelled = e.kind in ("was-not-brought", "did-not-attend")
        obj = {
            "status": "cancelled" if cancelled else "finished",
            "class": {"system": ACT_CODE_SYSTEM, "code": "EMER" if e.kind == "ae-attendance" else "AMB"},
            "type": [{"coding": [{"system": ENCOUNTER_KIND_SYSTEM, "code": e.kind}]}],
            "subject": {"reference": f"Patient/{patient_of[e.pid]}"},
            "period": {"start": iso(e.day)},
            "reasonCode": [{"text": e.reason}],
        }
        if e.participant is not None and (e.pid, e.participant) in rp_of:
            obj["participant"] = [
                {"individual": {"reference": f"RelatedPerson/{rp_of[(e.pid, e.participant)]}"}}
            ]
        encounters.add_parts("Encounter", e_id, _meta_text(iso(e.day), e.recorder, e.basis), obj)
        e.key = f"health|fhir|Encounter/{e_id}"
    encounters.close()

    flags = Ndjson(ctx.root, "health/fhir/Flag.ndjson")
    fl_id = Counter("flag", 7)
    for fl in sorted(ev.health_flags, key=lambda f: f.start):
        if fl.pid not in patient_of or fl.start > ref:
            continue
        f_id = fl_id()
        end = fl.end if fl.end is not None and fl.end <= ref else None
        period: dict[str, str] = {"start": iso(fl.start)}
        if end is not None:
            period["end"] = iso(end)
        flags.add(
            {
                "resourceType": "Flag",
                "id": f_id,
                "meta": _meta(iso(fl.start), "CP-IS service"),
                "status": "inactive" if end is not None else "active",
                "code": {
                    "coding": [{"system": CPIS_SYSTEM, "code": fl.kind, "display": FLAG_DISPLAY[fl.kind]}]
                },
                "subject": {"reference": f"Patient/{patient_of[fl.pid]}"},
                "period": period,
                "author": {"display": "Jigsaw County Council children's services"},
            }
        )
        fl.key = f"health|fhir|Flag/{f_id}"
    flags.close()

    maternity = Table(ctx.root, "health.maternity")
    mb = Counter("MB", 7)
    for mat in sorted(ev.maternity, key=lambda m: m.booking_day):
        if mat.mother not in patient_of:
            continue
        m_id = mb()
        key = maternity.key(m_id)
        mat.key = key
        mo = mat.mother
        a = w.address_at(mo, mat.booking_day)
        pa = mat.partner
        maternity.add(
            (
                m_id,
                w.nhs[mo] if noise.keep_id(3.0) else None,
                noise.forename(w.forename[mo]),
                noise.surname(w.surname[mo], w.birth_surname[mo]),
                iso(int(w.dob[mo])),
                w.address_line(a),
                w.postcode(a),
                iso(mat.booking_day),
                iso(mat.edd),
                mat.outcome,
                iso(mat.outcome_day) if mat.outcome_day is not None else None,
                w.nhs[mat.baby] if mat.baby is not None and rnd.random() < 0.9 else None,
                noise.forename(w.forename[pa], 3.0) if pa is not None else None,
                noise.surname(w.surname[pa], w.birth_surname[pa], 3.0) if pa is not None else None,
                iso(int(w.dob[pa])) if pa is not None and rnd.random() < 0.6 else None,
                w.nhs[pa] if pa is not None and rnd.random() < 0.15 else None,
                flag(mat.partner_is_father) if pa is not None else None,
                iso(mat.booking_day),
                "Midwife",
                "fact",
            )
        )
        truth.person("health", key, mo)
        if pa is not None:
            truth.mention(key, "partner", pa)
        if mat.baby is not None:
            truth.mention(key, "baby", mat.baby)
        elif mat.unborn is not None:
            truth.mention(key, "unborn", mat.unborn)
    maternity.close()
    truth.stats["health"] = {
        "patients": pat_id.i,
        "related_persons": rp_id.i,
        "encounters": enc_id.i,
        "flags": fl_id.i,
        "maternity": mb.i,
        "gp_registrations": gpid.i,
    }
