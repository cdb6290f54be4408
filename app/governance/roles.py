"""Roles: what each role may see (data minimisation, per agency) and do, from a YAML file.

The shipped default is :data:`DEFAULT_ROLES_YAML` (``jigsaw users roles --default`` prints it). A force or
council copies it, edits it, and points ``JIGSAW_ROLES_FILE`` (or ``[governance] roles_file`` in
jigsaw.toml) at the copy.

For each role and agency the access level is ``detail`` (the whole fact), ``summary`` (that the agency holds
a fact, its type, dates, source and fact/opinion marker: enough to ask that agency, not its content) or
``none`` (not shown). :meth:`RolePolicy.redact_facts` applies it; the query layer calls it, so a role never
receives what it may not see, whatever the UI does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.governance.errors import PermissionDenied, PolicyError, describe_validation

Permission = Literal[
    "search",
    "view_case",
    "export",
    "decide_alerts",
    "review_matches",
    "query_audit",
    "manage_users",
    "ingest",
    "review_retention",
]
PERMISSIONS: tuple[str, ...] = get_args(Permission)
Level = Literal["detail", "summary", "none"]

# The server's operators using the CLI (audited under their OS user name). Not a role a person logs in with:
# it may manage users and query the audit, and sees no case data.
OPERATOR_ROLE = "operator"
OPERATOR_PERMISSIONS = frozenset({"manage_users", "query_audit", "ingest"})

DEFAULT_ROLES_YAML = """\
# Jigsaw roles: what each role sees and may do.
# Copy this file, edit it, and set JIGSAW_ROLES_FILE (or [governance] roles_file in jigsaw.toml) to the copy.
#
# Access per agency: detail (the whole fact), summary (that the agency holds a fact: type, dates, source,
# fact/opinion; not its content), none (not shown). Agencies a role does not list get its `default`.
# Permissions: search, view_case, export, decide_alerts, review_matches, query_audit, manage_users, ingest,
# review_retention (flag records past their review date, record reviews and deletions).

# The agencies facts come from (graph/model.py AGENCIES).
agencies: [police, csc, health, education, early_help, probation, housing, third_sector]

# What a summary keeps of a fact; every other key (detail, description, notes...) is removed.
summary_fields: [fact_key, fact_type, agency, basis, occurred_on, recorded_on, source_system,
                 source_table, source_record_id, recorded_by_role, person_id, legal_basis]

roles:
  mash_police:
    label: MASH police
    default: summary
    detail: [police, csc, probation, housing]
    permissions: [search, view_case, export, decide_alerts]
  social_care:
    label: Children's social care
    default: summary
    detail: [csc, police, education, early_help, probation, housing, third_sector]
    permissions: [search, view_case, export, decide_alerts]
  health:
    label: Health (MASH health practitioner)
    default: summary
    detail: [health, csc]
    permissions: [search, view_case]
  education:
    label: Education
    default: summary
    detail: [education, early_help]
    permissions: [search, view_case]
  analyst:
    label: MASH analyst
    default: summary
    detail: [police, csc, education, early_help, probation, housing, third_sector]
    permissions: [search, view_case, review_matches, ingest]
  supervisor:
    label: MASH supervisor
    default: detail
    permissions: [search, view_case, export, decide_alerts, review_matches, review_retention]
  auditor:
    label: Auditor (information governance)
    default: none
    permissions: [query_audit]
  admin:
    label: Administrator
    default: none
    permissions: [manage_users, ingest]
"""


class RoleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str
    default: Level = "none"
    detail: tuple[str, ...] = ()
    summary: tuple[str, ...] = ()
    none: tuple[str, ...] = ()
    permissions: tuple[Permission, ...] = ()

    @model_validator(mode="after")
    def _each_agency_once(self) -> RoleSpec:
        listed = [*self.detail, *self.summary, *self.none]
        twice = sorted({a for a in listed if listed.count(a) > 1})
        if twice:
            raise ValueError(f"agencies listed under more than one access level: {', '.join(twice)}")
        return self

    def level(self, agency: str) -> Level:
        if agency in self.detail:
            return "detail"
        if agency in self.summary:
            return "summary"
        if agency in self.none:
            return "none"
        return self.default


class RolePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    agencies: tuple[str, ...]
    summary_fields: tuple[str, ...]
    roles: dict[str, RoleSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> RolePolicy:
        known = set(self.agencies)
        for name, spec in self.roles.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]{1,39}", name):
                raise ValueError(f"role name {name!r}: use lower case letters, digits and _")
            if name == OPERATOR_ROLE:
                raise ValueError(f"{OPERATOR_ROLE!r} is reserved for the CLI's operators")
            unknown = sorted({*spec.detail, *spec.summary, *spec.none} - known)
            if unknown:
                raise ValueError(f"role {name}: unknown agencies {', '.join(unknown)} (not in `agencies`)")
        for needed in ("manage_users", "query_audit"):
            if not any(needed in spec.permissions for spec in self.roles.values()):
                raise ValueError(f"no role has the {needed} permission")
        if "detail" in self.summary_fields:
            raise ValueError("summary_fields must not include `detail`")
        return self

    # -- roles and permissions ------------------------------------------------------------------------
    def role(self, name: str) -> RoleSpec:
        try:
            return self.roles[name]
        except KeyError:
            raise PolicyError(f"unknown role {name!r}; roles: {', '.join(self.roles)}") from None

    def check_role(self, name: str) -> str:
        """``name`` if it is a role of this policy (the operator is not one), else PolicyError."""
        self.role(name)
        return name

    def allows(self, role: str, permission: str) -> bool:
        if permission not in PERMISSIONS:
            raise PolicyError(f"unknown permission {permission!r}")
        if role == OPERATOR_ROLE:
            return permission in OPERATOR_PERMISSIONS
        return permission in self.role(role).permissions

    def require(self, role: str, permission: str) -> None:
        if not self.allows(role, permission):
            who = [r for r in self.roles if permission in self.roles[r].permissions]
            raise PermissionDenied(
                f"the {role} role may not {permission.replace('_', ' ')} (roles that may: {', '.join(who) or 'none'})"
            )

    def level(self, role: str, agency: str | None) -> Level:
        """The access level of ``role`` to facts of ``agency``.

        A fact with no agency, or one the policy does not know, gets the role's default capped at summary:
        a fact of unknown origin is never shown in detail.
        """
        if role == OPERATOR_ROLE:
            return "none"
        spec = self.role(role)
        if agency is None or agency not in self.agencies:
            return "none" if spec.default == "none" else "summary"
        return spec.level(agency)

    def detail_roles(self, agency: str) -> list[str]:
        """The roles that see ``agency``'s facts in detail."""
        return [r for r in self.roles if self.level(r, agency) == "detail"]

    # -- data minimisation ----------------------------------------------------------------------------
    def redact_facts(self, facts: Iterable[Mapping[str, Any]], role: str) -> list[dict[str, Any]]:
        """The facts ``role`` may see: whole (detail), reduced to ``summary_fields`` (summary), or left out.

        Pure: the input is not changed. Each output fact carries ``restricted`` (bool); a summary also has
        ``detail`` = None and a ``restricted_note`` naming the roles that see the detail.
        """
        out: list[dict[str, Any]] = []
        for fact in facts:
            agency = fact.get("agency")
            level = self.level(role, agency if isinstance(agency, str) else None)
            if level == "detail":
                out.append({**fact, "restricted": False})
            elif level == "summary":
                kept = {k: fact[k] for k in self.summary_fields if k in fact}
                who = self.detail_roles(agency) if isinstance(agency, str) else []
                note = f"{agency or 'unknown agency'} detail is restricted"
                note += f" to the {', '.join(who)} role(s)" if who else ""
                out.append({**kept, "detail": None, "restricted": True, "restricted_note": note})
        return out


def parse_policy(text: str, source: str = "roles file") -> RolePolicy:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{source}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: expected a mapping with agencies, summary_fields and roles")
    try:
        return RolePolicy.model_validate(raw)
    except ValidationError as exc:
        raise PolicyError(f"{source}: {describe_validation(exc)}") from None


@functools.cache
def default_policy() -> RolePolicy:
    return parse_policy(DEFAULT_ROLES_YAML, "default roles")


def load_policy(path: Path | None = None) -> RolePolicy:
    """The policy from ``path``, or the shipped default when ``path`` is None."""
    if path is None:
        return default_policy()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot read the roles file {path}: {exc.strerror}") from None
    return parse_policy(text, str(path))
