"""Children's social care: the SSD tables, the CIN census XML and the SSDA903 files."""

from __future__ import annotations

import json
import random
from collections.abc import Callable

from ingest.contract.csc import (
    ASSESSMENT_OUTCOME_KEYS,
    CONTACT_OUTCOME_KEYS,
    REFERRAL_OUTCOME_KEYS,
    S47_OUTCOME_KEYS,
)
from ingest.synthetic.events import CLAEpisode, Contact, Occurrence, Referral
from ingest.synthetic.output import Counter, Ctx, Table, flag
from ingest.synthetic.simulate import SOURCE_DESC
from ingest.synthetic.world import CHILD, MOTHER, UNBORN

LidOf = Callable[[int], str]

WORKER_ROLES = ("Social worker", "Senior social worker", "MASH social worker", "Team manager")
VIEWS = (
    "I want my dad to stop shouting at mum.",
    "I like my school and my teacher.",
    "I don't want to go home when he is there.",
    "I'm worried about my little brother.",
    "Nothing is wrong, I just want everyone to leave us alone.",
    "I wish mum wasn't sad all the time.",
    "I get scared at night when they argue.",
)


def _outcome(keys: tuple[str, ...], on: tuple[str, ...]) -> str:
    obj: dict[str, str] = {}
    for k in keys:
        if k == "TOTAL_NO_OF_OUTCOMES":
            obj[k] = str(len(on))
        elif k in ("COMMENTS", "OUTCOME_COMMENTS"):
            obj[k] = ""
        else:
            obj[k] = "Y" if k in on else "N"
    return json.dumps(obj, separators=(",", ":"))


CONTACT_FLAG = {
    "referral": ("NEW_REFERRAL_FLAG",),
    "existing": ("EXISTING_REFERRAL_FLAG",),
    "nfa": ("NFA_FLAG",),
    "advice": ("ADVICE_FLAG",),
    "early_help": ("OTHER_OUTCOMES_EXIST_FLAG",),
    "missing": ("MISSING_FLAG",),
}


def render_csc(ctx: Ctx) -> None:
    w, ev, truth = ctx.world, ctx.events, ctx.truth
    rnd = ctx.rnd("csc")
    noise = ctx.noise("csc", rnd)
    ref_day = w.ref

    # who the LA holds: children with contacts, the adults it records around them, planted extras
    first: dict[int, int] = {}
    for con in sorted(ev.contacts, key=lambda c: c.day):
        first.setdefault(con.child, con.day)
    for child in sorted(ev.csc_adults, key=lambda c: (first.get(c, ref_day), c)):
        for adult in ev.csc_adults[child]:
            if not ev.is_hidden("csc", adult):
                first.setdefault(adult, first.get(child, ref_day))
    for pid, day in ev.extra_people.get("csc", {}).items():
        first.setdefault(pid, day)
    people = [p for p in sorted(first, key=lambda p: (first[p], p)) if not ev.is_hidden("csc", p)]

    person = Table(ctx.root, "csc.ssd_person")
    la_id = Counter("", 7, start=1_000_001)
    ids: dict[int, list[str]] = {}
    mothers = set()
    for child, adults in ev.csc_adults.items():
        h = int(w.hh_of[child])
        if h >= 0 and int(w.mother[h]) in adults:
            mothers.add(int(w.mother[h]))
    for pid in people:
        role = int(w.role[pid])
        day = min(first[pid], ref_day)
        n_rec = 2 if noise.duplicate() else 1
        for k in range(n_rec):
            lid = la_id()
            boost = 1.0 if k == 0 else 3.0
            is_child = role in (CHILD, UNBORN)
            unborn = role == UNBORN and int(w.dob[pid]) > ref_day
            age = w.age_years(pid, ref_day)
            nhs = w.nhs[pid] if (not unborn and noise.keep_id((0.6 if is_child else 2.0) * boost)) else None
            person.add(
                (
                    lid,
                    None if unborn else noise.forename(w.forename[pid], boost),
                    noise.surname(w.surname[pid], w.birth_surname[pid], boost),
                    str(w.sex[pid]),
                    ("01" if w.sex[pid] == "M" else "02") if (not unborn and rnd.random() < 0.6) else None,
                    w.ethnicity[pid] if (is_child or rnd.random() < 0.6) else None,
                    None if unborn else ctx.iso(noise.dob(int(w.dob[pid]), boost)),
                    nhs,
                    f"LEG{pid % 100000:05d}{k}" if rnd.random() < 0.05 else None,
                    "UN1" if is_child and age < 4.3 and not unborn else None,
                    ("Y" if rnd.random() < 0.04 else "N") if is_child and not unborn else None,
                    ctx.iso(int(w.dob[pid])) if unborn else None,
                    None,
                    ("Y" if pid in mothers else "N") if w.sex[pid] == "F" and age > 12 else None,
                    None,
                    ctx.iso(day),
                    rnd.choice(WORKER_ROLES),
                    "fact",
                )
            )
            truth.person("csc", person.key(lid), pid)
            ids.setdefault(pid, []).append(lid)
    person.close()
    known = ids

    def lid_of(pid: int) -> str:
        return known[pid][0]

    # families and addresses
    family = Table(ctx.root, "csc.ssd_family")
    fam = Counter("FM", 7)
    address = Table(ctx.root, "csc.ssd_address")
    adr = Counter("AD", 7)
    for pid in people:
        h = int(w.hh_of[pid])
        fam_id = f"FAM{h:06d}" if h >= 0 else f"FAMP{pid:07d}"
        family.add((fam(), fam_id, lid_of(pid), ctx.iso(min(first[pid], ref_day)), "Social worker", "fact"))
        unborn_now = int(w.dob[pid]) > ref_day and h >= 0 and int(w.mother[h]) >= 0
        res = w.residences(int(w.mother[h]) if unborn_now else pid)
        shown = res[-2:] if (len(res) > 1 and rnd.random() < 0.5) else res[-1:]
        if noise.old_address() and len(res) > 1:
            shown = res[-2:-1]  # the LA never heard about the last move
        for i, (a, f, t) in enumerate(shown):
            flat, number, street, town = w.address_parts(a)
            obj = {
                "ROOM": "",
                "FLOOR": "",
                "FLAT": str(flat) if flat else "",
                "BUILDING": "",
                "HOUSE": str(number),
                "STREET": street,
                "TOWN": town,
                "UPRN": w.uprn(a) if rnd.random() < 0.7 else "",
                "EASTING": "",
                "NORTHING": "",
            }
            current = i == len(shown) - 1 and t > ref_day
            address.add(
                (
                    adr(),
                    json.dumps(obj, separators=(",", ":")),
                    lid_of(pid),
                    "HOME" if current else "PREVIOUS",
                    ctx.iso(max(f, int(w.dob[pid]), ctx.dates.base)) if f > ctx.dates.base else None,
                    None if t > ref_day else ctx.iso(t),
                    w.postcode(a).replace(" ", ""),
                    ctx.iso(min(first[pid], ref_day)),
                    "Social worker",
                    "fact",
                )
            )
    family.close()
    address.close()

    # contacts and referrals
    contacts = Table(ctx.root, "csc.ssd_contacts")
    cid = Counter("C", 8)
    referrals: list[Referral] = []
    for con in sorted(ev.contacts, key=lambda c: c.day):
        if con.child not in known:
            continue
        con_id = cid()
        con.key = contacts.key(con_id)
        rref = None
        if isinstance(con.referrer_ref, Occurrence) and con.referrer_ref.key:
            rref = con.referrer_ref.key.split("|", 2)[2]
        contacts.add(
            (
                con_id,
                lid_of(con.child),
                ctx.iso(con.day),
                con.source,
                SOURCE_DESC.get(con.source),
                _outcome(CONTACT_OUTCOME_KEYS, CONTACT_FLAG.get(con.outcome, ())),
                rref,
                con.summary,
                ctx.iso(con.day),
                "MASH social worker",
                "opinion" if con.source in ("1A", "1B", "1D", "9") else "fact",
            )
        )
        if con.outcome == "referral" and con.referral is not None:
            referrals.append(con.referral)
    contacts.close()
    _referral_tables(ctx, referrals, known, lid_of, rnd)
    _other_tables(ctx, people, known, lid_of, first, rnd)
    _cin_census(ctx, referrals, known, lid_of, rnd)
    _ssda903(ctx, referrals, known, lid_of, rnd)
    truth.stats["csc"] = {
        "people": len(people),
        "records": la_id.i - 1_000_000,
        "contacts": cid.i,
        "referrals": len(referrals),
    }


def _referral_tables(
    ctx: Ctx, referrals: list[Referral], known: dict[int, list[str]], lid_of: LidOf, rnd: random.Random
) -> None:
    w = ctx.world
    root = ctx.root
    cine = Table(root, "csc.ssd_cin_episodes")
    cina = Table(root, "csc.ssd_cin_assessments")
    cinf = Table(root, "csc.ssd_assessment_factors")
    s47t = Table(root, "csc.ssd_s47_enquiry")
    cppl = Table(root, "csc.ssd_cp_plans")
    cinp = Table(root, "csc.ssd_cin_plans")
    clae = Table(root, "csc.ssd_cla_episodes")
    earl = Table(root, "csc.ssd_early_help_episodes")
    invo = Table(root, "csc.ssd_involvements")
    rid, aid, fid, sid = Counter("R", 8), Counter("A", 8), Counter("AF", 8), Counter("S", 8)
    cpid, cinid, clid, ehid, ivid = Counter("CP", 7), Counter("CIN", 7), Counter("CLA", 7), Counter(
        "EH", 7), Counter("INV", 7)  # fmt: skip
    periods = Counter("POC", 7)
    for ref in sorted(referrals, key=lambda r: r.day):
        r_id = rid()
        ref.key = cine.key(r_id)
        child = lid_of(ref.child)
        outcome = []
        if ref.assessment:
            outcome.append("SINGLE_ASSESSMENT_FLAG")
        if ref.nfa:
            outcome.append("NFA_FLAG")
        if ref.s47:
            outcome.append("STRATEGY_DISCUSSION_FLAG")
        if ref.cp_plan:
            outcome.append("CP_CONFERENCE_FLAG")
        worker = f"W{(ref.child * 13) % 400:03d}"
        team = rnd.choice(("MASH", "Assessment Team North", "Assessment Team South"))
        cine.add(
            (
                r_id,
                child,
                ctx.iso(ref.day),
                ref.need_code,
                ref.source,
                SOURCE_DESC.get(ref.source),
                _outcome(REFERRAL_OUTCOME_KEYS, tuple(outcome)),
                flag(ref.nfa),
                ref.close_reason,
                ctx.iso(ref.close_day),
                team,
                worker,
                ref.contact.key.split("|", 2)[2] if ref.contact and ref.contact.key else None,
                ref.threshold,
                ctx.iso(ref.feedback_day),
                flag(ref.malicious) if ref.malicious else None,
                ref.malicious_by,
                ctx.iso(ref.malicious_day),
                flag(ref.multi_agency) if ref.multi_agency is not None else None,
                ref.referrer_relationship,
                ctx.iso(ref.day),
                "MASH social worker",
                "fact",
            )
        )
        a = ref.assessment
        if a is not None:
            a_id = aid()
            a.key = cina.key(a_id)
            on = ["NFA_FLAG"] if a.nfa else ["PROV_OF_SERVICES_FLAG"]
            if ref.s47:
                on.append("STRATEGY_DISCUSSION_FLAG")
            cina.add(
                (
                    a_id,
                    child,
                    r_id,
                    ctx.iso(a.start),
                    flag(a.child_seen),
                    ctx.iso(a.auth),
                    _outcome(ASSESSMENT_OUTCOME_KEYS, tuple(on)),
                    flag(a.nfa),
                    team,
                    worker,
                    ctx.iso(a.auth or a.start),
                    "Team manager",
                    "opinion",
                )
            )
            if a.auth is not None:
                f_id = fid()
                a.factors_key = cinf.key(f_id)
                cinf.add(
                    (
                        f_id,
                        a_id,
                        json.dumps({f: "Yes" for f in a.factors}, separators=(",", ":")),
                        ctx.iso(a.auth),
                        "Team manager",
                        "opinion",
                    )
                )
            ivd = ivid()
            ref.involvement_key = invo.key(ivd)
            invo.add(
                (
                    ivd,
                    worker,
                    "Allocated social worker",
                    team,
                    ctx.iso(a.start),
                    ctx.iso(ref.close_day),
                    "FCONTA" if rnd.random() < 0.5 else None,
                    child,
                    r_id,
                    ctx.iso(a.start),
                    "Team manager",
                    "fact",
                )
            )
        if ref.s47 is not None:
            s = ref.s47
            s_id = sid()
            s.key = s47t.key(s_id)
            s47t.add(
                (
                    s_id,
                    r_id,
                    child,
                    ctx.iso(s.start),
                    ctx.iso(s.end),
                    flag(s.nfa),
                    _outcome(S47_OUTCOME_KEYS, ("NFA_FLAG",) if s.nfa else ("CP_CONFERENCE_FLAG",)),
                    worker,
                    team,
                    ctx.iso(s.start),
                    "Social worker",
                    "fact",
                )
            )
        if ref.cp_plan is not None:
            cp = ref.cp_plan
            c_id = cpid()
            cp.key = cppl.key(c_id)
            cppl.add(
                (
                    c_id,
                    r_id,
                    f"ICPC{c_id[2:]}",
                    child,
                    ctx.iso(cp.start),
                    ctx.iso(cp.end),
                    cp.initial,
                    "N",
                    cp.latest,
                    ctx.iso(cp.start),
                    "Conference chair",
                    "fact",
                )
            )
        if ref.cin_plan is not None:
            s0, e0 = ref.cin_plan
            p_id = cinid()
            ref.cin_plan_key = cinp.key(p_id)
            cinp.add(
                (
                    p_id,
                    r_id,
                    child,
                    ctx.iso(s0),
                    ctx.iso(e0),
                    team,
                    worker,
                    ctx.iso(s0),
                    "Social worker",
                    "fact",
                )
            )
        if ref.cla:
            period = periods()
            for ep in ref.cla:
                e_id = clid()
                ep.key = clae.key(e_id)
                clae.add(
                    (
                        e_id,
                        child,
                        ctx.iso(ep.start),
                        ep.reason_new,
                        ref.need_code,
                        ctx.iso(ep.end),
                        ep.reason_end,
                        period,
                        r_id,
                        f"PL{e_id[3:]}",
                        ctx.iso(ref.cla[0].start),
                        ctx.iso(min(ep.start + 60, w.ref)),
                        ctx.iso(ep.start),
                        "Social worker",
                        "fact",
                    )
                )
    for eh in ctx.events.eh:
        if not eh.in_csc or eh.child not in known:
            continue
        e_id = ehid()
        eh.csc_key = earl.key(e_id)
        from_ref = (
            eh.referrer_ref.key.split("|", 2)[2]
            if isinstance(eh.referrer_ref, Referral) and (eh.referrer_ref.key)
            else None
        )
        start = eh.start if eh.start is not None else eh.referral_day
        earl.add(
            (
                e_id,
                lid_of(eh.child),
                ctx.iso(start),
                ctx.iso(eh.end),
                eh.reason,
                eh.closure,
                "Early Help Hub",
                f"EHW{eh.child % 97:02d}",
                eh.consent,
                from_ref,
                ctx.iso(start),
                "Early help practitioner",
                "fact",
            )
        )
    for t in (cine, cina, cinf, s47t, cppl, cinp, clae, earl, invo):
        t.close()


def _other_tables(
    ctx: Ctx,
    people: list[int],
    known: dict[int, list[str]],
    lid_of: LidOf,
    first: dict[int, int],
    rnd: random.Random,
) -> None:
    w, ev = ctx.world, ctx.events
    root = ctx.root
    ref_day = w.ref
    miss = Table(root, "csc.ssd_missing")
    mid = Counter("MS", 7)
    for ep in sorted(ev.missing, key=lambda m: m.start):
        if ep.child not in known:
            continue
        m_id = mid()
        ep.key = miss.key(m_id)
        miss.add(
            (
                m_id,
                lid_of(ep.child),
                ctx.iso(ep.start),
                ep.kind,
                ctx.iso(ep.end),
                ep.rhi_offered,
                ep.rhi_accepted,
                ctx.iso(min((ep.end or ep.start) + 3, ref_day)),
                "Missing coordinator",
                "fact",
            )
        )
    miss.close()

    mother = Table(root, "csc.ssd_mother")
    moid = Counter("MO", 7)
    rel = Table(root, "csc.ssd_person_relationships")
    relid = Counter("REL", 7)
    in_csc = set(known)
    for a, b, kind, f, t in w.rels:
        if a not in in_csc or b not in in_csc:
            continue
        if kind == "sibling" and rnd.random() < 0.5:
            continue
        day = min(max(first.get(a, ref_day), first.get(b, ref_day)), ref_day)
        rel.add(
            (
                relid(),
                lid_of(a),
                lid_of(b),
                kind,
                ctx.iso(f) if f is not None and f > ctx.dates.base else None,
                ctx.iso(t),
                ctx.iso(day),
                "Social worker",
                "fact",
            )
        )
        if kind == "parent" and int(w.role[a]) == MOTHER and int(w.role[b]) in (CHILD, UNBORN):
            born = int(w.dob[b])
            mother.add(
                (
                    moid(),
                    lid_of(a),
                    lid_of(b),
                    ctx.iso(born) if born <= ref_day else None,
                    ctx.iso(day),
                    "Social worker",
                    "fact",
                )
            )
    for a, b, kind, f, t in ev.notes.get("csc_relationships", []):
        if a in in_csc and b in in_csc:
            rel.add(
                (
                    relid(),
                    lid_of(a),
                    lid_of(b),
                    kind,
                    ctx.iso(f),
                    ctx.iso(t),
                    ctx.iso(ref_day - 30),
                    "Social worker",
                    "fact",
                )
            )
    mother.close()
    rel.close()

    voice = Table(root, "csc.ssd_voice_of_child")
    vid = Counter("V", 7)
    links = Table(root, "csc.ssd_linked_identifiers")
    lkid = Counter("LI", 7)
    contact_occ: dict[int, list[Contact]] = {}
    for con in ev.contacts:
        if isinstance(con.referrer_ref, Occurrence):
            contact_occ.setdefault(con.child, []).append(con)
    for pid in people:
        if int(w.role[pid]) != CHILD:
            continue
        day = min(first[pid], ref_day)
        age = w.age_years(pid, day)
        if age > 5 and rnd.random() < 0.3:
            yn = [rnd.choice(("Y", "Y", "N")) for _ in range(5)]
            voice.add(
                (
                    vid(),
                    lid_of(pid),
                    *yn,
                    rnd.choice(VIEWS),
                    ctx.iso(min(day + 20, ref_day)),
                    "Social worker",
                    "opinion",
                )
            )
        upn = w.upn.get(pid)
        if upn and rnd.random() < 0.6:
            links.add(
                (
                    lkid(),
                    lid_of(pid),
                    "Unique Pupil Number",
                    upn,
                    ctx.iso(day),
                    None,
                    ctx.iso(day),
                    "Business support officer",
                    "fact",
                )
            )
        if rnd.random() < 0.15:
            links.add(
                (
                    lkid(),
                    lid_of(pid),
                    "NHS Number",
                    w.nhs[pid],
                    ctx.iso(day),
                    None,
                    ctx.iso(day),
                    "Business support officer",
                    "fact",
                )
            )
        for con in contact_occ.get(pid, [])[:1]:
            occ = con.referrer_ref
            if isinstance(occ, Occurrence) and occ.key and rnd.random() < 0.4:
                links.add(
                    (
                        lkid(),
                        lid_of(pid),
                        "Incident ID",
                        occ.key.split("|", 2)[2],
                        ctx.iso(con.day),
                        None,
                        ctx.iso(con.day),
                        "MASH officer",
                        "fact",
                    )
                )
    voice.close()
    links.close()


# --- CIN census -------------------------------------------------------------------------------------------------

DISABILITIES = ("MOB", "HAND", "PC", "INC", "COMM", "LD", "HEAR", "VIS", "BEH", "CON", "AUT", "DDA")


def _cin_census(
    ctx: Ctx, referrals: list[Referral], known: dict[int, list[str]], lid_of: LidOf, rnd: random.Random
) -> None:
    w = ctx.world
    ref_day = w.ref
    year_start = ref_day - 364
    by_child: dict[int, list[Referral]] = {}
    for r in referrals:
        if r.day <= ref_day and (r.close_day is None or r.close_day >= year_start):
            by_child.setdefault(r.child, []).append(r)
    path = ctx.root / "csc" / "cin_census.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    d = ctx.iso
    year = w.cfg.reference_date.year
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<Message>",
        "<Header>",
        "<CollectionDetails><Collection>CIN</Collection>"
        f"<Year>{year}</Year><ReferenceDate>{d(ref_day)}</ReferenceDate></CollectionDetails>",
        "<Source><SourceLevel>L</SourceLevel><LEA>999</LEA><SoftwareCode>Jigsaw synthetic county</SoftwareCode>"
        f"<Release>1</Release><SerialNo>001</SerialNo><DateTime>{d(ref_day)}T00:00:00</DateTime></Source>",
        "</Header>",
        "<Children>",
    ]
    position = 0
    for child in sorted(by_child, key=lambda c: lid_of(c)):
        position += 1
        lid = lid_of(child)
        ctx.truth.person("csc", f"csc|cin_census|{lid}", child)
        born = int(w.dob[child])
        unborn = born > ref_day
        x = ["<Child>", "<ChildIdentifiers>", f"<LAchildID>{lid}</LAchildID>"]
        upn = w.upn.get(child)
        if upn and rnd.random() < 0.85:
            x.append(f"<UPN>{upn}</UPN>")
        elif unborn or w.age_years(child, ref_day) < 4.3:
            x.append("<UPNunknown>UN1</UPNunknown>")
        if unborn:
            x.append(f"<ExpectedPersonBirthDate>{d(born)}</ExpectedPersonBirthDate>")
        else:
            x.append(f"<PersonBirthDate>{d(born)}</PersonBirthDate>")
        x.append(f"<Sex>{w.sex[child]}</Sex>")
        x.append("</ChildIdentifiers>")
        x.append("<ChildCharacteristics>")
        x.append(f"<Ethnicity>{'NOBT' if unborn else w.ethnicity[child]}</Ethnicity>")
        dis = "NONE" if rnd.random() < 0.9 else rnd.choice(DISABILITIES)
        x.append(f"<Disabilities><Disability>{dis}</Disability></Disabilities>")
        x.append("</ChildCharacteristics>")
        for r in sorted(by_child[child], key=lambda r: r.day):
            x.append("<CINdetails>")
            x.append(f"<CINreferralDate>{d(r.day)}</CINreferralDate>")
            x.append(f"<ReferralSource>{r.source}</ReferralSource>")
            x.append(f"<PrimaryNeedCode>{r.need_code}</PrimaryNeedCode>")
            if r.close_day is not None:
                x.append(f"<CINclosureDate>{d(r.close_day)}</CINclosureDate>")
                x.append(f"<ReasonForClosure>{r.close_reason}</ReasonForClosure>")
            if r.cp_plan is not None:
                x.append(f"<DateOfInitialCPC>{d(r.cp_plan.start)}</DateOfInitialCPC>")
            a = r.assessment
            if a is not None:
                x.append("<Assessments>")
                x.append(f"<AssessmentActualStartDate>{d(a.start)}</AssessmentActualStartDate>")
                if a.auth is not None:
                    x.append(f"<AssessmentAuthorisationDate>{d(a.auth)}</AssessmentAuthorisationDate>")
                    x.append("<FactorsIdentifiedAtAssessment>")
                    x.extend(f"<AssessmentFactors>{f}</AssessmentFactors>" for f in a.factors)
                    x.append("</FactorsIdentifiedAtAssessment>")
                x.append("</Assessments>")
            if r.cin_plan is not None:
                s0, e0 = r.cin_plan
                x.append(f"<CINPlanDates><CINPlanStartDate>{d(s0)}</CINPlanStartDate>")
                if e0 is not None:
                    x.append(f"<CINPlanEndDate>{d(e0)}</CINPlanEndDate>")
                x.append("</CINPlanDates>")
            if r.s47 is not None:
                s = r.s47
                x.append(f"<Section47><S47ActualStartDate>{d(s.start)}</S47ActualStartDate>")
                x.append(f"<InitialCPCtarget>{d(s.start + 15)}</InitialCPCtarget>")
                if s.icpc_day is not None:
                    x.append(f"<DateOfInitialCPC>{d(s.icpc_day)}</DateOfInitialCPC>")
                x.append(f"<ICPCnotRequired>{'1' if s.nfa else '0'}</ICPCnotRequired></Section47>")
            x.append(f"<ReferralNFA>{'1' if r.nfa else '0'}</ReferralNFA>")
            if r.cp_plan is not None:
                cp = r.cp_plan
                x.append(f"<ChildProtectionPlans><CPPstartDate>{d(cp.start)}</CPPstartDate>")
                if cp.end is not None:
                    x.append(f"<CPPendDate>{d(cp.end)}</CPPendDate>")
                x.append(f"<InitialCategoryOfAbuse>{cp.initial}</InitialCategoryOfAbuse>")
                x.append(f"<LatestCategoryOfAbuse>{cp.latest}</LatestCategoryOfAbuse>")
                x.append("<NumberOfPreviousCPP>0</NumberOfPreviousCPP></ChildProtectionPlans>")
            x.append("</CINdetails>")
        x.append("</Child>")
        out.append("".join(x))
    out.append("</Children>")
    out.append("</Message>")
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    ctx.truth.stats["cin_census_children"] = position


def _ssda903(
    ctx: Ctx, referrals: list[Referral], known: dict[int, list[str]], lid_of: LidOf, rnd: random.Random
) -> None:
    w, ev = ctx.world, ctx.events
    header = Table(ctx.root, "csc.ssda903_header")
    episodes = Table(ctx.root, "csc.ssda903_episodes")
    missing = Table(ctx.root, "csc.ssda903_missing")
    cla_children: dict[int, list[tuple[CLAEpisode, str]]] = {}
    for r in sorted(referrals, key=lambda r: r.day):
        if r.cla:
            cla_children.setdefault(r.child, []).extend((e, r.need_code) for e in r.cla)
    for child in sorted(cla_children, key=lambda c: lid_of(c)):
        lid = lid_of(child)
        born = int(w.dob[child])
        upn = w.upn.get(child) or ("UN1" if w.age_years(child, w.ref) < 5 else "UN5")
        header.add(
            (
                lid,
                "1" if w.sex[child] == "M" else "2",
                ctx.uk(born),
                w.ethnicity[child],
                upn,
                "0" if (w.sex[child] == "F" and w.age_years(child, w.ref) > 12) else None,
                None,
            )
        )
        ctx.truth.person("csc", header.key(lid), child)
        seen: set[int] = set()
        pairs = sorted(cla_children[child], key=lambda e: e[0].start)
        eps = [e for e, _ in pairs]
        home = w.address_at(child, eps[0].start)
        for ep, need_code in pairs:
            if ep.start in seen:
                continue
            seen.add(ep.start)
            episodes.add(
                (
                    lid,
                    ctx.uk(ep.start),
                    ep.reason_new,
                    ep.legal_status,
                    need_code,
                    ep.placement,
                    ep.provider,
                    ctx.uk(ep.end),
                    ep.reason_end,
                    ep.reason_place_change,
                    w.postcode(home),
                    w.postcode(ep.placement_addr) if ep.placement_addr is not None else None,
                    f"SC{(child * 7) % 1000000:06d}" if ep.placement.startswith("K") else None,
                )
            )
            ep.key903 = episodes.key(f"{lid}:{ctx.uk(ep.start)}")
        starts: set[int] = set()
        for m in sorted(ev.missing, key=lambda m: m.start):
            if m.child != child or m.start in starts:
                continue
            if any(e.start <= m.start and (e.end is None or m.start < e.end) for e in eps):
                starts.add(m.start)
                m.looked_after = True
                missing.add((lid, ctx.uk(born), m.kind, ctx.uk(m.start), ctx.uk(m.end)))
                m.key903 = missing.key(f"{lid}:{ctx.uk(m.start)}")
    header.close()
    episodes.close()
    missing.close()
