"""migrate(): a schema at the newest migration costs one query and leaves Alembic unloaded (it
stayed in every worker and API process, some 12 MB); an older one is upgraded as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.script import ScriptDirectory

from store.db import alembic_config, migrate, newest_revision, schema_revision

ROOT = Path(__file__).resolve().parents[2]
MIGRATE = """
import sys
sys.path.insert(0, sys.argv[1])
from store.db import migrate
migrate(sys.stdin.read())
print(sorted({name.split(".")[0] for name in sys.modules} & {"alembic", "mako"}))
"""


def migrated_apart(url: str) -> str:
    """What a fresh process that migrates `url` has loaded of Alembic (the URL on stdin)."""
    ran = subprocess.run([sys.executable, "-c", MIGRATE, str(ROOT)], input=url,
                         capture_output=True, text=True, timeout=120, check=True)
    return ran.stdout.strip()


def test_the_newest_revision_is_alembics_head():
    assert newest_revision() == ScriptDirectory.from_config(alembic_config("sqlite://")) \
        .get_current_head()


def test_a_schema_at_the_newest_migration_is_left_without_loading_alembic(db_url: str):
    assert schema_revision(db_url) == newest_revision()
    assert migrated_apart(db_url) == "[]"


def test_an_older_schema_is_upgraded(db_url: str):
    command.downgrade(alembic_config(db_url), "0021")
    assert schema_revision(db_url) == "0021"
    assert migrated_apart(db_url) == "['alembic', 'mako']"
    assert schema_revision(db_url) == newest_revision()


def test_an_empty_database_is_migrated(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert schema_revision(url) is None
    migrate(url)
    assert schema_revision(url) == newest_revision()
