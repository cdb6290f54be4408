"""Shared console helpers for the CLI: one rich console, and turning known errors into clear messages."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.logging import RichHandler

from graph.config import ConfigError
from graph.server.local import ServerError

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")

# Errors whose message is written for the user; anything else is a bug and keeps its traceback.
USER_ERRORS: tuple[type[Exception], ...] = (ConfigError, ServerError)


def register_user_error(exc_type: type[Exception]) -> None:
    global USER_ERRORS
    if exc_type not in USER_ERRORS:
        USER_ERRORS = (*USER_ERRORS, exc_type)


def setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(message)s",
        handlers=[RichHandler(console=err_console, show_path=False, show_time=False)],
        force=True,
    )
    logging.getLogger("neo4j").setLevel(logging.WARNING)
    # the server's notifications (unknown label on a fresh graph...) are for developers, not users
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Print a known error as one red line (no traceback) and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except USER_ERRORS as exc:
            err_console.print(f"[bold red]error:[/] {exc}")
            raise typer.Exit(1) from None

    return wrapper
