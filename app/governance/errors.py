"""The errors governance raises. Each message is written for the user and names no child."""

from __future__ import annotations

from pydantic import ValidationError


class GovernanceError(Exception):
    """Base class: a refusal or a broken governance file, with a message fit to show the user."""


class AuthenticationError(GovernanceError):
    """Login refused (unknown user, wrong password, disabled account, no role from the identity provider)."""


class SessionExpired(AuthenticationError):
    """The session passed its idle timeout or its maximum age, or the account changed: log in again."""


class PermissionDenied(GovernanceError):
    """The role does not allow this action."""


class PolicyError(GovernanceError):
    """A roles file, a user, a purpose or a gateway is not valid."""


class AuditError(GovernanceError):
    """The audit log cannot be written or read. Jigsaw shows no data it cannot audit."""


def describe_validation(exc: ValidationError) -> str:
    """A pydantic ValidationError as one line: ``field: problem (got value)``, joined by ``;``."""
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "value"
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "string_too_short":
            msg = f"at least {err.get('ctx', {}).get('min_length')} characters"
        got = err.get("input")
        if isinstance(got, str | int | float) and err["type"] not in {"value_error", "string_too_short"}:
            msg += f" (got {got!r})"
        problems.append(f"{where}: {msg}")
    return "; ".join(problems)
