"""Education: pupils (enrolments), pupil contacts, attendance per term, exclusions, children missing
education."""

from __future__ import annotations

from datetime import date

from ingest.synthetic.output import PERSISTENT_ABSENCE, Counter, Ctx, Table
from ingest.synthetic.pools import NICKNAMES, TOWNS, date_of, day_of
from ingest.synthetic.world import END, YEAR

TERMS = (
    ("autumn", (9, 2), (12, 19), 142),
    ("spring", (1, 6), (3, 28), 118),
    ("summer", (4, 14), (7, 21), 130),
)


def academic_start(day: int) -> int:
    d = date_of(day)
    year = d.year if d.month >= 9 else d.year - 1
    return day_of(date(year, 9, 1))


def year_group(dob: int, on: int) -> int:
    """National curriculum year on that day: 0 = reception."""
    start = date_of(academic_start(on))
    born = date_of(dob)
    age_31_aug = start.year - born.year - (1 if (born.month, born.day) > (8, 31) else 0)
    return age_31_aug - 4


def render_education(ctx: Ctx) -> None:
    w, ev, truth = ctx.world, ctx.events, ctx.truth
    rnd = ctx.rnd("education")
    noise = ctx.noise("education", rnd)
    ref = w.ref
    iso = ctx.dates.iso_of
    n_towns = len(TOWNS)
    per_town_primary = max(2, w.cfg.children // (n_towns * 350))
    per_town_secondary = max(1, w.cfg.children // (n_towns * 1400))
    urn = 900_000

    primaries: list[list[str]] = []
    secondaries: list[list[str]] = []
    for _ in range(n_towns):
        primaries.append([str(urn + i + 1) for i in range(per_town_primary)])
        urn += per_town_primary
        secondaries.append([str(urn + i + 1) for i in range(per_town_secondary)])
        urn += per_town_secondary

    def school_for(c: int, addr: int, yg: int) -> str:
        town = w.town_of(addr)
        pool = primaries[town] if yg <= 6 else secondaries[town]
        return pool[(c * 2_654_435_761 + addr) % len(pool)]

    pupils = Table(ctx.root, "education.pupils")
    contacts = Table(ctx.root, "education.pupil_contacts")
    attendance = Table(ctx.root, "education.attendance")
    pid_c = Counter("PUP", 8)
    con_c = Counter("PC", 8)
    att_c = Counter("AT", 9)
    enrol_of: dict[int, str] = {}
    school_of: dict[str, str] = {}
    year0 = academic_start(ref)
    two_years = academic_start(year0 - 400)
    terms: list[tuple[str, str, int, int, int]] = []  # (academic year, term, start, end, possible)
    for ay_start in (two_years, two_years + 366, year0):
        y = date_of(ay_start).year
        for name, (m1, d1), (m2, d2), possible in TERMS:
            yy = y if m1 >= 9 else y + 1
            s, e = day_of(date(yy, m1, d1)), day_of(date(yy, m2, d2))
            if e <= ref and s >= two_years:
                terms.append((f"{y}/{str(y + 1)[2:]}", name, s, e, possible))
    hidden_edu = ev.hidden.get("education", set())
    extra_contacts: dict[int, list[tuple[int, str]]] = {}
    for child, adult, rel in ev.notes.get("extra_pupil_contacts", []):
        extra_contacts.setdefault(child, []).append((adult, rel))
    for c in range(w.cfg.children):
        born = int(w.dob[c])
        yg = year_group(born, ref)
        if yg < 0 or yg > 13 or c in hidden_edu:
            continue
        if yg >= 12 and rnd.random() < 0.25:
            continue  # left school after year 11
        if rnd.random() < 0.012 and c not in ev.absence_trend:
            continue  # home educated / not on a roll
        h = int(w.hh_of[c])
        need = int(w.need[h])
        res = w.residences(c)
        cur_addr, cur_from, _ = res[-1]
        enrolments: list[tuple[str, int, int | None, int]] = []  # (urn, entry, leaving, address)
        phase_start = academic_start(ref - int((yg if yg <= 6 else yg - 7) * YEAR))
        entry = max(phase_start, cur_from)
        enrolments.append((school_for(c, cur_addr, yg), entry, None, cur_addr))
        if entry > two_years:
            prev_day = entry - 1
            prev_yg = year_group(born, prev_day)
            if prev_yg >= 0:
                prev_addr = w.address_at(c, prev_day)
                prev_urn = school_for(c, prev_addr, prev_yg)
                if prev_urn != enrolments[0][0]:
                    prev_entry = max(academic_start(prev_day - int(2 * YEAR)), two_years - 300)
                    enrolments.insert(0, (prev_urn, prev_entry, prev_day, prev_addr))
        mult = ev.absence.get(c, 1.0)
        trend = ev.absence_trend.get(c, 0.0)
        for school, start, leave, addr in enrolments:
            rec = pid_c()
            current = leave is None
            if current:
                enrol_of[c] = rec
                school_of[rec] = school
            fore = w.forename[c]
            show_addr = addr if not (current and noise.old_address() and len(res) > 1) else res[-2][0]
            upn = w.upn.get(c) if noise.keep_id() else None
            preferred = rnd.choice(NICKNAMES[fore]) if fore in NICKNAMES and rnd.random() < 0.2 else None
            pupils.add(
                (
                    rec,
                    upn,
                    None,
                    school,
                    noise.forename(fore),
                    noise.surname(w.surname[c], w.birth_surname[c]),
                    preferred,
                    iso(noise.dob(born) or born),
                    str(w.sex[c]),
                    w.address_line(show_addr),
                    w.postcode(show_addr),
                    iso(start),
                    iso(leave) if leave is not None else None,
                    ("R" if year_group(born, leave or ref) == 0 else str(year_group(born, leave or ref))),
                    "Y" if rnd.random() < (0.15, 0.55, 0.7)[need] else "N",
                    "E" if rnd.random() < 0.03 else ("K" if rnd.random() < 0.12 else "N"),
                    iso(start),
                    "School administrator",
                    "fact",
                )
            )
            truth.person("education", pupils.key(rec), c)
            for t_i, (ay, term, s, e, possible) in enumerate(terms):
                lo, hi = max(s, start), min(e, leave if leave is not None else END)
                if hi <= lo:
                    continue
                poss = max(1, round(possible * (hi - lo) / (e - s)))
                base_auth = 0.04 * mult * (0.5 + rnd.random())
                base_un = 0.012 * mult * (0.3 + 1.4 * rnd.random()) + trend * t_i
                auth = min(poss, round(poss * base_auth))
                unauth = min(poss - auth, round(poss * base_un))
                att_id = att_c()
                attendance.add(
                    (
                        att_id,
                        rec,
                        school,
                        ay,
                        term,
                        poss,
                        auth,
                        unauth,
                        iso(min(e + 7, ref)),
                        "Attendance officer",
                        "fact",
                    )
                )
                if auth + unauth >= PERSISTENT_ABSENCE * poss:
                    truth.absence(c, attendance.key(att_id), lo, (auth + unauth) / poss)
            if not current:
                continue
            # the people the school holds for this pupil
            m, f, a = int(w.mother[h]), int(w.father[h]), int(w.absent_father[h])
            p, g = int(w.partner[h]), int(w.grandparent[h])
            listed: list[tuple[int, str, bool, bool]] = []
            if m >= 0:
                listed.append((m, "parent", True, True))
            if f >= 0:
                listed.append((f, "parent", True, True))
            if a >= 0 and rnd.random() < 0.5:
                listed.append((a, "parent", True, False))
            if p >= 0 and int(w.partner_from[h]) < ref and rnd.random() < 0.35:
                listed.append((p, "partner-of-parent", False, True))
            if g >= 0 and rnd.random() < 0.1:
                listed.append((g, "grandparent", False, False))
            listed.extend((adult, rel, False, False) for adult, rel in extra_contacts.get(c, ()))
            for prio, (adult, rel, pr, lives) in enumerate(listed, start=1):
                if ev.is_hidden("education", adult):
                    continue
                con = con_c()
                own = None if lives else w.current_address(adult)
                contacts.add(
                    (
                        con,
                        rec,
                        noise.forename(w.forename[adult], 2.0),
                        noise.surname(w.surname[adult], w.birth_surname[adult], 2.0),
                        rel,
                        "Y" if pr else "N",
                        "Y" if lives else "N",
                        w.address_line(own) if own is not None else None,
                        w.postcode(own) if own is not None else None,
                        prio,
                        iso(start),
                        "School administrator",
                        "fact",
                    )
                )
                truth.person("education", contacts.key(con), adult)
                truth.link("education", c, adult)
    pupils.close()
    contacts.close()
    attendance.close()

    exclusions = Table(ctx.root, "education.exclusions")
    ex_c = Counter("EX", 7)
    for x in sorted(ev.exclusions, key=lambda x: x.day):
        enrolment = enrol_of.get(x.child)
        if enrolment is None:
            continue
        rec = enrolment
        e_id = ex_c()
        x.key = exclusions.key(e_id)
        exclusions.add(
            (
                e_id,
                rec,
                school_of[rec],
                x.kind,
                iso(x.day),
                x.sessions,
                x.reason,
                x.summary,
                iso(x.day),
                "Head teacher",
                "fact",
            )
        )
    exclusions.close()

    cme = Table(ctx.root, "education.children_missing_education")
    cme_c = Counter("CME", 6)
    for item in sorted(ev.cme, key=lambda x: x.reported):
        c = item.child
        c_id = cme_c()
        item.key = cme.key(c_id)
        a = w.address_at(c, item.reported)
        cme.add(
            (
                c_id,
                enrol_of.get(c),
                w.upn.get(c) if rnd.random() < 0.7 else None,
                noise.forename(w.forename[c]),
                noise.surname(w.surname[c], w.birth_surname[c]),
                iso(int(w.dob[c])),
                w.address_line(a),
                w.postcode(a),
                iso(item.reported),
                item.reason,
                iso(item.resolved) if item.resolved is not None else None,
                iso(item.reported),
                "Education welfare officer",
                "fact",
            )
        )
        truth.person("education", item.key, c)
    cme.close()
    truth.stats["education"] = {"enrolments": pid_c.i, "contacts": con_c.i, "attendance_rows": att_c.i}
