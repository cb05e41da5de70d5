#!/usr/bin/env bash
# Back up Caseguard into one new folder: each database (pg_dump, custom format), every object of the
# documents bucket, and SHA256SUMS over all of it (restore.sh checks it before touching anything).
#
#   deploy/backup.sh [DIR]     DIR: a folder that does not exist yet
#                              (default: ${CASEGUARD_BACKUP_ROOT:-backups}/<UTC time>)
#
# Databases: libpq's PGHOST, PGPORT, PGUSER, PGPASSWORD; CASEGUARD_BACKUP_DATABASES lists the
# databases (default: PGDATABASE). Documents: CASEGUARD_S3_ENDPOINT_URL, _BUCKET, _REGION,
# _ACCESS_KEY, _SECRET_KEY, as the API reads them. PYTHON: an interpreter with boto3 (python3).
# In docker compose: `docker compose run --rm backup backup.sh` (README, "Production").
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
dir=${1:-${CASEGUARD_BACKUP_ROOT:-backups}/$(date -u +%Y%m%dT%H%M%SZ)}
databases=${CASEGUARD_BACKUP_DATABASES:-${PGDATABASE:?set PGDATABASE or CASEGUARD_BACKUP_DATABASES}}
partial="$dir.partial"

if [ -e "$dir" ] || [ -e "$partial" ]; then
  echo "backup.sh: $dir already exists; give a new folder" >&2
  exit 2
fi
umask 077  # personal data: readable by the owner only
mkdir -p "$partial"

for db in $databases; do
  pg_dump --format=custom --dbname="$db" --file="$partial/$db.dump"
  echo "backup.sh: database $db -> $db.dump ($(du -h "$partial/$db.dump" | cut -f1))"
done
"$python" "$here/bucket_sync.py" download "$partial/documents"
{
  echo "taken_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "databases=$databases"
  echo "bucket=${CASEGUARD_S3_BUCKET:-}"
  echo "pg_dump=$(pg_dump --version)"
} >"$partial/backup.txt"
(cd "$partial" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) >"$partial.sums"
mv "$partial.sums" "$partial/SHA256SUMS"

# Only a complete backup gets its final name: a failed run leaves DIR.partial, never DIR.
mv "$partial" "$dir"
echo "backup.sh: complete: $dir"
