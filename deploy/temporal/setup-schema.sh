#!/bin/sh
# One-shot (temporalio/admin-tools): create Temporal's two databases on the shared PostgreSQL and
# bring their schemas to the version this image ships, which is the one the server image of the
# same version expects. Safe on every `docker compose up`: setup-schema -v 0.0 leaves a versioned
# schema alone and update-schema applies only the versions not yet applied.
# Connection: SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD (temporal-sql-tool reads them).
set -eu
: "${SQL_HOST:?}" "${SQL_USER:?}" "${SQL_PASSWORD:?}"
export SQL_PLUGIN=postgres12 SQL_PORT="${SQL_PORT:-5432}"
schema=/etc/temporal/schema/postgresql/v12

for pair in temporal:temporal visibility:temporal_visibility; do
  dir=${pair%%:*}
  db=${pair#*:}
  # `create` fails once the database exists (every start after the first); if it is really
  # missing or unreachable, setup-schema fails next and so does this job.
  temporal-sql-tool --db "$db" create || echo "database $db already exists"
  temporal-sql-tool --db "$db" setup-schema -v 0.0
  temporal-sql-tool --db "$db" update-schema -d "$schema/$dir/versioned"
done
echo "Temporal schemas are up to date"
