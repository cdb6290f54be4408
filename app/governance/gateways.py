"""The legal gateways for sharing (the appendix of the NPCC MASH guidance), and the purpose of an access.

Opening a case or exporting needs an :class:`AccessPurpose`: why (in words) and under which gateway.
Consent is not offered as a basis for Jigsaw's own views or exports: the guidance says safeguarding shares
must not rely on it (consent must be specific and can be withdrawn, and relying on a parent's consent can
silence the child). Where a third party shared with a partner *on the data subject's consent* (case study 2:
a voluntary-sector request made with the man's written consent), that is recorded as the basis of that
incoming share with :data:`THIRD_PARTY_CONSENT`, never as the basis of Jigsaw's own processing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.governance.errors import PolicyError, describe_validation


@dataclass(frozen=True)
class Gateway:
    code: str
    legislation: str  # "Children Act 1989 s47"
    label: str  # what the provision is for, in the guidance's words
    note: str = ""


GATEWAYS: tuple[Gateway, ...] = (
    Gateway("CA1989_S7", "Children Act 1989 s7", "Welfare report for the court (usually through Cafcass)"),
    Gateway("CA1989_S17", "Children Act 1989 s17", "Assessment of a child in need"),
    Gateway(
        "CA1989_S31",
        "Children Act 1989 s31",
        "Care and supervision, and pre-proceedings (Public Law Outline)",
    ),
    Gateway("CA1989_S37", "Children Act 1989 s37", "Powers of the court in certain family proceedings"),
    Gateway("CA1989_S47", "Children Act 1989 s47", "Local authority's duty to investigate (s47 enquiry)"),
    Gateway(
        "CA2004_S10",
        "Children Act 2004 s10",
        "Co-operation to safeguard and promote the well-being of children",
    ),
    Gateway(
        "CA2004_S11",
        "Children Act 2004 s11",
        "Duty to make arrangements to safeguard and promote the welfare of children",
    ),
    Gateway(
        "CDA1998_S115",
        "Crime and Disorder Act 1998 s115",
        "Sharing for a purpose of the Act, including crime reduction and prevention",
        "particularly applicable to referrals at early help thresholds",
    ),
    Gateway("UKGDPR_6_1_C", "UK GDPR Art 6(1)(c)", "Legal obligation"),
    Gateway(
        "UKGDPR_6_1_E",
        "UK GDPR Art 6(1)(e)",
        "Public task: a task in the public interest or official authority",
    ),
    Gateway(
        "UKGDPR_6_1_D", "UK GDPR Art 6(1)(d)", "Vital interests: essential for someone's life, at high risk"
    ),
    Gateway(
        "UKGDPR_6_1_F",
        "UK GDPR Art 6(1)(f)",
        "Legitimate interests (e.g. asking for alternative next-of-kin details)",
        "public authorities cannot rely on it for their public tasks",
    ),
)
GATEWAY_BY_CODE: dict[str, Gateway] = {g.code: g for g in GATEWAYS}

# The basis of an *incoming* share made by a third party on the data subject's consent (case study 2).
THIRD_PARTY_CONSENT = "THIRD_PARTY_CONSENT"
THIRD_PARTY_CONSENT_LABEL = "Shared by a third party on the data subject's consent"

CONSENT_REFUSED = (
    "consent is not a basis for viewing or exporting a child's information in Jigsaw: safeguarding shares "
    "rely on a legal gateway, not consent (NPCC MASH guidance); choose one of: " + ", ".join(GATEWAY_BY_CODE)
)


def _compact(code: str) -> str:
    """Case and separators forgiven: ``ca1989-s47``, ``CA1989 s47`` and ``UK GDPR 6(1)(e)`` all match."""
    return re.sub(r"[^A-Z0-9]", "", code.upper())


_BY_COMPACT = {_compact(g.code): g for g in GATEWAYS}
_CONSENT = {_compact(c) for c in ("CONSENT", "UKGDPR_6_1_A")}  # UK GDPR Art 6(1)(a)
_THIRD_PARTY = _compact(THIRD_PARTY_CONSENT)


def gateway(code: str) -> Gateway:
    """The gateway for a code. Consent in any spelling is refused (see the module docstring)."""
    key = _compact(code)
    if key in _CONSENT or key == _THIRD_PARTY:
        raise PolicyError(CONSENT_REFUSED)
    try:
        return _BY_COMPACT[key]
    except KeyError:
        raise PolicyError(
            f"unknown legal gateway {code!r}; choose one of: {', '.join(GATEWAY_BY_CODE)}"
        ) from None


def incoming_share_basis(code: str) -> str:
    """Validate the basis on which an agency or third party shared a record *with* the MASH.

    Any gateway, or :data:`THIRD_PARTY_CONSENT` where a third party shared on the data subject's consent.
    Returns the code.
    """
    key = _compact(code)
    if key == _THIRD_PARTY:
        return THIRD_PARTY_CONSENT
    if key in _CONSENT:
        raise PolicyError(f"record a consent-based share from a third party as {THIRD_PARTY_CONSENT}")
    return gateway(code).code


def basis_label(code: str) -> str:
    """A readable label for a gateway code or THIRD_PARTY_CONSENT (for screens, exports and the audit)."""
    if _compact(code) == _THIRD_PARTY:
        return THIRD_PARTY_CONSENT_LABEL
    g = gateway(code)
    return f"{g.legislation}: {g.label}"


class AccessPurpose(BaseModel):
    """Why a case is opened or exported, and under which legal gateway. Required for case_view and export."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    purpose: str = Field(min_length=10, max_length=2000)
    gateway: str

    @field_validator("gateway")
    @classmethod
    def _valid_gateway(cls, value: str) -> str:
        try:
            return gateway(value).code
        except PolicyError as exc:
            raise ValueError(str(exc)) from None

    @property
    def gateway_label(self) -> str:
        return basis_label(self.gateway)


def access_purpose(purpose: str, gateway_code: str) -> AccessPurpose:
    """Build an :class:`AccessPurpose`, turning validation errors into one clear :class:`PolicyError`."""
    try:
        return AccessPurpose(purpose=purpose, gateway=gateway_code)
    except ValidationError as exc:
        raise PolicyError(describe_validation(exc)) from None
