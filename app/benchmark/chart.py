"""Cost against size: read every ``bench-<children>.json`` in a folder, fit log(cost) against log(size) for
each cost (slope ~1: grows linearly; above 1: worse than linear; below 1: better), write ``growth.json`` and a
PNG chart (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

# the costs drawn, by panel: (label, path into the JSON, unit)
PANELS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "stage wall time (s)": [
        ("generate", ("stages", "generate")),
        ("ingest (real)", ("ingest", "ingest_seconds")),
        ("ingest baseline", ("ingest", "baseline_seconds")),
        ("resolve", ("resolution", "seconds")),
        ("pattern sweep", ("patterns", "sweep_seconds")),
    ],
    "case latency, warm (ms)": [
        ("picture p50", ("picture", "picture", "p50_ms")),
        ("picture p95", ("picture", "picture", "p95_ms")),
        ("case page p95", ("picture", "case_page", "p95_ms")),
    ],
    "peak memory (MB)": [
        ("Jigsaw process RSS", ("memory", "jigsaw_peak_rss_mb")),
        ("Neo4j server RSS", ("memory", "neo4j_peak_rss_mb")),
    ],
}


def load_runs(folder: Path) -> list[dict[str, Any]]:
    runs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("bench-*.json"))]
    return sorted(runs, key=lambda r: int(r["children"]))


def _get(run: dict[str, Any], path: tuple[str, ...]) -> float | None:
    value: Any = run
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return float(value) if isinstance(value, int | float) and value > 0 else None


def loglog_slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log(y) on log(x); None with fewer than two points."""
    if len(xs) < 2:
        return None
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((a - mx) ** 2 for a in lx)
    if den == 0:
        return None
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / den


def growth_word(slope: float | None) -> str:
    if slope is None:
        return "one size only"
    if slope < -0.25:
        return "falls: noise (load or code differed between runs)"
    if slope < 0.25:
        return "flat"
    if slope < 0.85:
        return "sublinear"
    if slope <= 1.15:
        return "linear"
    return "worse than linear"


def pattern_series(runs: list[dict[str, Any]]) -> list[tuple[str, tuple[str, ...]]]:
    names = sorted({name for r in runs for name in r.get("patterns", {}).get("by_pattern", {})})
    return [(name, ("patterns", "by_pattern", name, "seconds")) for name in names]


def growth(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """For each cost: the sizes, the values, the log-log slope and a word for it."""
    panels = {**PANELS, "each pattern (s)": pattern_series(runs)}
    out: dict[str, dict[str, Any]] = {}
    for panel, series in panels.items():
        for label, path in series:
            points = [(float(r["children"]), v) for r in runs if (v := _get(r, path)) is not None]
            slope = loglog_slope([p[0] for p in points], [p[1] for p in points])
            out[f"{panel}: {label}"] = {
                "children": [int(p[0]) for p in points], "values": [p[1] for p in points],
                "slope": round(slope, 2) if slope is not None else None, "growth": growth_word(slope),
            }  # fmt: skip
    return out


def write_chart(folder: Path, out: Path | None = None) -> Path:
    """Draw cost against size for the runs in ``folder``; writes ``growth.json`` beside the PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = load_runs(folder)
    if not runs:
        raise FileNotFoundError(f"no bench-*.json in {folder}")
    fits = growth(runs)
    panels = {**PANELS, "each pattern (s)": pattern_series(runs)}
    fig, axes = plt.subplots(2, 2, figsize=(15, 11))
    for ax, (panel, series) in zip(axes.flat, panels.items(), strict=True):
        for label, _path in series:
            fit = fits[f"{panel}: {label}"]
            if not fit["values"]:
                continue
            slope = "" if fit["slope"] is None else f", slope {fit['slope']:.2f} ({fit['growth']})"
            ax.plot(fit["children"], fit["values"], marker="o", label=f"{label}{slope}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("children in the county")
        ax.set_title(panel)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7 if panel.startswith("each") else 8)
    loads = ", ".join(
        f"{r['children']:,}: load {max(v['after'] for v in r['load_average'].values()):.1f}" for r in runs
    )
    fig.suptitle(
        "Jigsaw: cost against county size (log-log; slope of log cost on log size: 1 = linear, >1 = worse)\n"
        f"2-core shared machine, peak 1-min load average per run: {loads}",
        fontsize=11,
    )
    fig.tight_layout()
    path = out or folder / "cost-vs-size.png"
    fig.savefig(path, dpi=90)
    plt.close(fig)
    (folder / "growth.json").write_text(json.dumps(fits, indent=2) + "\n", encoding="utf-8")
    return path
