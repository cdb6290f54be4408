"""Third sector: concerns shared with the MASH and the people in them."""

from __future__ import annotations

from ingest.synthetic.output import Counter, Ctx, Table


def render_third_sector(ctx: Ctx) -> None:
    w, ev, truth = ctx.world, ctx.events, ctx.truth
    rnd = ctx.rnd("third_sector")
    noise = ctx.noise("third_sector", rnd)
    iso = ctx.iso
    concerns = Table(ctx.root, "third_sector.concerns")
    persons = Table(ctx.root, "third_sector.concern_persons")
    cid, pid_c = Counter("TSC", 6), Counter("TSP", 7)
    for con in sorted(ev.concerns, key=lambda c: c.day):
        c_id = cid()
        con.key = concerns.key(c_id)
        concerns.add(
            (
                c_id,
                con.organisation,
                con.org_type,
                iso(con.day),
                con.category,
                con.summary,
                con.legal_basis,
                con.consent_by,
                iso(con.shared_day),
                iso(con.shared_day),
                "Safeguarding lead",
                "opinion",
            )
        )
        for pid, role, dob_known in con.persons:
            p_id = pid_c()
            surname = noise.surname(w.surname[pid], w.birth_surname[pid]) if rnd.random() < 0.7 else None
            age = int(w.age_years(pid, con.day))
            addr = w.address_at(pid, con.day) if rnd.random() < 0.3 else None
            persons.add(
                (
                    p_id,
                    c_id,
                    noise.forename(w.forename[pid]),
                    surname,
                    iso(noise.dob(int(w.dob[pid]))) if dob_known else None,
                    None if dob_known else age,
                    role,
                    w.address_line(addr) if addr is not None else None,
                    w.postcode(addr) if addr is not None else None,
                    iso(con.shared_day),
                    "Safeguarding lead",
                    "fact",
                )
            )
            truth.person("third_sector", persons.key(p_id), pid)
    concerns.close()
    persons.close()
    truth.stats["third_sector"] = {"concerns": cid.i, "persons": pid_c.i}
