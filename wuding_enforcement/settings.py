"""Settings for the Wuding enforcement portal, read from the environment.

Defaults serve a developer (SQLite file under var/, tasks run in-process, console e-mail, DEBUG on).
With DEBUG=False the portal refuses to start without SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
Over 500 lines because every setting is in this one module, read from the environment (docs/architecture.md).
"""

import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse, urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_int, env_list, env_str

# cryptography 51 deprecates DSA and pyHanko 0.38 imports DSAPrivateKey at module level (pyhanko/sign/signers/
# pdf_cms.py), so importing the signer warns although we sign with RSA only. Only that warning, from that module
# (the test configuration in pyproject.toml has the same filter).
warnings.filterwarnings(
    "ignore", message="DSA is deprecated", category=UserWarning, module=r"pyhanko\.sign\.signers\.pdf_cms"
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-wuding-enforcement-portal-not-for-production-use"  # noqa: S105 - refused when DEBUG=False
SECRET_KEY = env_str("SECRET_KEY") or ""
# The public address of the portal, printed in QR codes on documents and certificates (`make run` sets it
# from the HOST/PORT it serves); in development its host is allowed too.
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
_DEV_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]
_public_host = urlsplit(PUBLIC_BASE_URL).hostname
if _public_host and _public_host not in _DEV_HOSTS:
    _DEV_HOSTS.append(f"[{_public_host}]" if ":" in _public_host else _public_host)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if not DEBUG else _DEV_HOSTS)
DATABASE_URL = env_str("DATABASE_URL")
# The owner of the schema, used only to migrate (and to grant the application role its rights afterwards):
# the application itself connects as DATABASE_URL's role, which owns nothing and cannot alter, truncate or
# disable the triggers of the audit log (README "部署"; `deploy/entrypoint.sh migrate`). A process started
# with DB_AS_OWNER=true (the migrate entry point, backup/restore) connects as the owner instead.
DATABASE_MIGRATE_URL = env_str("DATABASE_MIGRATE_URL")
DB_AS_OWNER = env_bool("DB_AS_OWNER", False)
if DB_AS_OWNER and not DATABASE_MIGRATE_URL:
    raise ImproperlyConfigured("DB_AS_OWNER=true needs DATABASE_MIGRATE_URL (the schema owner's connection)")

if not DEBUG:
    problems = []
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        problems.append("SECRET_KEY (at least 50 random characters)")
    if not ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS (comma-separated host names)")
    if not DATABASE_URL:
        problems.append("DATABASE_URL (e.g. postgres://user:pass@host:5432/wuding)")
    if problems:
        raise ImproperlyConfigured("DEBUG=False needs real values for: " + "; ".join(problems))
elif not SECRET_KEY:
    SECRET_KEY = _DEV_SECRET_KEY

INSTALLED_APPS = [
    # First: its clean_old_history (a refusal: history is part of the record) shadows simple-history's.
    "wuding_enforcement.ops",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guardian",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    # The shared domain: audit <- roster <- cases <- the three systems.
    "wuding_enforcement.audit",
    # The durable outbox of tasks and the leases of long jobs (imports no domain model but audit).
    "wuding_enforcement.outbox",
    "wuding_enforcement.roster",
    "wuding_enforcement.cases",
    "wuding_enforcement.rulebook",
    # The three systems.
    "recording",
    "legal_review",
    "disclosure",
    "inspection",
    # The top floor: reads all three, imported by nothing.
    "supervision",
]
# Demo data (seed_demo, demo_accounts, demo_otp_codes): only where demo mode is on; production leaves the app
# out, so its commands do not even exist there (DEMO_MODE=false also leaves it out of a development setup).
DEMO_MODE = DEBUG and env_bool("DEMO_MODE", True)
if DEMO_MODE:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    # A request id for every request, log line and failure page.
    "wuding_enforcement.ops.middleware.RequestIdMiddleware",
    # /healthz and /readyz answer before the host check and the HTTPS redirect (probes use an IP and HTTP).
    "wuding_enforcement.ops.health.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "wuding_enforcement.ops.middleware.UserIdLogMiddleware",
    "wuding_enforcement.ops.middleware.StaffNoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "wuding_enforcement.audit.middleware.AuditRequestMiddleware",
    "wuding_enforcement.roster.middleware.AccountSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "wuding_enforcement.urls"
WSGI_APPLICATION = "wuding_enforcement.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # One Chinese formatting of dates and money in every template (|cn_date, |yuan ...).
            "builtins": ["wuding_enforcement.shared.template_filters"],
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wuding_enforcement.roster.context_processors.portal",
                "supervision.context_processors.unread_notifications",
                "inspection.context_processors.inspection_nav",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        (DATABASE_MIGRATE_URL if DB_AS_OWNER else DATABASE_URL) or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails the request in seconds (the 503 page), not after a TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two requests that read-then-write
    # (gapless numbers, the audit chain) queue up instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The public list's covering index (include=, disclosure.Publication) is PostgreSQL's; SQLite builds it
    # without the extra column, which changes nothing there but speed. The statistics' monthly rollup
    # (supervision.RecordRollup, nulls not distinct) is kept on PostgreSQL only (records_store.enabled).
    SILENCED_SYSTEM_CHECKS = ["models.W040", "models.W047"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ---------------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL
# No broker configured: tasks run in-process, the embedded default.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Eager tasks still ask the broker's producer for its serializer; an in-memory transport answers without
    # kombu falling back to (and warning about) amqp://localhost.
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing never waits long on a broker that is down: the outbox keeps the intent (docs/stack.md trap 21).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# Idempotent tasks are declared acks_late=True, reject_on_worker_lost=True (a worker killed mid-task has the
# broker deliver the task again); one message at a time per process, so a redelivery waits for nobody.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The worker and beat log through LOGGING below (JSON lines on stdout), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Redis redelivers an unacknowledged message after this long: longer than the longest task (the nightly
# re-hash of every stored byte), or a task still running would be started a second time.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 6 * 3600)}
CELERY_BEAT_SCHEDULE = {
    # The durable outbox (wuding_enforcement/outbox): hand waiting tasks to the broker, with backoff.
    "outbox-drain-every-minute": {
        "task": "wuding_enforcement.outbox.tasks.drain_outbox",
        "schedule": timedelta(minutes=1),
    },
    # Long jobs running past their lease become "failed — retry".
    "outbox-sweep-leases": {
        "task": "wuding_enforcement.outbox.tasks.sweep_leases",
        "schedule": timedelta(minutes=5),
    },
    # The worker's heartbeat (/readyz: broker, beat and a worker all alive).
    "outbox-heartbeat-every-minute": {
        "task": "wuding_enforcement.outbox.tasks.heartbeat",
        "schedule": timedelta(minutes=1),
    },
    # Anchor the audit chain hourly (so deleting the tail is visible within the hour) and daily.
    "anchor-audit-chain-hourly": {
        "task": "wuding_enforcement.audit.tasks.anchor_audit_chain",
        "schedule": crontab(minute=5),
    },
    # Verify the whole audit chain every night; a failure mails the admins and is itself audited.
    "ops-verify-audit-nightly": {
        "task": "wuding_enforcement.ops.tasks.verify_audit_chain",
        "schedule": crontab(hour=3, minute=30),
    },
    # Expired sessions removed; login records (django-axes) removed once older than LOGIN_RECORDS_KEEP_DAYS.
    "ops-clean-sessions-and-login-records-daily": {
        "task": "wuding_enforcement.ops.tasks.clean_sessions_and_login_records",
        "schedule": crontab(hour=4, minute=10),
    },
    "send-reminders-daily": {
        "task": "supervision.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=30),
    },
    "anchor-audit-chain-daily": {
        "task": "wuding_enforcement.audit.tasks.anchor_audit_chain",
        "schedule": crontab(hour=23, minute=55),
        "kwargs": {"period": "daily"},
    },
    # Abort resumable uploads idle for UPLOAD_STALE_HOURS and remove their partial files.
    "recording-clean-stale-uploads-hourly": {
        "task": "recording.tasks.clean_stale_uploads",
        "schedule": timedelta(hours=1),
    },
    # Re-hash every evidence file, issued PDF and case-file PDF (at night: it reads every stored byte).
    "recording-verify-integrity-nightly": {
        "task": "recording.tasks.verify_integrity",
        "schedule": crontab(hour=2, minute=15),
    },
    # The deadline table recomputed and compared with the clocks (cases/deadline_sync.py rebuild: rewrites only
    # what differs), then the statistics' stored facts checked and rebuilt when they differ.
    "cases-rebuild-deadlines-nightly": {
        "task": "wuding_enforcement.cases.tasks.rebuild_deadlines",
        "schedule": crontab(hour=1, minute=10),
    },
    "supervision-check-record-facts-nightly": {
        "task": "supervision.tasks.check_record_facts",
        "schedule": crontab(hour=1, minute=40),
    },
    # Record the end of publications whose period is over (the public queries already filter on the date).
    "disclosure-record-publication-expiries-daily": {
        "task": "disclosure.tasks.record_publication_expiries",
        "schedule": crontab(hour=0, minute=10),
    },
}

# Tasks tracked as leased jobs besides the beat schedule's (wuding_enforcement/outbox/tracking.py): a batch
# issue of legal-review decisions (pages issue in the request).
TRACKED_TASKS = ["legal_review.tasks.issue_decision"]
# How long a tracked task may run before the sweeper calls it lost (seconds; default 30 minutes).
TASK_LEASES = {
    "recording.tasks.verify_integrity": 5 * 3600,
    "wuding_enforcement.ops.tasks.verify_audit_chain": 2 * 3600,
    "wuding_enforcement.ops.tasks.nightly_backup": 5 * 3600,
}
# The worker counts as down when its heartbeat is older than this (seconds).
WORKER_HEARTBEAT_MAX_AGE = env_int("WORKER_HEARTBEAT_MAX_AGE", 180)


def _redis_cache(url: str) -> dict:
    """django-redis, failing open: with Redis down a cache read is a miss and a write is skipped, never a 500
    (docs/stack.md trap 20). Short timeouts, so a Redis that hangs costs a request half a second, not 20."""
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
    }


if REDIS_URL:
    CACHES = {"default": _redis_cache(REDIS_URL)}
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "wuding.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# The public page cache (shared/pagecache.py): each web process trusts the section versions it read for this
# many seconds, so a cached hit needs no Redis round trip; a publication or withdrawal made through another
# process shows on this one's cached pages at most this late (the process that made it sees it at once). 0: off.
PAGECACHE_VERSION_SECONDS = env_int("PAGECACHE_VERSION_SECONDS", 1)
# Sessions live in the database, never in the cache: signing in and staying signed in do not depend on Redis.
SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Auth and accounts -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "roster.Staff"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "roster:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "roster:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's own length message is untranslated in zh_Hans (5.2): this subclass speaks Chinese.
    {
        "NAME": "wuding_enforcement.roster.validators.ChineseMinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "wuding_enforcement.roster.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    # Refuses the username or the surname's pinyin dressed up with digits and symbols (yangl2026! for yangl).
    {"NAME": "wuding_enforcement.roster.validators.PersonalNamePasswordValidator"},
]

# django-axes: lock a username from one IP after 5 failures for 30 minutes (docs/stack.md trap 10).
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts made while locked do not restart the 30 minutes: the lockout page promises "30 分钟后再试".
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Renders roster/locked_out.html in Chinese with HTTP 429 and writes the lockout to the audit log.
AXES_LOCKOUT_CALLABLE = "wuding_enforcement.roster.views.locked_out"
# python-ipware is not installed, so the AXES_IPWARE_* settings alone would be ignored and every login behind
# the proxy would share the proxy's address: use the same client IP as the audit log.
AXES_CLIENT_IP_CALLABLE = "wuding_enforcement.audit.api.client_ip"
# The username as typed, with an ID number masked (no full ID number in the attempts table).
AXES_USERNAME_CALLABLE = "wuding_enforcement.roster.views.lockout_username"
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if AXES_IPWARE_PROXY_COUNT else ["REMOTE_ADDR"]
)

# Sessions: absolute lifetime 12 h, idle timeout 30 min (enforced by AccountSecurityMiddleware).
SESSION_COOKIE_AGE = 12 * 3600
SESSION_IDLE_TIMEOUT = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Roles that must pass TOTP two-factor before they reach any staff page.
OTP_REQUIRED_ROLES = ["管理员", "法制审核人员"]
OTP_TOTP_ISSUER = "武定县市场监督管理局"

# --- Security headers --------------------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "media-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
    # Behind a TLS-terminating proxy (nginx), trust its X-Forwarded-Proto header.
    if env_bool("BEHIND_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Language, time ---------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Media is never served from a public URL: every file goes through a permission-checked view.
MEDIA_URL = "/media-not-public/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_PERMISSIONS = 0o640


# --- Object storage (README "多台服务器"; docs/operations.md) ------------------------------------------------
def _object_store(bucket: str | None) -> dict | None:
    """OBJECT_STORE_BUCKET set: every stored file (evidence, issued documents, case files, notices, open data)
    lives in that bucket of an S3-compatible store (MinIO, Ceph, a cloud) through django-storages, so any web
    host or worker reads what another wrote. Unset: MEDIA_ROOT on local disk, the embedded default."""
    if not bucket:
        return None
    serve = env_str("OBJECT_STORE_SERVE", "redirect")
    if serve not in ("redirect", "accel"):
        raise ImproperlyConfigured("OBJECT_STORE_SERVE takes redirect or accel")
    mode = env_str("OBJECT_STORE_RETENTION_MODE", "").upper()
    if mode not in ("", "GOVERNANCE", "COMPLIANCE"):
        raise ImproperlyConfigured("OBJECT_STORE_RETENTION_MODE takes GOVERNANCE, COMPLIANCE or nothing")
    endpoint = env_str("OBJECT_STORE_URL", "") or None
    return {
        "bucket": bucket,
        # Empty: the provider's own endpoint (AWS); MinIO: http://minio:9000 (the address the portal reaches).
        "endpoint_url": endpoint,
        "region": env_str("OBJECT_STORE_REGION", "us-east-1"),
        "access_key": env_str("OBJECT_STORE_ACCESS_KEY", "") or None,
        "secret_key": env_str("OBJECT_STORE_SECRET_KEY", "") or None,
        # A folder inside the bucket (several portals sharing one bucket).
        "prefix": env_str("OBJECT_STORE_PREFIX", ""),
        # redirect: a short-lived signed URL on OBJECT_STORE_PUBLIC_URL (the address browsers reach);
        # accel: nginx fetches the signed URL on the internal address (X-Accel-Redirect, deploy/nginx.conf).
        "serve": serve,
        "public_url": env_str("OBJECT_STORE_PUBLIC_URL", "") or endpoint,
        "accel_prefix": env_str("OBJECT_STORE_ACCEL_PREFIX", "/_object_store/"),
        "url_seconds": env_int("OBJECT_STORE_URL_SECONDS", 300),
        # Object lock on every evidence file once its row committed (the bucket must be created with object
        # lock enabled): GOVERNANCE (an administrator with the bypass right may shorten it) or COMPLIANCE.
        "retention_mode": mode,
        "retention_days": env_int("OBJECT_STORE_RETENTION_DAYS", 30 * 366),
    }


def _object_storage_backend(store: dict) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": store["bucket"],
            "endpoint_url": store["endpoint_url"],
            "region_name": store["region"],
            "access_key": store["access_key"],
            "secret_key": store["secret_key"],
            "location": store["prefix"],
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "signature_version": "s3v4",
            "addressing_style": "path",
        },
    }


OBJECT_STORE = _object_store(env_str("OBJECT_STORE_BUCKET", ""))
if OBJECT_STORE:
    STORAGES["default"] = _object_storage_backend(OBJECT_STORE)
    if OBJECT_STORE["serve"] == "redirect" and OBJECT_STORE["public_url"]:
        # Playback and thumbnails are redirected to the store: the page may load media from it.
        _store_origin = "{0.scheme}://{0.netloc}".format(urlsplit(OBJECT_STORE["public_url"]))
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["media-src"].append(_store_origin)
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(_store_origin)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000

# --- E-mail ------------------------------------------------------------------------------------------------


def _email_settings(url: str | None) -> dict:
    """EMAIL_URL: console:// (default), smtp://user:pass@host:25, smtp+tls://..., smtp+ssl://..."""
    if not url or url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if url.startswith("locmem:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    parsed = urlparse(url)
    if parsed.scheme not in {"smtp", "smtp+tls", "smtp+ssl"} or not parsed.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL must be console://, locmem:// or smtp[+tls|+ssl]://host, got {url!r}"
        )
    query = parse_qs(parsed.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname,
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme == "smtp+ssl" else 25),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": parsed.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parsed.scheme == "smtp+ssl",
        "EMAIL_TIMEOUT": int(query.get("timeout", ["10"])[0]),
    }


globals().update(_email_settings(env_str("EMAIL_URL")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "武定县市场监督管理局 <noreply@wuding-amr.example>")

# --- The bureau -------------------------------------------------------------------------------------------
BUREAU_NAME = env_str("BUREAU_NAME", "武定县市场监督管理局")
BUREAU_SHORT = env_str("BUREAU_SHORT", "武市监")
# 政府网站发展指引 (国办发〔2017〕47号): a county department publishes as a column of the county government's
# portal and carries that portal's identifiers. Empty shows nothing (never a made-up number); README "公示网站".
GOV_SITE_NAME = env_str("GOV_SITE_NAME", "")  # the host portal, e.g. 武定县人民政府
GOV_SITE_DOMAIN = env_str("GOV_SITE_DOMAIN", "")  # e.g. www.wuding.gov.cn
GOV_SITE_ID_CODE = env_str("GOV_SITE_ID_CODE", "")  # 网站标识码, 10 characters
GOV_SITE_ICP = env_str("GOV_SITE_ICP", "")  # ICP备案号, e.g. 滇ICP备xxxxxxxx号
GOV_SITE_PSB = env_str("GOV_SITE_PSB", "")  # 公安机关备案号, e.g. 滇公网安备 53232902000000号
GOV_SITE_PARTY_MARK_URL = env_str("GOV_SITE_PARTY_MARK_URL", "")  # 党政机关网站标识's certificate link
LICENCE_DECISIONS_URL = env_str("LICENCE_DECISIONS_URL", "")  # where 行政许可决定 are published
# Where the hourly and daily audit-chain anchors are written, outside the database.
AUDIT_ANCHOR_DIR = Path(env_str("AUDIT_ANCHOR_DIR", str(VAR_DIR / "audit-anchors")))
# A second copy of every anchor on storage the database host cannot rewrite (another machine's mount, an
# object store's sync folder). Never part of a restore: it is the witness that tells a genuine restore (which
# records a re-baseline) from a silent rollback (README "运维").
_mirror = env_str("AUDIT_ANCHOR_MIRROR_DIR", "")
AUDIT_ANCHOR_MIRROR_DIR = Path(_mirror) if _mirror else None
# Only settings_test may turn this on (it lets pytest-django flush the audit table); see audit/db.py.
AUDIT_TRIGGER_BYPASS = False

# --- Operations (README "运维") --------------------------------------------------------------------------------
# Backups (manage.py backup): where they go, and the key that encrypts them (32 random bytes, urlsafe base64:
# python3 -c "import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"). Keep the key
# apart from the backups: without it they cannot be read, by an intruder or by you.
_backup_dir = env_str("BACKUP_DIR", "")
BACKUP_DIR = Path(_backup_dir) if _backup_dir else None
BACKUP_ENCRYPTION_KEY = env_str("BACKUP_ENCRYPTION_KEY", "")
BACKUP_KEEP = env_int("BACKUP_KEEP", 14)
if BACKUP_DIR:
    CELERY_BEAT_SCHEDULE["ops-backup-nightly"] = {
        "task": "wuding_enforcement.ops.tasks.nightly_backup",
        "schedule": crontab(hour=1, minute=30),
    }
# A volume with less free space than this fails /readyz and shows red on the 运行状态 page.
DISK_MIN_FREE_BYTES = env_int("DISK_MIN_FREE_BYTES", 2 * 1024**3)
# Addresses whose /readyz probes get an answer (loopback always; add the load balancer's network).
HEALTH_PROBE_NETWORKS = env_list("HEALTH_PROBE_NETWORKS", ["127.0.0.0/8", "::1/128"])
# Login records (django-axes attempts and logs) are kept at least six months (网络安全法 第二十一条).
LOGIN_RECORDS_KEEP_DAYS = env_int("LOGIN_RECORDS_KEEP_DAYS", 183)
if LOGIN_RECORDS_KEEP_DAYS < 183:
    raise ImproperlyConfigured(
        "LOGIN_RECORDS_KEEP_DAYS must be at least 183 (网络安全法 第二十一条: six months)"
    )
# Who is mailed when a nightly check fails (besides every active 管理员 with an e-mail address):
# "张三 <zhang@example.cn>, ops@example.cn".
ADMINS = [
    (address.split("<")[0].strip() or address, address.split("<")[-1].rstrip(">").strip())
    for address in env_list("ADMINS", [])
]

# Logs: one JSON object per line on stdout (request id, user id; ID and mobile numbers masked), or readable
# lines in development. LOG_FORMAT=json|text.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, got {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "wuding_enforcement.ops.logs.RequestContextFilter"},
        # An outage would otherwise log the same ignored cache error on every request.
        "once_a_minute": {"()": "wuding_enforcement.ops.logs.OncePerIntervalFilter", "seconds": 60},
    },
    "formatters": {
        "json": {"()": "wuding_enforcement.ops.logs.JsonFormatter"},
        "text": {"()": "wuding_enforcement.ops.logs.TextFormatter"},
    },
    # The handler has the level too: Django's own "django" logger already prints its INFO lines (runserver)
    # in development and propagates them here, where they would print twice.
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "level": env_str("LOG_LEVEL", "WARNING"),
            "filters": ["request_context"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
    "loggers": {
        "wuding.cache": {"filters": ["once_a_minute"]},
    },
}

# django-guardian: no anonymous user row (citizens never get object permissions).
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

# Origins allowed to frame the embeddable views (the county government's portal: disclosure/views/embed.py), e.g.
# https://www.wuding.gov.cn; empty: no site may frame them (CSP frame-ancestors, only on those views).
EMBED_ALLOWED_ORIGINS = env_list("EMBED_ALLOWED_ORIGINS", [])
for _origin in EMBED_ALLOWED_ORIGINS:
    if not _origin.startswith(("https://", "http://")) or "/" in _origin.split("://", 1)[1]:
        raise ImproperlyConfigured(
            f"EMBED_ALLOWED_ORIGINS takes origins like https://www.example.gov.cn, got {_origin!r}"
        )
# Audio-video uploads: size cap (default 8 GB) and chunk size of the resumable upload protocol.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 8 * 1024**3)
UPLOAD_CHUNK_BYTES = env_int("UPLOAD_CHUNK_BYTES", 8 * 1024**2)
if OBJECT_STORE and not 5 * 1024**2 <= UPLOAD_CHUNK_BYTES <= 5 * 1024**3:
    # Each chunk becomes one part of the store's multipart upload: S3 parts are 5 MB to 5 GB (the last may be
    # smaller), at most 10,000 of them.
    raise ImproperlyConfigured("with an object store UPLOAD_CHUNK_BYTES must be between 5 MB and 5 GB")
if OBJECT_STORE and EVIDENCE_MAX_BYTES > 10_000 * UPLOAD_CHUNK_BYTES:
    raise ImproperlyConfigured("EVIDENCE_MAX_BYTES needs more than 10,000 parts of UPLOAD_CHUNK_BYTES")
# Keep the upload's SHA-256 running chunk by chunk, its state saved with the upload row (any worker goes on
# with it); off: the file is hashed in one pass at completion (bench/upload_bench.py compares the two).
UPLOAD_RUNNING_HASH = env_bool("UPLOAD_RUNNING_HASH", True)
# An open upload with no new bytes for this long is aborted and its partial file removed.
UPLOAD_STALE_HOURS = env_int("UPLOAD_STALE_HOURS", 24)
# Evidence files up to this size are re-hashed before a download is sent (refused if altered); larger ones
# are re-hashed while they stream and an alert is raised at the end.
EVIDENCE_VERIFY_BEFORE_SEND_BYTES = env_int("EVIDENCE_VERIFY_BEFORE_SEND_BYTES", 64 * 1024**2)

# Electronic seal on issued documents (recording/signing.py): the bureau's PKCS#12 certificate in production;
# without one, development and the demo sign with a generated self-signed demo certificate.
DOCUMENT_SIGNER = env_str("DOCUMENT_SIGNER", "")
SIGNING_PKCS12_PATH = env_str("SIGNING_PKCS12_PATH", "")
SIGNING_PKCS12_PASSWORD = env_str("SIGNING_PKCS12_PASSWORD", "")
_loggers: dict = LOGGING["loggers"]  # type: ignore[assignment]  # LOGGING is a plain dict literal
_loggers.update({"pyhanko": {"level": "ERROR"}, "pyhanko_certvalidator": {"level": "ERROR"}})
