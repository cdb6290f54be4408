"""``Governance``: the one object the app, the query layer and the CLI call for login, permissions,
redaction and the audit trail. Every check happens here, outside the UI.

Typical use in the app::

    gov = Governance.open()
    session = gov.authenticate(username, password)        # or gov.authenticate_oidc(st.user.to_dict())
    session = gov.check(session)                          # on every request: expiry, disabled, role change
    purpose = access_purpose(text, gateway_code)          # PolicyError when too short or consent
    gov.record(session, "case_view", person_id=child_id, purpose=purpose)   # before showing anything
    facts = gov.redact(session, facts)                    # what this role may see
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from app.governance.audit import ACTIONS, Actor, AuditEntry, AuditLog, VerifyResult, write_csv
from app.governance.config import GovernanceSettings, load_governance_settings
from app.governance.errors import AuthenticationError, PolicyError, SessionExpired
from app.governance.gateways import AccessPurpose
from app.governance.oidc import identity_from_claims
from app.governance.retention import ReviewFlag
from app.governance.roles import OPERATOR_ROLE, load_policy
from app.governance.users import (
    USERNAME_PATTERN,
    LoginMethod,
    LoginRefused,
    Session,
    User,
    UserStore,
    new_session,
)

# action -> the permission it needs when recorded through Governance.record
ACTION_PERMISSION: dict[str, str] = {
    "search": "search",
    "case_view": "view_case",
    "export": "export",
    "alert_decision": "decide_alerts",
    "match_decision": "review_matches",
    "ingest": "ingest",
    "retention_review": "review_retention",
    "deletion": "review_retention",
}
# recorded by Governance itself, never through record()
_OWN_ACTIONS = set(ACTIONS) - set(ACTION_PERMISSION)


def operator_actor() -> Actor:
    """The CLI's actor: the operating-system user running ``jigsaw``, with the operator role."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor(f"os:{name}", OPERATOR_ROLE)


class Governance:
    def __init__(
        self,
        settings: GovernanceSettings,
        hasher: PasswordHasher | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.settings = settings
        self.policy = load_policy(settings.roles_file)
        if settings.oidc is not None:
            settings.oidc.check_roles(self.policy)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.users = UserStore(settings.users_file, hasher)
        self.audit = AuditLog(settings.audit_file, self.clock)

    @classmethod
    def open(cls) -> Governance:
        """Governance for the configured data dir (``load_settings().server.data_dir / 'governance'``)."""
        return cls(load_governance_settings())

    # -- who is acting --------------------------------------------------------------------------------
    def _actor(self, who: Session | Actor) -> Actor:
        """The actor behind ``who``; a session must still be valid (not expired, account unchanged)."""
        if isinstance(who, Session):
            self._still_valid(who)
            return who.actor
        if who.role != OPERATOR_ROLE:
            raise PolicyError("a user acts through a Session (log in first); only the CLI acts as operator")
        return who

    def _still_valid(self, session: Session) -> None:
        now = self.clock()
        session.touched(now)  # raises when expired
        if session.method == "password":
            user = self.users.get(session.username)
            if user is None or user.disabled or user.role != session.role:
                raise SessionExpired("your account was changed or disabled: log in again")
        elif session.role not in self.policy.roles:
            raise SessionExpired("your role no longer exists: log in again")

    def require(self, who: Session | Actor, permission: str) -> Actor:
        actor = self._actor(who)
        self.policy.require(actor.role, permission)
        return actor

    # -- login ----------------------------------------------------------------------------------------
    def authenticate(self, username: str, password: str) -> Session:
        """Check the password and open a session. Every attempt is audited (login / login_failed)."""
        attempted = username.strip().lower()
        try:
            user = self.users.check_login(username, password)
        except LoginRefused as exc:
            # a username that is not a valid one may be a password typed in the wrong box: not recorded
            name = attempted if USERNAME_PATTERN.fullmatch(attempted) else "(not a valid username)"
            role = exc.user.role if exc.user else "unknown"
            self.audit.append(
                Actor(name, role), "login_failed", details={"method": "password", "reason": exc.reason}
            )
            raise
        if user.role not in self.policy.roles:
            self.audit.append(
                Actor(user.username, user.role),
                "login_failed",
                details={"method": "password", "reason": "unknown_role"},
            )
            raise AuthenticationError(
                f"your role {user.role!r} is not defined in the roles file: ask an administrator"
            )
        return self._open_session(user.username, user.role, "password")

    def authenticate_oidc(self, claims: Mapping[str, Any]) -> Session:
        """Open a session from an identity provider's verified claims (``st.user``). Audited like login."""
        if self.settings.oidc is None:
            raise AuthenticationError("OpenID Connect is not configured ([governance.oidc] in jigsaw.toml)")
        try:
            username, role = identity_from_claims(claims, self.settings.oidc, self.policy, self.clock())
        except AuthenticationError as exc:
            raw = claims.get(self.settings.oidc.username_claim)
            name = raw.strip().lower() if isinstance(raw, str) else "(no username claim)"
            if isinstance(raw, str) and not USERNAME_PATTERN.fullmatch(name):
                name = "(not a valid username)"
            self.audit.append(
                Actor(name, "unknown"), "login_failed", details={"method": "oidc", "reason": str(exc)}
            )
            raise
        return self._open_session(username, role, "oidc")

    def _open_session(self, username: str, role: str, method: LoginMethod) -> Session:
        session = new_session(
            username, role, self.settings.idle_timeout, self.settings.max_session_age, method, self.clock
        )
        self.audit.append(session.actor, "login", details={"method": method, "session": session.session_id})
        return session

    def check(self, session: Session) -> Session:
        """Call on every request: the session with its idle clock reset, or SessionExpired."""
        self._still_valid(session)
        return session.touched(self.clock())

    # -- recording what users do ----------------------------------------------------------------------
    def record(
        self,
        who: Session | Actor,
        action: str,
        *,
        person_id: str | None = None,
        purpose: AccessPurpose | None = None,
        details: Mapping[str, Any] | None = None,
        category: str | None = None,
    ) -> AuditEntry:
        """Check that ``who`` may do ``action`` and record it. Call it *before* showing or changing anything:
        when it raises (expired session, PermissionDenied, no purpose, AuditError) show nothing."""
        if action in _OWN_ACTIONS:
            raise PolicyError(f"{action} is recorded by Governance itself")
        if action not in ACTION_PERMISSION:
            raise PolicyError(f"unknown audit action {action!r}; actions: {', '.join(ACTION_PERMISSION)}")
        actor = self.require(who, ACTION_PERMISSION[action])
        extra = {"session": who.session_id} if isinstance(who, Session) else {}
        return self.audit.append(
            actor,
            action,
            person_id=person_id,
            purpose=purpose,
            details={**(details or {}), **extra},
            category=category,
        )

    def redact(self, session: Session, facts: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """The facts this session's role may see (see RolePolicy.redact_facts); needs view_case."""
        actor = self.require(session, "view_case")
        return self.policy.redact_facts(facts, actor.role)

    # -- users ----------------------------------------------------------------------------------------
    def _user_change(self, actor: Actor, op: str, user: User, **more: Any) -> None:
        self.audit.append(actor, "user_change", details={"op": op, "target": user.username, **more})

    def add_user(self, who: Session | Actor, username: str, role: str, password: str) -> User:
        actor = self.require(who, "manage_users")
        user = self.users.add(username, self.policy.check_role(role), password)
        self._user_change(actor, "add", user, role=user.role)
        return user

    def reset_password(self, who: Session | Actor, username: str, password: str) -> User:
        actor = self.require(who, "manage_users")
        user = self.users.set_password(username, password)
        self._user_change(actor, "reset_password", user)
        return user

    def disable_user(self, who: Session | Actor, username: str) -> User:
        actor = self.require(who, "manage_users")
        user = self.users.set_disabled(username, True)
        self._user_change(actor, "disable", user)
        return user

    def enable_user(self, who: Session | Actor, username: str) -> User:
        actor = self.require(who, "manage_users")
        user = self.users.set_disabled(username, False)
        self._user_change(actor, "enable", user)
        return user

    def set_role(self, who: Session | Actor, username: str, role: str) -> User:
        actor = self.require(who, "manage_users")
        before = self.users.get(username)
        user = self.users.set_role(username, self.policy.check_role(role))
        self._user_change(actor, "set_role", user, role=role, previous_role=before.role if before else None)
        return user

    def list_users(self, who: Session | Actor) -> list[User]:
        self.require(who, "manage_users")
        return self.users.all()

    # -- the audit, for auditors ----------------------------------------------------------------------
    def query_audit(
        self,
        who: Session | Actor,
        *,
        user: str | None = None,
        person_id: str | None = None,
        action: str | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
    ) -> list[AuditEntry]:
        """Entries matching the filters; needs query_audit, and is itself audited (audit_view)."""
        actor = self.require(who, "query_audit")
        entries = self.audit.query(user=user, person_id=person_id, action=action, since=since, until=until)
        filters = _given(user=user, person_id=person_id, action=action, since=since, until=until)
        self.audit.append(
            actor, "audit_view", person_id=person_id, details={"filters": filters, "count": len(entries)}
        )
        return entries

    def export_audit(
        self,
        who: Session | Actor,
        out: Path,
        *,
        user: str | None = None,
        person_id: str | None = None,
        action: str | None = None,
        since: date | datetime | None = None,
        until: date | datetime | None = None,
    ) -> int:
        """Write the matching entries to a CSV file (0600); needs query_audit; audited as audit_export."""
        actor = self.require(who, "query_audit")
        entries = self.audit.query(user=user, person_id=person_id, action=action, since=since, until=until)
        count = write_csv(entries, out)
        filters = _given(user=user, person_id=person_id, action=action, since=since, until=until)
        self.audit.append(
            actor,
            "audit_export",
            person_id=person_id,
            details={"filters": filters, "count": count, "file": str(out)},
        )
        return count

    def verify_audit(self, anchor: tuple[int, str] | None = None) -> VerifyResult:
        return self.audit.verify(anchor)

    # -- retention ------------------------------------------------------------------------------------
    def record_retention_review(self, who: Session | Actor, flags: Sequence[ReviewFlag]) -> AuditEntry:
        """Record that a reviewer looked at the records flagged for review (which ones, and why)."""
        return self.record(
            who,
            "retention_review",
            details={
                "flagged": [{"record": f.record_id, "agency": f.agency, "reason": f.reason} for f in flags]
            },
        )

    def record_deletion(
        self, who: Session | Actor, record_ids: Sequence[str], reason: str, person_id: str | None = None
    ) -> AuditEntry:
        """Record a reviewer's decision to delete records, before the query layer deletes them."""
        if len(reason.strip()) < 10:
            raise PolicyError("say why the records are deleted, in at least 10 characters")
        if not record_ids:
            raise PolicyError("name the records to delete")
        return self.record(
            who,
            "deletion",
            person_id=person_id,
            details={"records": list(record_ids), "reason": reason.strip()},
        )


def _given(**filters: Any) -> dict[str, str]:
    return {k: str(v) for k, v in filters.items() if v is not None}
