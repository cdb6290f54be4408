"""Governance: login, roles and data minimisation, purpose and legal gateway, the audit trail, retention.

The app, the query layer and the CLI call :class:`Governance` (``Governance.open()``); the pieces below are
pure and usable alone. See docs/governance.md.
"""

from app.governance.audit import ACTIONS, CATEGORIES, Actor, AuditEntry, AuditLog, VerifyResult
from app.governance.config import GovernanceSettings, load_governance_settings
from app.governance.errors import (
    AuditError,
    AuthenticationError,
    GovernanceError,
    PermissionDenied,
    PolicyError,
    SessionExpired,
)
from app.governance.gateways import (
    GATEWAYS,
    THIRD_PARTY_CONSENT,
    AccessPurpose,
    access_purpose,
    basis_label,
    gateway,
    incoming_share_basis,
)
from app.governance.meeting import MeetingView, meeting_view
from app.governance.oidc import OIDCConfig, identity_from_claims, role_from_claims
from app.governance.retention import RetentionPolicy, ReviewFlag, flag_for_review
from app.governance.roles import RolePolicy, default_policy, load_policy
from app.governance.service import Governance, operator_actor
from app.governance.users import Session, User, UserStore

__all__ = [
    "ACTIONS",
    "CATEGORIES",
    "GATEWAYS",
    "THIRD_PARTY_CONSENT",
    "AccessPurpose",
    "Actor",
    "AuditEntry",
    "AuditError",
    "AuditLog",
    "AuthenticationError",
    "Governance",
    "GovernanceError",
    "GovernanceSettings",
    "MeetingView",
    "OIDCConfig",
    "PermissionDenied",
    "PolicyError",
    "RetentionPolicy",
    "ReviewFlag",
    "RolePolicy",
    "Session",
    "SessionExpired",
    "User",
    "UserStore",
    "VerifyResult",
    "access_purpose",
    "basis_label",
    "default_policy",
    "flag_for_review",
    "gateway",
    "identity_from_claims",
    "incoming_share_basis",
    "load_governance_settings",
    "load_policy",
    "meeting_view",
    "operator_actor",
    "role_from_claims",
]
