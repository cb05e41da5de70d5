"""Signing in to the HR workspace (issue 19): the password rule, the lockout after repeated
failures, and how long a browser session lasts. Pure rules: hashing and storage live in
store/sessions.py.

OWASP ASVS 2.1 (passwords of at least 12 characters, any characters, checked against common
ones) and 2.2 (throttling of failed attempts per account) are followed; the figures are product
rules, not statute.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.shared.errors import RuleViolation

MIN_LENGTH = 12
MAX_LENGTH = 128  # argon2 takes any length; a bound keeps a megabyte "password" out
MAX_FAILURES = 5  # failed attempts in a row before the account is locked
LOCK_FOR = timedelta(minutes=15)
SESSION_IDLE = timedelta(hours=2)  # a session unused this long ends
SESSION_MAX = timedelta(hours=12)  # and every session ends after a working day
SETUP_LINK_VALID = timedelta(hours=48)  # a one-time link to set a password
_COMMON = frozenset({
    "123456789012", "1234567890ab", "password1234", "passwordpassword", "qwertyuiopas",
    "aaaaaaaaaaaa", "caseguard123", "caseguardcaseguard", "iloveyou1234", "admin1234567",
    "woaini1314520", "11111111111111", "000000000000", "abc123456789", "qwerty123456",
})


def check_strength(password: str, *, name: str = "", email: str | None = None,
                   field: str = "password") -> str:
    """The password unchanged when it is 12–128 characters, not all one character, not a common
    password, and does not contain the person's name or email address; else 422 naming the rule."""
    if len(password) < MIN_LENGTH:
        raise RuleViolation(field, "password.too_short",
                            f"a password has at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise RuleViolation(field, "password.too_long",
                            f"a password has at most {MAX_LENGTH} characters")
    folded = password.casefold()
    if len(set(folded)) < 4 or folded in _COMMON:
        raise RuleViolation(field, "password.common",
                            "the password is too easy to guess: use a few unrelated words")
    mine = [part.casefold() for part in (name, (email or "").partition("@")[0])
            if len(part) >= 3]
    if any(part in folded for part in mine):
        raise RuleViolation(field, "password.personal",
                            "the password contains the person's name or email address")
    return password


def locked(locked_until: datetime | None, now: datetime) -> bool:
    """Whether an account locked until `locked_until` is still locked at `now`."""
    return locked_until is not None and now < locked_until


def after_failure(failures: int, now: datetime) -> datetime | None:
    """When the account is locked until after its `failures`-th failure in a row (None: not)."""
    return now + LOCK_FOR if failures >= MAX_FAILURES else None


def session_alive(created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
    """Whether a session opened at `created_at` and last used at `last_seen_at` still holds."""
    return now - last_seen_at < SESSION_IDLE and now - created_at < SESSION_MAX
