"""Generate a synthetic county: the world, its events, the planted patterns, every agency's files, the truth."""

from __future__ import annotations

import csv
import gc
import json
import logging
import multiprocessing
import shutil
import time
import traceback
from collections.abc import Callable
from datetime import date, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import numpy as np

from ingest.synthetic import emergent, patterns
from ingest.synthetic.badrows import plant_bad_rows
from ingest.synthetic.config import SynthConfig
from ingest.synthetic.output import Ctx, Truth, pid_text
from ingest.synthetic.pools import DateText
from ingest.synthetic.render.csc import render_csc
from ingest.synthetic.render.early_help import render_early_help
from ingest.synthetic.render.education import render_education
from ingest.synthetic.render.health import render_health
from ingest.synthetic.render.housing import render_housing
from ingest.synthetic.render.police import render_police
from ingest.synthetic.render.probation import render_probation
from ingest.synthetic.render.third_sector import render_third_sector
from ingest.synthetic.simulate import simulate
from ingest.synthetic.world import ROLE_NAMES, build_world

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

STEPS = (
    "building people, households and addresses",
    "simulating years of events",
    "planting patterns and case studies",
    "writing police (health and education in parallel)",
    "writing children's social care",
    "writing early help, probation, housing, third sector",
    "finishing health and education",
    "writing truth",
    "planting bad rows",
)
AGENCY_FOLDERS = (
    "police",
    "csc",
    "health",
    "education",
    "early_help",
    "probation",
    "housing",
    "third_sector",
    "truth",
)
AGENCY_ORDER = {a: i for i, a in enumerate(AGENCY_FOLDERS)}
# events whose record keys the health and education writers set (sent back from the worker process)
KEYED_BY_WORKER = ("encounters", "health_flags", "maternity", "exclusions", "cme")


def generate(cfg: SynthConfig, progress: Progress | None = None) -> Truth:
    """Write the county under cfg.out; returns the truth (also written to cfg.out/truth)."""
    step = progress or (lambda _name: None)
    t0 = time.perf_counter()
    out = cfg.out
    out.mkdir(parents=True, exist_ok=True)
    for folder in AGENCY_FOLDERS:  # a re-run replaces the county, never mixes two
        if (out / folder).exists():
            shutil.rmtree(out / folder)
    rng = np.random.default_rng([cfg.seed, 1])

    step(STEPS[0])
    world = build_world(cfg, rng)
    step(STEPS[1])
    events, sim = simulate(world, cfg.seed)
    step(STEPS[2])
    planted = patterns.plant(world, events, sim, cfg.seed)

    first = date(1900, 1, 1)
    last = cfg.reference_date + timedelta(days=3660)
    ctx = Ctx(world=world, events=events, root=out, truth=Truth(), dates=DateText(first, last), seed=cfg.seed)
    step(STEPS[3])
    worker = _start_worker(ctx)
    render_police(ctx)
    step(STEPS[4])
    render_csc(ctx)
    step(STEPS[5])
    render_early_help(ctx)
    render_probation(ctx)
    render_housing(ctx)
    render_third_sector(ctx)
    step(STEPS[6])
    _finish_worker(ctx, worker)
    # the same order whichever process wrote what: agency by agency, each in its own writing order
    ctx.truth.persons.sort(key=lambda item: AGENCY_ORDER[item[0].split("|", 1)[0]])
    step(STEPS[7])
    found = emergent.label(world, events, ctx.truth, planted)
    ctx.truth.patterns = patterns.materialise(planted + found, ctx)
    ctx.truth.stats.update(patterns.base_rates(ctx))
    write_truth(ctx)
    step(STEPS[8])
    if cfg.bad_rows:
        plant_bad_rows(ctx)
        write_bad_rows(ctx)
    log.info("county of %d children written to %s in %.1f s", cfg.children, out, time.perf_counter() - t0)
    return ctx.truth


def _health_and_education(ctx: Ctx) -> dict[str, Any]:
    ctx.truth = Truth()
    render_health(ctx)
    render_education(ctx)
    keys = {name: [e.key for e in getattr(ctx.events, name)] for name in KEYED_BY_WORKER}
    return {
        "persons": ctx.truth.persons,
        "mentions": ctx.truth.mentions,
        "stats": ctx.truth.stats,
        "links": ctx.truth.links,
        "absences": ctx.truth.absences,
        "keys": keys,
    }


def _worker_main(ctx: Ctx, conn: Connection) -> None:
    # the child never collects what it inherited: a cycle the parent left (a driver, a DuckDB or Streamlit
    # object) may hold native state that is not fork-safe, and collecting it here crashed the worker
    gc.freeze()
    try:
        conn.send({"ok": True, **_health_and_education(ctx)})
    except BaseException:  # report anything to the parent, which raises it
        conn.send({"ok": False, "error": traceback.format_exc()})
    finally:
        conn.close()


Worker = tuple[Any, Connection] | dict[str, Any]


def _start_worker(ctx: Ctx) -> Worker:
    """Write health and education in a forked process (the two biggest extracts, which depend on no other
    agency's record ids) while this process writes the rest. Without fork, they are written here."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return _health_and_education(_copy_ctx(ctx))
    gc.collect()  # the parent's garbage is collected here, where its native parts are safe to free
    mp = multiprocessing.get_context("fork")
    recv, send = mp.Pipe(duplex=False)
    proc = mp.Process(target=_worker_main, args=(ctx, send), daemon=True)
    proc.start()
    send.close()
    return proc, recv


def _copy_ctx(ctx: Ctx) -> Ctx:
    return Ctx(
        world=ctx.world, events=ctx.events, root=ctx.root, truth=Truth(), dates=ctx.dates, seed=ctx.seed
    )


def _finish_worker(ctx: Ctx, worker: Worker) -> None:
    if isinstance(worker, dict):
        result = worker
    else:
        proc, recv = worker
        result = recv.recv()
        proc.join()
        if not result.get("ok"):
            raise RuntimeError("writing health and education failed:\n" + result.get("error", ""))
    for key, pid in result["persons"]:
        ctx.truth.person(key.split("|", 1)[0], key, pid)
    ctx.truth.mentions.extend(result["mentions"])
    ctx.truth.stats.update(result["stats"])
    ctx.truth.links.extend(result["links"])
    ctx.truth.absences.extend(result["absences"])
    for name, keys in result["keys"].items():
        for event, key in zip(getattr(ctx.events, name), keys, strict=True):
            event.key = key


def write_truth(ctx: Ctx) -> None:
    w, truth = ctx.world, ctx.truth
    folder = ctx.root / "truth"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "persons.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(("record_key", "person_id"))
        out.writerows((key, pid_text(pid)) for key, pid in truth.persons)
    with (folder / "mentions.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(("record_key", "mention", "person_id"))
        out.writerows((key, name, pid_text(pid)) for key, name, pid in truth.mentions)
    with (folder / "people.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(("person_id", "role", "sex", "dob", "forename", "surname", "household", "nhs_number",
                      "upn", "pnc_id"))  # fmt: skip
        for pid in range(w.n):
            h = int(w.hh_of[pid])
            out.writerow(
                (
                    pid_text(pid),
                    ROLE_NAMES[int(w.role[pid])],
                    str(w.sex[pid]),
                    ctx.iso(int(w.dob[pid])),
                    w.forename[pid],
                    w.surname[pid],
                    f"H{h:06d}" if h >= 0 else "",
                    w.nhs[pid],
                    w.upn.get(pid, ""),
                    w.pnc.get(pid, ""),
                )
            )
    with (folder / "relationships.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(("person_a", "person_b", "relationship", "from_date", "to_date"))
        for a, b, kind, f, t in w.rels:
            out.writerow((pid_text(a), pid_text(b), kind, ctx.iso(f) if f is not None else "",
                          ctx.iso(t) if t is not None else ""))  # fmt: skip
    (folder / "patterns.json").write_text(json.dumps(truth.patterns, indent=1) + "\n", encoding="utf-8")
    summary = {
        "children": w.cfg.children,
        "seed": w.cfg.seed,
        "reference_date": w.cfg.reference_date.isoformat(),
        "people": w.n,
        "adults_per_child": round((w.n - w.cfg.children) / w.cfg.children, 3),
        "households": w.n_hh,
        "person_records": len(truth.persons),
        "stats": truth.stats,
    }
    (folder / "summary.json").write_text(
        json.dumps(summary, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )


def write_bad_rows(ctx: Ctx) -> None:
    with (ctx.root / "truth" / "bad_rows.csv").open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(("file", "row", "field", "reason"))
        out.writerows(sorted(ctx.truth.bad_rows))


__all__ = ["STEPS", "SynthConfig", "generate", "Path"]
