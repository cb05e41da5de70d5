"""Dev only: one workspace login per role, as `make run` prints one API key per role. The
logins live in var/dev-logins.json (0600, made once); at start the API gives each dev person
(`dev-<role>`, made by the dev keys) that email and password unless they have their own."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from settings import ROLES, Settings
from store import people, sessions

FILE = "dev-logins.json"


def dev_logins(settings: Settings) -> dict[str, dict[str, str]]:
    """role → {"name", "email", "password"}; empty outside dev or when keys are configured
    (the people are then the operator's, not ours to give passwords)."""
    if settings.env.value != "dev" or settings.api_keys:
        return {}
    path = Path(settings.var_dir) / FILE
    if path.exists():
        return dict(json.loads(path.read_text()))
    logins = {role: {"name": f"dev-{role}", "email": f"dev-{role.replace('_', '-')}@caseguard.test",
                     "password": f"dev-{secrets.token_urlsafe(12)}"} for role in ROLES}
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as out:
        out.write(json.dumps(logins, indent=2))
    return logins


def apply(settings: Settings) -> None:
    """Give each dev person their login, where they have none (a restart changes nothing)."""
    for login in dev_logins(settings).values():
        sessions.ensure_login(settings.db_url, login["name"], login["email"], login["password"],
                              people.now())
