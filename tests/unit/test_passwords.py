"""The sign-in rules: password strength, lockout, session lifetime, CSRF tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from api.web.auth import _csrf_ok, csrf_token
from domain.shared import passwords
from domain.shared.errors import RuleViolation
from settings import Settings

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("password", "code"), [
    ("short-one", "password.too_short"),
    ("x" * 129, "password.too_long"),
    ("aaaaaaaaaaaaaaa", "password.common"),
    ("password1234", "password.common"),
    ("PassWord1234", "password.common"),
    ("hr-alice-is-here-2026", "password.personal"),
    ("my-zhang.san-mailbox", "password.personal"),
])
def test_a_weak_password_is_refused_naming_the_rule(password: str, code: str):
    with pytest.raises(RuleViolation) as refused:
        passwords.check_strength(password, name="hr-alice", email="Zhang.San@example.com")
    assert refused.value.code == code and refused.value.field == "password"


def test_a_passphrase_is_accepted_as_given():
    assert passwords.check_strength("铁路 咖啡 自行车 2026", name="hr-alice") == "铁路 咖啡 自行车 2026"


@given(st.text(min_size=12, max_size=128).filter(
    lambda p: len(set(p.casefold())) >= 4 and p.casefold() not in passwords._COMMON))
def test_any_characters_of_a_long_enough_password_pass(password: str):
    assert passwords.check_strength(password) == password


def test_the_fifth_failure_in_a_row_locks_for_fifteen_minutes():
    assert [passwords.after_failure(n, NOW) for n in range(1, 5)] == [None] * 4
    until = passwords.after_failure(5, NOW)
    assert until == NOW + timedelta(minutes=15)
    assert passwords.locked(until, NOW + timedelta(minutes=14))
    assert not passwords.locked(until, NOW + timedelta(minutes=15))
    assert not passwords.locked(None, NOW)


def test_a_session_ends_when_idle_or_after_a_working_day():
    assert passwords.session_alive(NOW, NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    assert not passwords.session_alive(NOW, NOW, NOW + timedelta(hours=2))
    assert not passwords.session_alive(NOW, NOW + timedelta(hours=11, minutes=30),
                                       NOW + timedelta(hours=12))


def test_a_csrf_token_belongs_to_its_session_and_purpose():
    settings = Settings(env="dev")
    other = Settings(env="dev", secret_key="another secret of at least thirty-two chars")
    token = csrf_token(settings, "session", "abc")
    assert _csrf_ok(settings, "session", "abc", token)
    assert not _csrf_ok(settings, "session", "abd", token)
    assert not _csrf_ok(settings, "login", "abc", token)
    assert not _csrf_ok(other, "session", "abc", token)
    assert not _csrf_ok(settings, "session", "", csrf_token(settings, "session", ""))
    assert not _csrf_ok(settings, "session", "abc", "")


def test_the_session_cookie_is_secure_and_host_only_outside_dev():
    from fastapi.responses import Response

    from api.web.auth import _set_cookie, cookie_name

    for settings, secure in ((Settings(env="dev"), False),
                             (Settings(env="test", secret_key="t" * 40), True)):
        response = Response()
        _set_cookie(response, settings, "cg_session", "token", 60)
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
        assert ("Secure" in cookie) is secure
        assert cookie.startswith(cookie_name(settings, "cg_session") + "=")
        assert cookie.startswith("__Host-") is secure


def test_a_setup_link_never_reaches_the_access_log():
    import logging

    from api.web import WithoutSetupLinks

    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/hr/setup/Abc_12-xyz", "1.1", 200), None)
    assert WithoutSetupLinks().filter(record)
    assert "Abc_12-xyz" not in record.getMessage() and "/hr/setup/[link]" in record.getMessage()
