#!/usr/bin/env bash
# Backup-and-restore drill with real processes on PostgreSQL: a demo portal is backed up, work goes on (an
# audit row and an hourly anchor the backup lacks), then it is restored into a NEW database and NEW folders;
# verify_audit (with the recorded re-baseline) and verify_evidence must pass, and the timings give the
# recovery time (README "运维"). A silent rollback is covered by tests/ops/test_restore_drill.py.
#
#   scripts/drill-backup-restore.sh [database-prefix]     (default wuding_drill; needs psql, pg_dump, pg_restore)
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX="${1:-wuding_drill}"
PGURL="${PGURL:-postgres://postgres@127.0.0.1:5432}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
PY=.venv/bin/python
SRC="${PREFIX}_src"
DST="${PREFIX}_dst"

psql "$PGURL/postgres" -qc "DROP DATABASE IF EXISTS $SRC WITH (FORCE)" -c "DROP DATABASE IF EXISTS $DST WITH (FORCE)"
for db in "$SRC" "$DST"; do
  psql "$PGURL/postgres" -qc "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
done

common=(env -u REDIS_URL -u CELERY_BROKER_URL DJANGO_SETTINGS_MODULE=wuding_enforcement.settings
  AUDIT_ANCHOR_MIRROR_DIR="$WORK/mirror" BACKUP_ENCRYPTION_KEY="$($PY -c 'import base64,os;print(base64.urlsafe_b64encode(os.urandom(32)).decode())')")
src=("${common[@]}" DATABASE_URL="$PGURL/$SRC" VAR_DIR="$WORK/src" MEDIA_ROOT="$WORK/src/media" AUDIT_ANCHOR_DIR="$WORK/src/anchors")
dst=("${common[@]}" DATABASE_URL="$PGURL/$DST" VAR_DIR="$WORK/dst" MEDIA_ROOT="$WORK/dst/media" AUDIT_ANCHOR_DIR="$WORK/dst/anchors")

echo "== a demo portal"
"${src[@]}" $PY manage.py migrate --noinput -v 0
"${src[@]}" $PY manage.py seed_demo >/dev/null
"${src[@]}" $PY manage.py anchor_audit --period hourly
echo "== backup"
start=$(date +%s.%N)
"${src[@]}" $PY manage.py backup --output "$WORK/backups" --keep 0
echo "backup took $(echo "$(date +%s.%N) - $start" | bc) s; $(du -sh "$WORK/backups" | cut -f1) on disk"
echo "== work after the backup (lost in the restore, recorded as the gap)"
"${src[@]}" $PY manage.py shell -c "from wuding_enforcement.audit.api import record; record('drill.after_backup')"
"${src[@]}" $PY manage.py anchor_audit --period hourly
echo "== restore into a new database and new folders"
start=$(date +%s.%N)
"${dst[@]}" $PY manage.py restore "$WORK"/backups/wuding-*
echo "restore took $(echo "$(date +%s.%N) - $start" | bc) s"
echo "== both chains"
"${dst[@]}" $PY manage.py verify_audit
"${dst[@]}" $PY manage.py verify_evidence
psql "$PGURL/postgres" -qc "DROP DATABASE $SRC WITH (FORCE)" -c "DROP DATABASE $DST WITH (FORCE)"
echo "drill passed"
