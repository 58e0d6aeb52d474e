#!/bin/sh
# `web`: bring the schema and the static files up to date, then serve with gunicorn.
# Anything else (celery ... worker / beat, manage.py ...) runs as given.
set -eu

if [ "${1:-web}" = "web" ]; then
    python manage.py migrate --noinput
    python manage.py collectstatic --noinput -v 0
    # WEB_CONCURRENCY (gunicorn reads it) sets the number of worker processes. No control socket: nothing
    # here uses gunicornc.
    exec gunicorn wuding_enforcement.wsgi:application \
        --bind 0.0.0.0:8000 \
        --timeout "${GUNICORN_TIMEOUT:-120}" \
        --access-logfile - \
        --error-logfile - \
        --no-control-socket
fi

exec "$@"
