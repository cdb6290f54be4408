"""OpenID Connect: sign in with a force's or council's identity provider instead of local passwords.

Jigsaw does not speak OIDC on the wire itself. The Streamlit app uses Streamlit's ``st.login`` (Authlib),
which runs the authorisation-code flow, checks the ID token's signature, issuer, audience, expiry and nonce,
and exposes its claims as ``st.user``. This module turns those claims into a Jigsaw identity: which user,
which one Jigsaw role (from a group or app-role claim through ``role_map``). It makes no network calls.

Configuration lives in ``[governance.oidc]`` of jigsaw.toml (see docs/governance.md); the client secret
comes only from an environment variable or a 0600 file, never from jigsaw.toml.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.governance.errors import AuthenticationError, PolicyError
from app.governance.roles import RolePolicy

_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class OIDCConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    issuer: str
    client_id: str = Field(min_length=1)
    client_secret_env: str = "JIGSAW_OIDC_CLIENT_SECRET"
    client_secret_file: Path | None = None
    redirect_uri: str | None = None  # https://<host>/oauth2callback (Streamlit's callback path)
    scopes: tuple[str, ...] = ("openid", "profile", "email")
    username_claim: str = "preferred_username"
    role_claim: str = "roles"  # a dotted path for nested claims, e.g. realm_access.roles (Keycloak)
    role_map: dict[str, str] = Field(min_length=1)  # identity-provider value -> Jigsaw role
    role_precedence: tuple[str, ...] = ()  # when several roles map, the first listed wins; else refused
    max_auth_age_seconds: int = Field(default=300, ge=30)  # a Jigsaw session needs a recent sign-in
    clock_skew_seconds: int = Field(default=60, ge=0, le=600)

    @field_validator("issuer", "redirect_uri")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = urlparse(value)
        if url.scheme == "https" or (url.scheme == "http" and url.hostname in _LOOPBACK):
            return value
        raise ValueError(f"{value!r} must be an https:// URL (http:// only on localhost)")

    @field_validator("scopes")
    @classmethod
    def _openid_scope(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if "openid" not in value:
            raise ValueError("scopes must include openid")
        return value

    @property
    def server_metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def check_roles(self, policy: RolePolicy) -> None:
        """Every role the mapping names must exist in the policy."""
        for value, role in self.role_map.items():
            if role not in policy.roles:
                raise PolicyError(f"[governance.oidc] role_map: {value!r} maps to unknown role {role!r}")
        for role in self.role_precedence:
            policy.check_role(role)

    def client_secret(self, env: Mapping[str, str] | None = None) -> str:
        """The client secret, from the environment variable or the 0600 file; never from jigsaw.toml."""
        env = os.environ if env is None else env
        secret = env.get(self.client_secret_env)
        if secret:
            return secret
        if self.client_secret_file is not None:
            return read_secret_file(self.client_secret_file)
        raise PolicyError(
            f"the OIDC client secret is not set: put it in ${self.client_secret_env} or in a 0600 file "
            "named by [governance.oidc] client_secret_file"
        )

    def streamlit_auth_section(
        self, cookie_secret: str, env: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """The ``[auth]`` table of ``.streamlit/secrets.toml`` that makes ``st.authenticate()`` use this provider."""
        if self.redirect_uri is None or not self.redirect_uri.endswith("/oauth2callback"):
            raise PolicyError("[governance.oidc] redirect_uri must be set and end with /oauth2callback")
        if len(cookie_secret) < 32:
            raise PolicyError("the cookie secret must be at least 32 characters")
        return {
            "redirect_uri": self.redirect_uri,
            "cookie_secret": cookie_secret,
            "client_id": self.client_id,
            "client_secret": self.client_secret(env),
            "server_metadata_url": self.server_metadata_url,
            "client_kwargs": {"scope": " ".join(self.scopes)},
        }


def read_secret_file(path: Path) -> str:
    """A secret from a file that only its owner can read (mode 0600 or stricter)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            raise PolicyError(f"{path} is readable by others (mode {mode:o}): chmod 600 {path}")
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise PolicyError(f"cannot read the secret file {path}: {exc.strerror}") from None
    if not secret:
        raise PolicyError(f"the secret file {path} is empty")
    return secret


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def role_from_claims(claims: Mapping[str, Any], config: OIDCConfig, policy: RolePolicy) -> str:
    """The one Jigsaw role the identity provider's role claim maps to; AuthenticationError if none or unclear."""
    raw = _claim(claims, config.role_claim)
    values = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else []
    roles = sorted({config.role_map[v] for v in values if isinstance(v, str) and v in config.role_map})
    for role in roles:
        policy.check_role(role)
    if not roles:
        raise AuthenticationError(
            f"your identity provider gives no Jigsaw role (claim {config.role_claim!r}); ask an administrator"
        )
    if len(roles) > 1:
        ranked = [r for r in config.role_precedence if r in roles]
        if not ranked:
            raise AuthenticationError(
                f"your identity provider maps you to several Jigsaw roles ({', '.join(roles)}); a user has one "
                "role: ask an administrator to fix the groups or set role_precedence"
            )
        return ranked[0]
    return roles[0]


def identity_from_claims(
    claims: Mapping[str, Any], config: OIDCConfig, policy: RolePolicy, now: datetime | None = None
) -> tuple[str, str]:
    """(username, role) from verified ID-token claims (``st.user``), after checking they are for this
    client, from this issuer, unexpired and from a recent sign-in. Raises AuthenticationError."""
    now = now or datetime.now(UTC)
    ts = now.timestamp()
    skew = config.clock_skew_seconds
    if str(claims.get("iss", "")).rstrip("/") != config.issuer.rstrip("/"):
        raise AuthenticationError("the sign-in came from an identity provider Jigsaw is not configured for")
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else list(aud) if isinstance(aud, list | tuple) else []
    if config.client_id not in audiences:
        raise AuthenticationError("the sign-in was issued for another application")
    exp = claims.get("exp")
    if not isinstance(exp, int | float) or exp + skew < ts:
        raise AuthenticationError("the sign-in has expired: sign in again")
    signed_in = claims.get("auth_time", claims.get("iat"))
    if not isinstance(signed_in, int | float) or signed_in + config.max_auth_age_seconds + skew < ts:
        raise AuthenticationError("the sign-in is too old to open a new session: sign out and sign in again")
    username = _claim(claims, config.username_claim)
    if not isinstance(username, str) or not username.strip():
        raise AuthenticationError(f"the identity provider did not send the {config.username_claim!r} claim")
    return username.strip().lower(), role_from_claims(claims, config, policy)
