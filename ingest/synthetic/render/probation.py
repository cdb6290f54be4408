"""Probation: people on probation and their supervisions."""

from __future__ import annotations

from ingest.synthetic.output import Counter, Ctx, Table, flag
from ingest.synthetic.render.police import assign_pnc


def render_probation(ctx: Ctx) -> None:
    w, ev, truth = ctx.world, ctx.events, ctx.truth
    rnd = ctx.rnd("probation")
    noise = ctx.noise("probation", rnd)
    iso = ctx.iso
    sups = sorted(ev.supervisions, key=lambda s: s.start)
    crn_of: dict[int, str] = {}
    people = Table(ctx.root, "probation.people")
    crn = Counter("X", 6, start=100_001)
    for s in sups:
        if s.pid in crn_of:
            continue
        c = crn()
        crn_of[s.pid] = c
        a = w.current_address(s.pid) if not noise.old_address() else w.address_at(s.pid, s.start)
        alias = None
        if rnd.random() < 0.15:
            alias = noise.typo(w.forename[s.pid]) + " " + w.surname[s.pid]
        h = int(w.hh_of[s.pid])
        people.add(
            (
                c,
                noise.forename(w.forename[s.pid]),
                noise.surname(w.surname[s.pid], w.birth_surname[s.pid]),
                alias,
                iso(noise.dob(int(w.dob[s.pid])) or int(w.dob[s.pid])),
                str(w.sex[s.pid]),
                assign_pnc(ctx, s.pid, s.start) if noise.keep_id() else None,
                w.address_line(a),
                w.postcode(a),
                flag(h >= 0 or s.pid in ev.notes.get("probation_child_contact", ())),
                iso(s.start),
                "Probation practitioner",
                "fact",
            )
        )
        truth.person("probation", people.key(c), s.pid)
    people.close()
    table = Table(ctx.root, "probation.supervisions")
    sid = Counter("SUP", 7)
    for s in sups:
        s_id = sid()
        s.key = table.key(s_id)
        table.add(
            (
                s_id,
                crn_of[s.pid],
                s.order,
                iso(s.start),
                iso(s.end),
                s.offence,
                s.rosh,
                flag(s.risk_to_children),
                s.mappa_category,
                s.mappa_level,
                iso(s.start),
                "Probation practitioner",
                "opinion" if s.rosh in ("high", "very_high") else "fact",
            )
        )
    table.close()
    truth.stats["probation"] = {"people": len(crn_of), "supervisions": sid.i}
