"""What the store writes keeps personal data to itself: files 0600, no parameters in errors."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from store.db import migrate, session_for
from store.documents import LocalContentStore
from store.models import NoticeRow


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_sqlite_database_and_its_wal_are_created_0600(tmp_path: Path):
    database = tmp_path / "var" / "caseguard.db"
    migrate(f"sqlite:///{database}")
    assert _mode(database) == _mode(Path(f"{database}-wal")) == 0o600
    assert _mode(database.parent) == 0o700


def test_an_older_database_readable_by_others_is_made_0600(tmp_path: Path):
    database = tmp_path / "old.db"
    database.touch()
    os.chmod(database, 0o644)
    migrate(f"sqlite:///{database}")
    assert _mode(database) == 0o600


def test_documents_are_stored_0600(tmp_path: Path):
    digest = LocalContentStore(tmp_path / "documents").put(b"%PDF-1.7 a receipt")
    stored = tmp_path / "documents" / digest[:2] / digest
    assert _mode(stored) == 0o600 and _mode(stored.parent) == 0o700


def test_a_database_error_names_no_phone_number(sqlite_url: str):
    def add() -> None:
        with session_for(sqlite_url) as session:
            session.add(NoticeRow(id="notice-1", subject_id="case-1", purpose="return_to_work",
                                  code="ABC234", recipient_name="张三", recipient_role="employee",
                                  phone="+8613800138000", channels=[], created_at=datetime.now(UTC)))
            session.commit()
    add()
    with pytest.raises(IntegrityError) as raised:
        add()
    assert "13800138000" not in str(raised.value) and "张三" not in str(raised.value)
