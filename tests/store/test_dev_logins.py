"""`make run`'s dev logins: one per role, in a 0600 file, given to the dev people once."""

from __future__ import annotations

import stat
from pathlib import Path

from api.web.dev_logins import FILE, apply, dev_logins
from settings import Settings
from store import people, sessions


def test_each_dev_person_gets_the_printed_login_once(sqlite_url: str, tmp_path: Path):
    settings = Settings(env="dev", database_url=sqlite_url, var_dir=tmp_path)
    people.bootstrap(sqlite_url, {k: (h.name, h.role)
                                  for k, h in settings.resolved_api_keys().items()}, people.now())
    logins = dev_logins(settings)
    assert set(logins) == {"hr", "hr_manager", "manager", "admin"}
    assert stat.S_IMODE((tmp_path / FILE).stat().st_mode) == 0o600
    apply(settings)
    apply(settings)  # a restart changes nothing
    for role, login in logins.items():
        attempt = sessions.sign_in(sqlite_url, login["email"], login["password"], people.now())
        assert attempt.outcome == "ok", role
        who = sessions.signed_in(sqlite_url, attempt.token, people.now())
        assert who is not None and who.roles == (role,)
    assert dev_logins(settings) == logins


def test_no_dev_logins_for_configured_keys_or_outside_dev(tmp_path: Path):
    keys = {"k": {"name": "ops", "role": "admin"}}
    assert dev_logins(Settings(env="dev", var_dir=tmp_path, api_keys=keys)) == {}
    assert dev_logins(Settings(env="test", secret_key="t" * 40, var_dir=tmp_path,
                               api_keys=keys)) == {}
    assert not (tmp_path / FILE).exists()
