"""Load Cypher kept in ``.cypher`` files by name, through importlib.resources.

Each file holds one statement after a header of ``//`` comments (purpose, parameters, returned columns).
A typo in a name fails loudly at load time; tests run EXPLAIN on every file against the real server.
"""

from __future__ import annotations

import functools
from importlib import resources

PACKAGES = ("graph.cypher", "queries")


@functools.cache
def load(name: str, package: str = "graph.cypher") -> str:
    """The text of ``<package>/<name>.cypher``."""
    path = resources.files(package) / f"{name}.cypher"
    if not path.is_file():
        raise KeyError(f"no Cypher file {name}.cypher in {package}")
    return path.read_text(encoding="utf-8")


def names(package: str = "graph.cypher") -> list[str]:
    return sorted(
        entry.name.removesuffix(".cypher")
        for entry in resources.files(package).iterdir()
        if entry.name.endswith(".cypher")
    )


def header(text: str) -> str:
    """The leading ``//`` comment block of a Cypher file."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        lines.append(line[2:].strip())
    return "\n".join(lines)
