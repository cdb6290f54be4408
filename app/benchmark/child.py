"""A benchmark stage in a process of its own, so that each stage's memory is its own.

The budget (docs/scaling.md) is 6 GiB per Jigsaw process at 200,000 children. Run one after the other in one
process, the stages' memory piled up: Python keeps much of what a stage freed, so the one-run benchmark
peaked at 9.7 GB where each stage run on its own stayed within the budget. Each heavy stage (generating the
county, the ingest, resolution) now runs in a forked child: the stage's function needs no pickling, its
result comes back through a pipe, and its peak is the child's own (``ru_maxrss``).
"""

from __future__ import annotations

import multiprocessing
import resource
import traceback
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class StageFailed(RuntimeError):
    """A stage run in a process of its own failed or died; the message says which and why."""


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux: KiB


def run_in_child(work: Callable[[], T], name: str) -> tuple[T, float]:
    """``work()`` in a forked child process: (its result, the child's peak RSS in MiB).

    The child must not use a Neo4j driver of the parent (a forked copy shares its sockets): ``work`` opens its
    own. An error in the child is raised here as ``StageFailed`` with the child's traceback as text; a child
    that dies without a result (the kernel's out-of-memory killer, say) is reported with its exit code.
    """
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def target() -> None:
        receive.close()
        outcome: tuple[str, Any, float]
        try:
            outcome = ("ok", work(), _peak_rss_mb())
        except BaseException:  # noqa: BLE001 - whatever it was, the parent reports it
            outcome = ("error", traceback.format_exc(), _peak_rss_mb())
        send.send(outcome)
        send.close()

    process = context.Process(target=target, name=f"jigsaw-bench-{name}")
    process.start()
    send.close()
    try:
        status, value, peak = receive.recv()  # before join: a large result fills the pipe until it is read
    except EOFError:
        process.join()
        raise StageFailed(
            f"the {name} stage's process ended without a result (exit code {process.exitcode}; "
            "-9 is a kill, often the kernel's out-of-memory killer)"
        ) from None
    finally:
        receive.close()
    process.join()
    if status == "error":
        raise StageFailed(f"the {name} stage failed in its own process:\n{value}")
    return value, peak
