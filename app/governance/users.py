"""Local users (argon2id password hashes in a 0600 JSON file) and login sessions.

The store is ``<data dir>/governance/users.json``; every change holds an exclusive lock on
``users.json.lock`` and replaces the file atomically, so the app and the CLI can change users at once.
Passwords are hashed with argon2-cffi's ``PasswordHasher`` (argon2id, its RFC 9106 defaults) and never
stored or logged. Logging in and recording it in the audit log is :meth:`Governance.authenticate`; this module
knows nothing of the audit.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.governance.audit import Actor
from app.governance.errors import AuthenticationError, PolicyError, SessionExpired

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
USERNAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._@-]{1,63}")


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME_PATTERN.fullmatch(name):
        raise PolicyError(
            f"username {username!r}: 2 to 64 characters, letters, digits and . _ @ -, starting with a letter or digit"
        )
    return name


def check_password(password: str, username: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PolicyError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PolicyError(f"the password must be at most {MAX_PASSWORD_LENGTH} characters")
    if password.strip().lower() == username.lower():
        raise PolicyError("the password must not be the username")


@dataclass(frozen=True)
class User:
    username: str
    role: str
    password_hash: str
    disabled: bool
    created_at: str
    updated_at: str
    password_changed_at: str


class LoginRefused(AuthenticationError):
    """Why a login failed, for the audit (``reason``); the user only sees the message."""

    def __init__(self, message: str, reason: str, user: User | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.user = user


WRONG_CREDENTIALS = "unknown username or wrong password"
LoginMethod = Literal["password", "oidc"]


class UserStore:
    def __init__(self, path: Path, hasher: PasswordHasher | None = None) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")
        self.hasher = hasher or PasswordHasher()
        self._dummy_hash: str | None = None

    # -- file -----------------------------------------------------------------------------------------
    def _read(self) -> dict[str, User]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            return {name: User(**data) for name, data in raw["users"].items()}
        except FileNotFoundError:
            return {}
        except (ValueError, KeyError, TypeError) as exc:
            raise PolicyError(
                f"the users file {self.path} is damaged ({exc}); restore it from a backup"
            ) from None

    def _write(self, users: dict[str, User]) -> None:
        data = {"version": 1, "users": {name: asdict(u) for name, u in sorted(users.items())}}
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)

    @contextmanager
    def _change(self) -> Iterator[dict[str, User]]:
        """The users, under an exclusive lock; what the block leaves in the dict is written back."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            users = self._read()
            yield users
            self._write(users)
        finally:
            os.close(fd)

    # -- reading --------------------------------------------------------------------------------------
    def get(self, username: str) -> User | None:
        return self._read().get(normalise_username(username))

    def all(self) -> list[User]:
        return sorted(self._read().values(), key=lambda u: u.username)

    # -- changes --------------------------------------------------------------------------------------
    def add(self, username: str, role: str, password: str) -> User:
        name = check_username(username)
        check_password(password, name)
        now = _now()
        with self._change() as users:
            if name in users:
                raise PolicyError(
                    f"user {name} already exists (use `jigsaw users reset` to set a new password)"
                )
            users[name] = User(name, role, self.hasher.hash(password), False, now, now, now)
            return users[name]

    def _update(self, username: str, **changes: object) -> User:
        name = normalise_username(username)
        with self._change() as users:
            if name not in users:
                raise PolicyError(f"no user {name!r}")
            users[name] = replace(users[name], updated_at=_now(), **changes)  # type: ignore[arg-type]
            return users[name]

    def set_password(self, username: str, password: str) -> User:
        check_password(password, normalise_username(username))
        now = _now()
        return self._update(username, password_hash=self.hasher.hash(password), password_changed_at=now)

    def set_disabled(self, username: str, disabled: bool) -> User:
        return self._update(username, disabled=disabled)

    def set_role(self, username: str, role: str) -> User:
        return self._update(username, role=role)

    # -- checking a password --------------------------------------------------------------------------
    def check_login(self, username: str, password: str) -> User:
        """The user if the password is right and the account enabled; LoginRefused (with a reason) if not.

        An unknown username costs as much time as a wrong password, so timing does not reveal which
        usernames exist.
        """
        user = self.get(username) if USERNAME_PATTERN.fullmatch(normalise_username(username)) else None
        if user is None:
            if self._dummy_hash is None:
                self._dummy_hash = self.hasher.hash(secrets.token_hex(16))
            try:
                self.hasher.verify(self._dummy_hash, password)
            except VerificationError:
                pass
            raise LoginRefused(WRONG_CREDENTIALS, "unknown_user")
        try:
            self.hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise LoginRefused(WRONG_CREDENTIALS, "wrong_password", user) from None
        if user.disabled:
            raise LoginRefused("this account is disabled: ask an administrator", "disabled", user)
        if self.hasher.check_needs_rehash(user.password_hash):
            user = self._update(user.username, password_hash=self.hasher.hash(password))
        return user


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Session:
    """A logged-in user. Expires after ``idle_timeout`` without use, or ``max_age`` after login."""

    username: str
    role: str
    created_at: datetime
    last_seen: datetime
    idle_timeout: timedelta
    max_age: timedelta
    method: LoginMethod = "password"
    session_id: str = field(default_factory=lambda: secrets.token_hex(16))

    @property
    def expires_at(self) -> datetime:
        return min(self.last_seen + self.idle_timeout, self.created_at + self.max_age)

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.role)

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def touched(self, now: datetime) -> Session:
        """The session used again at ``now`` (idle clock reset); SessionExpired when it had expired."""
        if self.expired(now):
            if now >= self.created_at + self.max_age:
                raise SessionExpired("your session reached its maximum length: log in again")
            minutes = int(self.idle_timeout.total_seconds() // 60)
            raise SessionExpired(f"your session expired after {minutes} minutes without use: log in again")
        return replace(self, last_seen=now)


def new_session(
    username: str,
    role: str,
    idle_timeout: timedelta,
    max_age: timedelta,
    method: LoginMethod,
    clock: Callable[[], datetime],
) -> Session:
    now = clock()
    return Session(username, role, now, now, idle_timeout, max_age, method)
