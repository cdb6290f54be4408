"""Housing: tenancies, occupants and tenancy events."""

from __future__ import annotations

from ingest.synthetic.output import Counter, Ctx, Table, flag


def render_housing(ctx: Ctx) -> None:
    w, ev, truth = ctx.world, ctx.events, ctx.truth
    rnd = ctx.rnd("housing")
    noise = ctx.noise("housing", rnd)
    iso = ctx.iso
    tenancies = Table(ctx.root, "housing.tenancies")
    occupants = Table(ctx.root, "housing.occupants")
    events = Table(ctx.root, "housing.tenancy_events")
    tid, oid, eid = Counter("T", 7), Counter("OCC", 8), Counter("TE", 7)
    for ten in sorted(ev.tenancies, key=lambda t: t.start):
        t_id = tid()
        ten.key = tenancies.key(t_id)
        start = max(ten.start, ctx.dates.base)
        tenancies.add(
            (
                t_id,
                w.uprn(ten.addr) if rnd.random() < 0.8 else None,
                w.address_line(ten.addr),
                w.postcode(ten.addr),
                ten.tenure,
                iso(start),
                iso(ten.end),
                ten.end_reason,
                flag(ten.arrears),
                iso(start),
                "Housing officer",
                "fact",
            )
        )
        occ_id: dict[int, str] = {}
        for pid, role, f, t in ten.occupants:
            if ev.is_hidden("housing", pid):
                continue
            o_id = oid()
            occ_id[pid] = o_id
            occupants.add(
                (
                    o_id,
                    t_id,
                    noise.forename(w.forename[pid]),
                    noise.surname(w.surname[pid], w.birth_surname[pid]),
                    iso(noise.dob(int(w.dob[pid]))),
                    str(w.sex[pid]),
                    w.nhs[pid] if noise.keep_id() else None,
                    role,
                    iso(f),
                    iso(t),
                    iso(f if f is not None else start),
                    "Housing officer",
                    "fact",
                )
            )
            truth.person("housing", occupants.key(o_id), pid)
        for te in sorted(ten.events, key=lambda e: e.day):
            e_id = eid()
            te.key = events.key(e_id)
            events.add(
                (
                    e_id,
                    t_id,
                    occ_id.get(te.occupant) if te.occupant is not None else None,
                    te.kind,
                    iso(te.day),
                    te.summary,
                    iso(te.day),
                    "Housing officer",
                    te.basis,
                )
            )
    tenancies.close()
    occupants.close()
    events.close()
    truth.stats["housing"] = {"tenancies": tid.i, "occupants": oid.i, "events": eid.i}
