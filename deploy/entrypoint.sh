#!/bin/sh
# `migrate`: as the schema owner (DATABASE_MIGRATE_URL), bring the schema up to date, then grant the
#            application role (DATABASE_URL's user) its rights: read-write on the portal's tables, read and
#            append only on the audit log and the change history. The docker-compose `migrate` service runs
#            this once before web, worker and beat start.
# `web`:     collect static files, then serve with gunicorn as the application role.
# Anything else (celery ... worker / beat, manage.py ...) runs as given.
set -eu

case "${1:-web}" in
migrate)
    if [ -z "${DATABASE_MIGRATE_URL:-}" ]; then
        echo "migrate needs DATABASE_MIGRATE_URL (the schema owner's connection)" >&2
        exit 2
    fi
    DB_AS_OWNER=true python manage.py migrate --noinput
    DB_AS_OWNER=true python manage.py grant_app_role
    exit 0
    ;;
web)
    python manage.py collectstatic --noinput -v 0
    # WEB_CONCURRENCY (gunicorn reads it) sets the number of worker processes. No control socket: nothing
    # here uses gunicornc. The access log is one JSON object per line on stdout, with the request id our
    # middleware answers in X-Request-ID; the path without its query string (which may carry personal data).
    exec gunicorn wuding_enforcement.wsgi:application \
        --bind 0.0.0.0:8000 \
        --timeout "${GUNICORN_TIMEOUT:-120}" \
        --access-logfile - \
        --access-logformat '{"time":"%(t)s","logger":"gunicorn.access","remote":"%(h)s","method":"%(m)s","path":"%(U)s","status":%(s)s,"bytes":"%(B)s","duration_ms":%(M)s,"request_id":"%({x-request-id}o)s"}' \
        --error-logfile - \
        --no-control-socket
    ;;
esac

exec "$@"
