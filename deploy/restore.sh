#!/usr/bin/env bash
# Restore a folder made by backup.sh: each database is dropped and recreated from its dump, and every
# document is put back into the bucket (objects the backup does not have are left alone: documents
# are named by their SHA-256, so an extra one changes nothing).
#
#   deploy/restore.sh [--yes] DIR
#
# Stop whatever writes to these databases first (docker compose: caddy, api, worker, temporal-ui,
# temporal): a database with open connections cannot be dropped, and the restore stops there.
# Same variables as backup.sh; the connecting user must be allowed to create databases.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
yes=
if [ "${1:-}" = "--yes" ]; then
  yes=1
  shift
fi
dir=${1:?usage: restore.sh [--yes] DIR}

if [ ! -f "$dir/SHA256SUMS" ] || [ ! -d "$dir/documents" ]; then
  echo "restore.sh: $dir is not a complete backup (no SHA256SUMS or documents/)" >&2
  exit 2
fi
# A damaged backup is refused before anything is touched.
if ! (cd "$dir" && sha256sum --check --quiet --strict SHA256SUMS); then
  echo "restore.sh: $dir does not match its SHA256SUMS; nothing was restored" >&2
  exit 1
fi

shopt -s nullglob
dumps=("$dir"/*.dump)
if [ ${#dumps[@]} -eq 0 ]; then
  echo "restore.sh: no database dump in $dir" >&2
  exit 2
fi
databases=$(for d in "${dumps[@]}"; do basename "$d" .dump; done | tr '\n' ' ')
echo "restore.sh: replaces the databases ${databases}on ${PGHOST:-local socket} and puts the" \
  "documents back into bucket ${CASEGUARD_S3_BUCKET:-?}, from $dir"
if [ -z "$yes" ]; then
  read -r -p "Type yes to go on: " answer || answer=
  [ "$answer" = yes ] || { echo "restore.sh: nothing was restored" >&2; exit 1; }
fi

for dump in "${dumps[@]}"; do
  # --create with --clean: DROP DATABASE, CREATE DATABASE, then everything in it, so the result is
  # exactly what was dumped; --no-owner: objects belong to the restoring user.
  db=$(basename "$dump" .dump)
  if ! pg_restore --clean --if-exists --create --no-owner --exit-on-error \
      --dbname="${CASEGUARD_RESTORE_MAINTENANCE_DB:-postgres}" "$dump"; then
    echo "restore.sh: database $db was not restored; if it is in use, stop what uses it and run" \
      "this again (README, \"Production\")" >&2
    exit 1
  fi
  echo "restore.sh: database $db restored"
done
"$python" "$here/bucket_sync.py" upload "$dir/documents"
echo "restore.sh: complete"
