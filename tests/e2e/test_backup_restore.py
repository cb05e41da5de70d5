"""deploy/backup.sh and deploy/restore.sh against a real PostgreSQL and a real S3-compatible server:
after a wipe, what was backed up comes back row for row and byte for byte."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from sqlalchemy import create_engine, make_url, text

from settings import Settings
from store import document_rows, evidence
from store.db import engine_for, migrate
from store.documents import content_store
from store.models import DocumentRow
from tests.conftest import IN_CI, PG_ADMIN_URL

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


@dataclass(frozen=True)
class Deployment:
    """A scratch database and bucket, and the environment the scripts read them from."""

    db_url: str
    database: str
    settings: Settings
    env: dict[str, str]


def _postgres_client_tools() -> None:
    missing = [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]
    if missing:
        message = f"{', '.join(missing)} not found: install Debian's postgresql-client"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message + "; CI never skips this")


def _admin_execute(sql: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(sql))
    finally:
        admin.dispose()


@pytest.fixture
def deployment(object_storage: str, tmp_path: Path) -> Iterator[Deployment]:
    """A migrated database of its own on the test PostgreSQL and a bucket of its own."""
    _postgres_client_tools()
    database = f"cg_backup_{uuid.uuid4().hex[:10]}"
    try:
        _admin_execute(f'CREATE DATABASE "{database}"')
    except Exception as exc:  # noqa: BLE001
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and is not reachable: {exc}")
        pytest.skip(f"PostgreSQL at {PG_ADMIN_URL} not reachable ({exc.__class__.__name__}); "
                    "CI never skips this")
    url = make_url(PG_ADMIN_URL).set(database=database)
    db_url = url.render_as_string(hide_password=False)
    bucket = f"docs-{uuid.uuid4().hex[:12]}"
    settings = Settings(env="test", secret_key="t" * 40, var_dir=tmp_path, database_url=db_url,
                        document_store="s3", s3_endpoint_url=object_storage, s3_bucket=bucket,
                        s3_access_key="test", s3_secret_key="test")
    env = {**os.environ, "PGHOST": url.host or "127.0.0.1", "PGPORT": str(url.port or 5432),
           "PGUSER": url.username or "postgres", "PGPASSWORD": url.password or "",
           "PGDATABASE": database, "PYTHON": sys.executable,
           "CASEGUARD_S3_ENDPOINT_URL": object_storage, "CASEGUARD_S3_BUCKET": bucket,
           "CASEGUARD_S3_REGION": settings.s3_region, "CASEGUARD_S3_ACCESS_KEY": "test",
           "CASEGUARD_S3_SECRET_KEY": "test"}
    env.pop("CASEGUARD_BACKUP_DATABASES", None)
    try:
        migrate(db_url)
        _s3(object_storage).create_bucket(Bucket=bucket)
        yield Deployment(db_url, database, settings, env)
    finally:
        engine_for(db_url).dispose()
        _admin_execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _s3(endpoint: str):  # type: ignore[no-untyped-def]
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                        aws_access_key_id="test", aws_secret_access_key="test")


def _run(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(DEPLOY / script), *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def _seed(deployment: Deployment) -> tuple[DocumentRow, bytes]:
    """One case document: its bytes in the bucket, its row and an evidence entry in the database."""
    data = "工伤认定申请表 / application for injury determination\n".encode() + os.urandom(64 * 1024)
    digest = content_store(deployment.settings).put(data)
    row = DocumentRow(id=f"doc-{uuid.uuid4().hex}", subject_id="case-backup-1",
                      kind="determination_form", filename="认定申请表.pdf",
                      content_type="application/pdf", size=len(data), sha256=digest,
                      uploaded_by="hr-1", uploaded_at=datetime(2026, 12, 2, 9, 30, tzinfo=UTC))
    document_rows.save(deployment.db_url, row)
    evidence.append(deployment.db_url, evidence.NewEntry(
        subject_id=row.subject_id, idempotency_key=f"document:{row.id}", at=row.uploaded_at,
        actor="hr-1", kind="document_uploaded", payload={"document_id": row.id, "sha256": digest}))
    return row, data


def _wipe(deployment: Deployment) -> None:
    """Lose both: the database dropped, the bucket emptied and deleted."""
    engine_for(deployment.db_url).dispose()
    _admin_execute(f'DROP DATABASE "{deployment.database}" WITH (FORCE)')
    s3 = _s3(deployment.settings.s3_endpoint_url)
    bucket = deployment.settings.s3_bucket
    for item in s3.list_objects_v2(Bucket=bucket).get("Contents", []):
        s3.delete_object(Bucket=bucket, Key=item["Key"])
    s3.delete_bucket(Bucket=bucket)


def test_a_backup_brings_back_the_rows_and_the_document_bytes(deployment: Deployment,
                                                              tmp_path: Path):
    row, data = _seed(deployment)
    backup = tmp_path / "backups" / "first"

    made = _run("backup.sh", str(backup), env=deployment.env)
    assert made.returncode == 0, made.stderr
    assert (backup / f"{deployment.database}.dump").stat().st_size > 0
    assert not backup.with_name("first.partial").exists()

    _wipe(deployment)
    restored = _run("restore.sh", "--yes", str(backup), env=deployment.env)
    assert restored.returncode == 0, restored.stdout + restored.stderr

    engine_for(deployment.db_url).dispose()  # connections from before the wipe are gone
    back = document_rows.get(deployment.db_url, row.id)
    assert back is not None and back.model_dump() == row.model_dump()
    chain = evidence.verify(deployment.db_url, row.subject_id)
    assert chain.valid and chain.entries == 1
    stored = content_store(deployment.settings).get(row.sha256)  # checks the SHA-256 too
    assert hashlib.sha256(stored).hexdigest() == hashlib.sha256(data).hexdigest() == row.sha256


def test_a_damaged_backup_is_refused_before_anything_is_touched(deployment: Deployment,
                                                               tmp_path: Path):
    row, _ = _seed(deployment)
    backup = tmp_path / "backup"
    assert _run("backup.sh", str(backup), env=deployment.env).returncode == 0
    document = backup / "documents" / "sha256" / row.sha256[:2] / row.sha256
    original = document.read_bytes()  # its last byte is random: flip it, never overwrite it
    document.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    content_store(deployment.settings).put(b"uploaded after the backup")

    refused = _run("restore.sh", "--yes", str(backup), env=deployment.env)
    assert refused.returncode == 1
    assert "does not match its SHA256SUMS; nothing was restored" in refused.stderr
    assert document_rows.get(deployment.db_url, row.id) is not None
    later = hashlib.sha256(b"uploaded after the backup").hexdigest()
    assert content_store(deployment.settings).get(later) == b"uploaded after the backup"


def test_a_backup_never_overwrites_an_earlier_one(deployment: Deployment, tmp_path: Path):
    earlier = tmp_path / "backup"
    earlier.mkdir()
    (earlier / "keep").write_text("an earlier backup")
    refused = _run("backup.sh", str(earlier), env=deployment.env)
    assert refused.returncode == 2 and "already exists" in refused.stderr
    assert (earlier / "keep").read_text() == "an earlier backup"


def test_a_restore_stops_while_the_database_is_in_use(deployment: Deployment, tmp_path: Path):
    row, _ = _seed(deployment)
    backup = tmp_path / "backup"
    assert _run("backup.sh", str(backup), env=deployment.env).returncode == 0

    with engine_for(deployment.db_url).connect():  # the API or a worker, still running
        refused = _run("restore.sh", "--yes", str(backup), env=deployment.env)
    assert refused.returncode == 1
    assert "is being accessed by other users" in refused.stderr
    assert "stop what uses it" in refused.stderr
    assert document_rows.get(deployment.db_url, row.id) is not None
