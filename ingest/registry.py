"""Which adapter reads which file: detection by agency, format name, file name and header.

Adapters register themselves in ``ADAPTERS`` (see ``ingest/adapters/__init__.py``). ``plan`` walks the
paths the user gave and says, for every file, which adapter will read it, or why none can.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.framework import Adapter, BadFileError, csv_header

ADAPTERS: list[Adapter] = []

# Files in a county folder that are not agency data.
SKIP_DIRS = {"truth", "__MACOSX"}
SKIP_SUFFIXES = {".md", ".txt", ".xsd", ".yml", ".yaml", ".zip", ".adoc", ".py"}


def register(adapter: Adapter) -> Adapter:
    if any(a.kind == adapter.kind for a in ADAPTERS):
        raise ValueError(f"two adapters claim the kind {adapter.kind}")
    ADAPTERS.append(adapter)
    return adapter


@dataclass(frozen=True)
class Unreadable:
    path: Path
    reason: str


def _header(path: Path) -> list[str]:
    if path.suffix.lower() != ".csv":
        return []
    try:
        return csv_header(path)
    except BadFileError:
        return []


def detect(path: Path, agency: str | None = None, fmt: str | None = None) -> Adapter | None:
    header = _header(path)
    candidates = [
        a
        for a in ADAPTERS
        if (agency is None or a.agency == agency)
        and (fmt is None or a.kind == fmt or a.kind.endswith("." + fmt))
    ]
    for adapter in candidates:
        if adapter.matches(path, header):
            return adapter
    return None


def files_under(paths: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not SKIP_DIRS.intersection(p.relative_to(path).parts)
                and p.suffix.lower() not in SKIP_SUFFIXES
                and not p.name.startswith(".")
            )
        elif path.exists():
            found.append(path)
        else:
            raise BadFileError(path, "no such file or folder")
    return found


def plan(
    paths: Sequence[Path], agency: str | None = None, fmt: str | None = None
) -> tuple[list[tuple[Adapter, Path]], list[Unreadable]]:
    """(adapter, file) for every file an adapter recognises, and the files none does."""
    chosen: list[tuple[Adapter, Path]] = []
    unknown: list[Unreadable] = []
    for path in files_under(paths):
        adapter = detect(path, agency, fmt)
        if adapter is None:
            what = f" as {agency or ''}{'/' if agency and fmt else ''}{fmt or ''}" if agency or fmt else ""
            unknown.append(Unreadable(path, f"no adapter recognises this file{what}"))
        else:
            chosen.append((adapter, path))
    return chosen, unknown
