"""OBJECT_STORE_* from the environment: set, every stored file goes to the store; unset, nothing changes
(local disk, the embedded default). Each check starts a fresh Python: settings are read once, at import."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
SHOW = (
    "import json, django; django.setup(); from django.conf import settings; "
    "d = settings.CONTENT_SECURITY_POLICY['DIRECTIVES']; "
    "print(json.dumps({'storage': settings.STORAGES['default']['BACKEND'], 'store': settings.OBJECT_STORE, "
    "'media': d['media-src'], 'img': d['img-src']}))"
)


def run(tmp_path, **env):
    environ = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "VAR_DIR": str(tmp_path / "var"), **env}
    environ["DJANGO_SETTINGS_MODULE"] = "wuding_enforcement.settings"
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120
    )


def test_without_a_bucket_files_stay_on_local_disk(tmp_path):
    result = run(tmp_path)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["storage"] == "django.core.files.storage.FileSystemStorage" and shown["store"] is None


def test_a_bucket_moves_every_stored_file_to_the_store_and_lets_pages_load_its_signed_urls(tmp_path):
    result = run(
        tmp_path,
        OBJECT_STORE_BUCKET="wuding-files",
        OBJECT_STORE_URL="http://minio:9000",
        OBJECT_STORE_PUBLIC_URL="https://files.wuding.example/store",
        OBJECT_STORE_RETENTION_MODE="compliance",
    )
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["storage"] == "storages.backends.s3.S3Storage"
    assert shown["store"]["retention_mode"] == "COMPLIANCE" and shown["store"]["serve"] == "redirect"
    assert "https://files.wuding.example" in shown["media"] and "https://files.wuding.example" in shown["img"]


def test_accel_keeps_the_store_out_of_the_pages_policy(tmp_path):
    result = run(tmp_path, OBJECT_STORE_BUCKET="wuding-files", OBJECT_STORE_SERVE="accel")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["media"] == ["'self'"]


def test_a_chunk_smaller_than_the_stores_smallest_part_stops_start_up(tmp_path):
    result = run(tmp_path, OBJECT_STORE_BUCKET="wuding-files", UPLOAD_CHUNK_BYTES=str(1024 * 1024))
    assert result.returncode != 0 and "UPLOAD_CHUNK_BYTES" in result.stderr
    wrong = run(tmp_path, OBJECT_STORE_BUCKET="wuding-files", OBJECT_STORE_RETENTION_MODE="forever")
    assert wrong.returncode != 0 and "OBJECT_STORE_RETENTION_MODE" in wrong.stderr
