"""A scratch PostgreSQL schema for a test or a benchmark run: created empty, reached through a URL
that selects it, and dropped with everything in it when the run ends."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

DROP_ATTEMPTS = 3


@dataclass(frozen=True)
class ScratchSchema:
    admin_url: str  # the database, reached as a user that may create and drop schemas
    name: str

    @property
    def url(self) -> str:
        """The database URL whose connections use this schema (search_path)."""
        return f"{self.admin_url}?options=-csearch_path%3D{self.name}"

    @classmethod
    def create(cls, admin_url: str, prefix: str) -> ScratchSchema:
        schema = cls(admin_url, f"{prefix}_{uuid.uuid4().hex[:10]}")
        admin = _admin(admin_url)
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema.name}"'))
        finally:
            admin.dispose()
        return schema

    def drop(self) -> None:
        """Drop the schema; a connection that still holds locks in it (one a stopped worker left,
        an abandoned activity thread's) is ended first, so the next run never hangs on it."""
        admin = _admin(self.admin_url)
        try:
            for _ in range(DROP_ATTEMPTS):
                with admin.connect() as conn:
                    conn.execute(text("SET lock_timeout = '10s'"))
                    try:
                        conn.execute(text(f'DROP SCHEMA "{self.name}" CASCADE'))
                        return
                    except OperationalError:
                        pass
                    conn.execute(text(
                        "SELECT pg_terminate_backend(l.pid) FROM pg_locks l "
                        "JOIN pg_class c ON c.oid = l.relation "
                        "JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = :schema AND l.pid <> pg_backend_pid()"),
                        {"schema": self.name})
            raise RuntimeError(f"could not drop the scratch schema {self.name}")
        finally:
            admin.dispose()


def _admin(admin_url: str) -> Engine:
    return create_engine(admin_url, isolation_level="AUTOCOMMIT")
