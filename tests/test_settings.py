"""Settings come from the environment; production (DEBUG=False) refuses to start half-configured.

Each check starts a fresh Python with a controlled environment (nothing inherited but PATH), because the
settings are read once, at import.
"""

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from wuding_enforcement.settings import _email_settings

ROOT = Path(__file__).resolve().parent.parent
SETUP = "import django; django.setup()"
# Prints the settings a test asks about, as JSON.
SHOW = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({{name: str(getattr(settings, name)) for name in {names!r}}}))"
)


@pytest.fixture
def run(tmp_path):
    """Run Python code or manage.py in a fresh interpreter with only the given environment (plus PATH)."""

    def runner(*args, settings_module="wuding_enforcement.settings", **env):
        environ = {
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": settings_module,
            # Keeps the SQLite default, anchors and media of a run out of the developer's var/.
            "VAR_DIR": str(tmp_path / "var"),
        }
        environ.update(env)
        return subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
        )

    return runner


@pytest.fixture
def production_env(tmp_path):
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "zwgk.wuding.example,127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }


def show(run, env, *names, **kwargs):
    result = run("-c", SHOW.format(names=list(names)), **env, **kwargs)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_refuses_to_start_without_secret_key_allowed_hosts_and_database_url(run):
    result = run("-c", SETUP, DEBUG="false")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
        assert name in result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_production_names_exactly_the_one_setting_that_is_missing(run, production_env, missing):
    del production_env[missing]

    result = run("-c", SETUP, **production_env)

    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith(
        "django.core.exceptions.ImproperlyConfigured: DEBUG=False needs real values for:"
    )
    assert missing in message
    assert [name for name in production_env if name != "DEBUG" and name in message] == []


@pytest.mark.parametrize(
    "weak_key",
    [
        "short-key",
        "dev-only-insecure-key-wuding-enforcement-portal-not-for-production-use",
        "a" * 60,
    ],
    ids=["too-short", "the-developer-key", "one-repeated-character"],
)
def test_production_refuses_a_weak_secret_key(run, production_env, weak_key):
    result = run("-c", SETUP, **{**production_env, "SECRET_KEY": weak_key})

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr.strip().splitlines()[-1]


def test_a_complete_production_configuration_passes_the_deploy_check_without_warnings(run, production_env):
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING", **production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_turns_on_https_only_cookies_and_hsts(run, production_env):
    values = show(
        run,
        production_env,
        "DEBUG",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "ALLOWED_HOSTS",
    )

    assert values == {
        "DEBUG": "False",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SECURE_SSL_REDIRECT": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "ALLOWED_HOSTS": "['zwgk.wuding.example', '127.0.0.1']",
    }


def test_behind_a_proxy_production_trusts_its_forwarded_proto_header(run, production_env):
    values = show(run, {**production_env, "BEHIND_PROXY": "true"}, "SECURE_PROXY_SSL_HEADER")

    assert values == {"SECURE_PROXY_SSL_HEADER": "('HTTP_X_FORWARDED_PROTO', 'https')"}


def test_the_test_settings_refuse_debug_false(run, production_env):
    # The audit trigger bypass lives in settings_test: it must never load with production settings.
    result = run("-c", "import wuding_enforcement.settings_test", **production_env)

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured: settings_test")
    assert "DEBUG=False" in last_line


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("BEHIND_PROXY", "yes please")])
def test_a_boolean_that_is_neither_true_nor_false_stops_start_up(run, production_env, name, value):
    env = {**production_env, name: value} if name == "BEHIND_PROXY" else {name: value}

    result = run("-c", SETUP, **env)

    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        f"django.core.exceptions.ImproperlyConfigured: {name} must be a boolean (true/false), got {value!r}"
    )


def test_an_integer_setting_that_is_not_a_number_stops_start_up(run):
    result = run("-c", SETUP, DB_CONN_MAX_AGE="sixty")

    assert result.returncode != 0
    assert "DB_CONN_MAX_AGE must be an integer, got 'sixty'" in result.stderr


def test_redis_url_moves_the_cache_and_the_broker_to_redis(run):
    values = show(
        run,
        {"REDIS_URL": "redis://cache.internal:6379/3"},
        "CACHES",
        "CELERY_BROKER_URL",
        "CELERY_RESULT_BACKEND",
        "CELERY_TASK_ALWAYS_EAGER",
    )

    # django-redis, failing open (Django's own RedisCache raises when Redis is down: docs/stack.md trap 20).
    assert "django_redis.cache.RedisCache" in values["CACHES"]
    assert "'IGNORE_EXCEPTIONS': True" in values["CACHES"]
    assert "redis://cache.internal:6379/3" in values["CACHES"]
    assert values["CELERY_BROKER_URL"] == values["CELERY_RESULT_BACKEND"] == "redis://cache.internal:6379/3"
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "False"


def test_without_redis_the_developer_gets_an_in_process_cache_and_eager_tasks(run):
    values = show(run, {}, "CACHES", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "DATABASES")

    assert "LocMemCache" in values["CACHES"]
    assert values["CELERY_BROKER_URL"] == "memory://localhost/"
    assert values["CELERY_TASK_ALWAYS_EAGER"] == "True"
    assert "/var/db.sqlite3" in values["DATABASES"]


def test_an_smtp_url_with_starttls_sets_the_backend_and_every_field():
    assert _email_settings("smtp+tls://notice%40wuding.example:p%40ss%3Aword@mail.wuding.example:587") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.wuding.example",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "notice@wuding.example",
        "EMAIL_HOST_PASSWORD": "p@ss:word",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10,
    }


def test_an_smtp_url_over_ssl_defaults_to_port_465_and_reads_the_timeout():
    settings = _email_settings("smtp+ssl://mail.example?timeout=5")

    assert (settings["EMAIL_PORT"], settings["EMAIL_USE_SSL"], settings["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )
    assert settings["EMAIL_TIMEOUT"] == 5
    assert (settings["EMAIL_HOST_USER"], settings["EMAIL_HOST_PASSWORD"]) == ("", "")


@pytest.mark.parametrize(
    ("url", "backend"),
    [(None, "console"), ("console://", "console"), ("locmem://", "locmem")],
)
def test_without_smtp_mail_stays_inside_the_process(url, backend):
    assert _email_settings(url) == {"EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend"}


@pytest.mark.parametrize("url", ["imap://mail.example", "smtp://", "mail.example:25"])
def test_an_email_url_the_portal_cannot_use_stops_start_up(url):
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL must be"):
        _email_settings(url)


def test_the_email_url_reaches_django_settings(run):
    values = show(
        run,
        {"EMAIL_URL": "smtp+tls://notice:secret@mail.wuding.example:587"},
        "EMAIL_BACKEND",
        "EMAIL_HOST",
        "EMAIL_PORT",
        "EMAIL_USE_TLS",
    )

    assert values == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.wuding.example",
        "EMAIL_PORT": "587",
        "EMAIL_USE_TLS": "True",
    }


def _example_env() -> dict[str, str]:
    lines = (ROOT / "deploy" / "env.example").read_text(encoding="utf-8").splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return {key.strip(): value.strip() for key, value in pairs}


def test_the_example_deployment_environment_names_every_setting_the_portal_reads():
    source = (ROOT / "wuding_enforcement" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z_]+)\"", source))

    assert read, "no env_*() calls found in settings.py"
    assert sorted(read - _example_env().keys()) == []


def test_the_example_deployment_environment_refuses_to_start_until_the_secret_key_is_set(run, tmp_path):
    example = _example_env()
    # The container paths do not exist here; everything else is used as shipped.
    paths = {
        name: str(tmp_path / name.lower())
        for name in ("VAR_DIR", "STATIC_ROOT", "MEDIA_ROOT", "AUDIT_ANCHOR_DIR")
    }

    as_shipped = run("-c", SETUP, **{**example, **paths})
    filled_in = run(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **{**example, **paths, "SECRET_KEY": secrets.token_urlsafe(60)},
    )

    assert as_shipped.returncode != 0
    refusal = as_shipped.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in refusal and "SECRET_KEY" in refusal
    assert "ALLOWED_HOSTS" not in refusal and "DATABASE_URL" not in refusal
    assert filled_in.returncode == 0, filled_in.stdout + filled_in.stderr
    assert "System check identified no issues (0 silenced)." in filled_in.stdout
