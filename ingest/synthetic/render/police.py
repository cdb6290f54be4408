"""The police extract: nominals, locations, occurrences with roles, person links, markers."""

from __future__ import annotations

from ingest.synthetic.output import Counter, Ctx, Table, flag
from ingest.synthetic.world import YEAR

RECORDERS = ("PC", "PC", "PC", "DC", "Sgt", "Police staff (contact centre)")


def assign_pnc(ctx: Ctx, pid: int, first_day: int) -> str:
    """A PNC id for someone arrested/charged: year of the first record, a serial, the check letter."""
    from ingest.contract.identifiers import format_pnc_id

    w = ctx.world
    if pid in w.pnc:
        return w.pnc[pid]
    year = ctx.dates.iso_of(max(first_day, ctx.dates.base))[:4]
    serial = 100_000 + (pid * 7_919 + ctx.seed * 104_729) % 8_900_000
    value = format_pnc_id(int(year), serial)
    w.pnc[pid] = value
    return value


def render_police(ctx: Ctx) -> None:
    w, ev, truth = ctx.world, ctx.events, ctx.truth
    rnd = ctx.rnd("police")
    noise = ctx.noise("police", rnd)
    occs = sorted(ev.occurrences, key=lambda o: o.day)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for occ in occs:
        for pid, _ in occ.persons:
            first.setdefault(pid, occ.day)
            last[pid] = occ.day
    for a, b, _, f, _ in ev.police_links:
        for p in (a, b):
            first.setdefault(p, f if f is not None else w.ref - 30)
    for pid, _, _, day, _ in ev.police_flags:
        first.setdefault(pid, day)
    for pid, day in ev.police_known.items():
        first.setdefault(pid, day)
    for s in ev.supervisions:
        first.setdefault(s.pid, s.start)
    arrested = {pid for occ in occs if occ.kind == "crime" for pid, role in occ.persons if role == "suspect"}
    arrested |= {s.pid for s in ev.supervisions}
    arrested |= {pid for pid, kind, _, _, _ in ev.police_flags if kind in ("mappa", "sexual_offending")}

    persons = Table(ctx.root, "police.persons")
    nominal = Counter("N")
    nominals: dict[int, list[str]] = {}
    min_day = ctx.dates.base
    for pid in sorted(first, key=lambda p: (first[p], p)):
        day = max(first[pid], min_day)
        records = 2 if noise.duplicate() else 1
        ids = []
        for k in range(records):
            nid = nominal()
            boost = 1.0 if k == 0 else 3.0
            dob = noise.dob(int(w.dob[pid]), boost)
            seen_at = last.get(pid, day)
            addr = w.address_at(pid, first[pid] if noise.old_address() else seen_at)
            pnc = None
            if pid in arrested and w.age_years(pid, w.ref) > 10:
                pnc = assign_pnc(ctx, pid, day)
                if not noise.keep_id(0.2 if k == 0 else 1.0):
                    pnc = None
            persons.add(
                (
                    nid,
                    noise.forename(w.forename[pid], boost),
                    noise.surname(w.surname[pid], w.birth_surname[pid], boost),
                    ctx.iso(dob),
                    str(w.sex[pid]),
                    pnc,
                    w.address_line(addr),
                    w.postcode(addr),
                    ctx.iso(min(day + k * rnd.randrange(0, 400), w.ref)),
                    rnd.choice(RECORDERS),
                    "fact",
                )
            )
            truth.person("police", persons.key(nid), pid)
            ids.append(nid)
        nominals[pid] = ids
    persons.close()

    def nominal_of(pid: int, day: int) -> str:
        ids = nominals[pid]
        if len(ids) == 1:
            return ids[0]
        return ids[1] if (day * 31 + pid) % 3 == 0 else ids[0]

    locations = Table(ctx.root, "police.locations")
    loc_ids: dict[object, str] = {}
    loc = Counter("L")

    def location(occ_addr: int | None, place: str | None, day: int) -> str | None:
        k: object = occ_addr if occ_addr is not None else place
        if k is None:
            return None
        if k not in loc_ids:
            lid = loc()
            loc_ids[k] = lid
            if occ_addr is not None:
                locations.add(
                    (
                        lid,
                        w.address_line(occ_addr),
                        w.postcode(occ_addr),
                        w.uprn(occ_addr) if rnd.random() < 0.6 else None,
                        "dwelling",
                        ctx.iso(day),
                        "Police staff",
                        "fact",
                    )
                )
            else:
                locations.add((lid, place, None, None, "public_place", ctx.iso(day), "Police staff", "fact"))
        return loc_ids[k]

    occurrences = Table(ctx.root, "police.occurrences")
    involved = Table(ctx.root, "police.occurrence_persons")
    inv = Counter("OP", 8)
    serial: dict[str, int] = {}
    for occ in occs:
        year = ctx.dates.iso_of(occ.day)[:4]
        serial[year] = serial.get(year, 0) + 1
        oid = f"OC{year}-{serial[year]:06d}"
        lid = location(occ.addr, occ.place, occ.day)
        recorded = min(occ.day + rnd.choice((0, 0, 1, 2)), w.ref)
        occurrences.add(
            (
                oid,
                occ.kind,
                ctx.iso(occ.day),
                ctx.iso(occ.end),
                lid,
                occ.crime,
                occ.dash,
                flag(occ.children_present),
                flag(occ.referred),
                ctx.iso(occ.referral_day) if occ.referred else None,
                occ.summary,
                ctx.iso(recorded),
                occ.recorder,
                occ.basis,
            )
        )
        occ.key = occurrences.key(oid)
        for pid, role in occ.persons:
            involved.add(
                (inv(), oid, nominal_of(pid, occ.day), role, ctx.iso(recorded), occ.recorder, occ.basis)
            )
    occurrences.close()
    involved.close()
    locations.close()

    links = Table(ctx.root, "police.person_links")
    lk = Counter("LK")
    done: set[tuple[int, int, str]] = set()
    for a, b, kind, f, t in ev.police_links:
        if (a, b, kind) in done:
            continue
        done.add((a, b, kind))
        day = f if f is not None else first.get(a, w.ref - 30)
        links.add(
            (
                lk(),
                nominals[a][0],
                nominals[b][0],
                kind,
                ctx.iso(f),
                ctx.iso(t),
                ctx.iso(max(min(day, w.ref), min_day)),
                "PC",
                "fact",
            )
        )
    # the force also links children to the parent seen with them at incidents
    for occ in occs:
        if occ.kind != "da_incident" or not occ.children_present:
            continue
        victim = occ.persons[0][0]
        for pid, role in occ.persons:
            if role == "present" and rnd.random() < 0.3 and (victim, pid, "parent") not in done:
                if int(w.hh_of[pid]) >= 0 and int(w.mother[int(w.hh_of[pid])]) == victim:
                    done.add((victim, pid, "parent"))
                    links.add(
                        (
                            lk(),
                            nominals[victim][0],
                            nominals[pid][0],
                            "parent",
                            None,
                            None,
                            ctx.iso(occ.day),
                            "PC",
                            "fact",
                        )
                    )
    links.close()

    flags = Table(ctx.root, "police.nominal_flags")
    fl = Counter("FL")
    for pid, kind, level, f, t in ev.police_flags:
        flags.add(
            (
                fl(),
                nominals[pid][0],
                kind,
                level,
                ctx.iso(max(f, min_day)),
                ctx.iso(t),
                ctx.iso(max(min(f, w.ref), min_day)),
                "Sgt",
                "fact",
            )
        )
    flags.close()
    ctx.truth.stats["police"] = {
        "nominals": nominal.i,
        "people": len(nominals),
        "occurrences": len(occs),
        "years_of_history": round((w.ref - min(first.values(), default=w.ref)) / YEAR, 1),
    }
