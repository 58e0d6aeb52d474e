# The portal's one image: web (gunicorn), worker and beat (Celery) all run it; see docker-compose.yml.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint's libraries; libharfbuzz-subset0 keeps CJK font subsetting at ~0.2 s per PDF instead of 8-10 s;
# Noto CJK so official documents show Chinese glyphs; poppler-utils for pdftotext/pdfsig; postgresql-client
# (15, as the database) for `manage.py backup` / `restore` (pg_dump, pg_restore).
# ffmpeg (media metadata) is optional: docker build --build-arg EXTRA_APT_PACKAGES=ffmpeg .
ARG EXTRA_APT_PACKAGES=""
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils postgresql-client \
        ${EXTRA_APT_PACKAGES} \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 wuding \
    && useradd --system --uid 10001 --gid wuding --home-dir /app --no-create-home --shell /usr/sbin/nologin wuding

WORKDIR /app

# Dependencies first, exactly as locked in uv.lock (hashes checked, dev extra left out), so a code change
# does not reinstall them. uv is installed at the version the lock itself pins.
ENV UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never UV_NO_CACHE=1 PATH=/opt/venv/bin:$PATH
COPY pyproject.toml uv.lock ./
RUN pip install "uv==$(sed -n 's/^ *"uv==\([0-9.]*\)".*/\1/p' pyproject.toml)" \
    && uv sync --locked --no-install-project \
    && pip uninstall -y uv

# The code stays root-owned: the app user can read it, not change it.
COPY . .

# The only places the app writes. Named volumes mounted here start with this ownership.
RUN mkdir -p /app/var /srv/static /srv/media /srv/audit-anchors /srv/audit-anchor-mirror /srv/backups /srv/beat \
    && chown wuding:wuding /app/var /srv/static /srv/media /srv/audit-anchors /srv/audit-anchor-mirror /srv/backups /srv/beat \
    && chmod 0700 /srv/backups

# HOME too, so tools that keep a cache there (fontconfig for WeasyPrint) can write it.
ENV DJANGO_SETTINGS_MODULE=wuding_enforcement.settings \
    HOME=/app/var \
    VAR_DIR=/app/var \
    STATIC_ROOT=/srv/static \
    MEDIA_ROOT=/srv/media \
    AUDIT_ANCHOR_DIR=/srv/audit-anchors

USER wuding
EXPOSE 8000
ENTRYPOINT ["/bin/sh", "/app/deploy/entrypoint.sh"]
CMD ["web"]
