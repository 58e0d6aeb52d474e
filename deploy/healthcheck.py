"""Container health checks (docker-compose.yml), one per process kind:

  python deploy/healthcheck.py web     GET /healthz over plain HTTP with the IP as Host (exempt from the host
                                       check and the HTTPS redirect): the web process answers in time.
  python deploy/healthcheck.py worker  the worker of this container answers a Celery ping through the broker.
  python deploy/healthcheck.py beat    beat wrote its schedule file within the last 10 minutes (it does after
                                       sending tasks, at least every few minutes: the heartbeat is every minute).

Readiness of the whole installation (database, Redis, broker, worker heartbeat, disk) is /readyz.
"""

import glob
import os
import socket
import sys
import time
import urllib.request

BEAT_SCHEDULE = os.environ.get("BEAT_SCHEDULE_FILE", "/srv/beat/celerybeat-schedule")
BEAT_MAX_AGE = 10 * 60


def web() -> bool:
    with urllib.request.urlopen("http://127.0.0.1:8000/healthz", timeout=5) as response:  # noqa: S310 (fixed URL)
        return response.status == 200


def worker() -> bool:
    sys.path.insert(0, "/app")
    from wuding_enforcement.celery import app

    replies = app.control.ping([f"celery@{socket.gethostname()}"], timeout=5)
    return bool(replies)


def beat() -> bool:
    files = glob.glob(BEAT_SCHEDULE + "*")
    return bool(files) and time.time() - max(os.path.getmtime(f) for f in files) < BEAT_MAX_AGE


if __name__ == "__main__":
    kind = sys.argv[1] if len(sys.argv) > 1 else "web"
    try:
        healthy = {"web": web, "worker": worker, "beat": beat}[kind]()
    except Exception as exc:
        print(f"{kind} health check failed: {exc}", file=sys.stderr)
        sys.exit(1)
    if not healthy:
        print(f"{kind} health check failed", file=sys.stderr)
    sys.exit(0 if healthy else 1)
