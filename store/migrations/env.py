"""Alembic environment: runs the migrations against the URL set by store.db.alembic_config."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)
from store.db import engine_for

url = context.config.get_main_option("sqlalchemy.url")
assert url, "sqlalchemy.url is not set"

with engine_for(url).connect() as connection:
    context.configure(connection=connection, target_metadata=SQLModel.metadata,
                      render_as_batch=url.startswith("sqlite"))
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
