"""Early help: clients (children and their parents) and episodes."""

from __future__ import annotations

from ingest.synthetic.events import Contact, Occurrence, Referral
from ingest.synthetic.output import Counter, Ctx, Table, flag
from ingest.synthetic.world import CHILD


def _reference(obj: object | None) -> str | None:
    if isinstance(obj, (Occurrence, Referral, Contact)) and obj.key:
        return obj.key.split("|", 2)[2]
    return None


def render_early_help(ctx: Ctx) -> None:
    w, ev, truth = ctx.world, ctx.events, ctx.truth
    rnd = ctx.rnd("early_help")
    noise = ctx.noise("early_help", rnd)
    iso = ctx.iso
    episodes = sorted(ev.eh, key=lambda e: e.referral_day)
    first: dict[int, int] = {}
    for ep in episodes:
        first.setdefault(ep.child, ep.referral_day)
        h = int(w.hh_of[ep.child])
        for adult in (int(w.mother[h]), int(w.father[h])):
            if adult >= 0 and not ev.is_hidden("early_help", adult):
                first.setdefault(adult, ep.referral_day)
    clients = Table(ctx.root, "early_help.clients")
    cl = Counter("EHP", 7)
    ids: dict[int, str] = {}
    for pid in sorted(first, key=lambda p: (first[p], p)):
        n_rec = 2 if noise.duplicate() else 1
        h = int(w.hh_of[pid])
        child = int(w.role[pid]) == CHILD
        for k in range(n_rec):
            boost = 1.0 if k == 0 else 3.0
            c_id = cl()
            a = w.address_at(pid, first[pid])
            clients.add(
                (
                    c_id,
                    f"EHF{h:06d}" if h >= 0 else None,
                    noise.forename(w.forename[pid], boost),
                    noise.surname(w.surname[pid], w.birth_surname[pid], boost),
                    iso(noise.dob(int(w.dob[pid]), boost)),
                    str(w.sex[pid]),
                    w.nhs[pid] if noise.keep_id(boost) else None,
                    w.upn.get(pid) if child and noise.keep_id(boost) else None,
                    w.address_line(a),
                    w.postcode(a),
                    "child" if child else "parent",
                    iso(first[pid]),
                    "Early help practitioner",
                    "fact",
                )
            )
            truth.person("early_help", clients.key(c_id), pid)
            ids.setdefault(pid, c_id)
    clients.close()
    table = Table(ctx.root, "early_help.episodes")
    eid = Counter("EHE", 7)
    for ep in episodes:
        e_id = eid()
        ep.key = table.key(e_id)
        table.add(
            (
                e_id,
                ids[ep.child],
                iso(ep.referral_day),
                ep.source,
                _reference(ep.referrer_ref),
                ep.reason,
                ep.consent,
                iso(ep.start),
                iso(ep.end),
                ep.closure,
                flag(ep.risk_noted) if ep.end is not None else None,
                rnd.choice(("Family support worker", "Early help practitioner", "School family worker")),
                ep.summary,
                iso(ep.end or ep.start or ep.referral_day),
                "Early help practitioner",
                "opinion" if ep.risk_noted else "fact",
            )
        )
    table.close()
    truth.stats["early_help"] = {"clients": cl.i, "episodes": eid.i}
