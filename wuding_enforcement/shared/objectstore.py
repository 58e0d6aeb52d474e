"""Stored files on an S3-compatible object store (settings.OBJECT_STORE; README "多台服务器").

With OBJECT_STORE_BUCKET set, the default storage is django-storages' S3Storage and every file the portal
stores lives in one bucket that every web host and worker reaches. Django's Storage API (save, open, exists,
delete, size) covers most uses; this module adds what it does not:

- serving: after the caller's permission check and audit, `serve` answers with a short-lived signed URL —
  a 302 to it (OBJECT_STORE_SERVE=redirect) or an `X-Accel-Redirect` that nginx follows on the internal
  address (accel, deploy/nginx.conf) — so the bytes, HTTP Range included, come from the store, never
  through a gunicorn worker;
- streaming reads (`iter_blocks`, `sha256`, `read_head`) that never download a whole object to a temporary
  file as `S3Storage.open` does;
- multipart uploads (`start_multipart` … `complete_multipart`): an evidence upload's chunks go to the store
  as the parts of one object; completing passes each part's ETag as recorded when it was sent, so the store
  refuses (InvalidPart) an object whose parts are not exactly those hashed;
- `retain`: object lock (GOVERNANCE or COMPLIANCE retention) on an evidence file once its row committed;
- `remove`: every version of an object (a bucket with object lock is versioned: a plain delete would leave
  the bytes behind a delete marker) — for files whose row rolled back, never for retained evidence;
- listing (`iter_objects`) and writing an exact name (`put`) for verify_evidence and backup/restore.

Without a store every function here answers for local disk (MEDIA_ROOT) or is not called.
"""

import datetime
import functools
import hashlib
import logging
from collections.abc import Iterator
from typing import IO, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.http import HttpResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header

logger = logging.getLogger("wuding.files")
BLOCK = 1024 * 1024


class StoreError(Exception):
    """The object store could not be reached or refused a request."""


def configured() -> bool:
    return bool(getattr(settings, "OBJECT_STORE", None))


def config() -> dict:
    store = getattr(settings, "OBJECT_STORE", None)
    if not store:
        raise StoreError("no object store configured (OBJECT_STORE_BUCKET)")
    return store


def on_store(field_file: Any) -> bool:
    """Whether a stored file (a FieldFile) lives on the object store."""
    storage = getattr(field_file, "storage", None)
    return storage is not None and is_store(storage)


def is_store(storage: Storage) -> bool:
    """Whether a storage is the object store."""
    from storages.backends.s3 import S3Storage

    # default_storage (a lazy object) passes its class through to isinstance.
    return configured() and isinstance(storage, S3Storage)


def _storage() -> Any:
    return default_storage


def client() -> Any:
    return _storage().connection.meta.client


def bucket() -> str:
    return config()["bucket"]


def key(name: str) -> str:
    """The object key of a storage name (inside OBJECT_STORE_PREFIX)."""
    from storages.utils import clean_name

    return _storage()._normalize_name(clean_name(name))


def name_of(object_key: str) -> str:
    """The storage name of an object key (the inverse of `key`)."""
    prefix = config()["prefix"].strip("/")
    if prefix and object_key.startswith(prefix + "/"):
        return object_key[len(prefix) + 1 :]
    return object_key


def _status(exc: Exception) -> int:
    response = getattr(exc, "response", None) or {}
    return int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def _code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code") or "")


@functools.lru_cache(maxsize=8)
def _signer(endpoint: str | None, region: str, access_key: str | None, secret_key: str | None) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session(aws_access_key_id=access_key, aws_secret_access_key=secret_key).client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def signed_url(name: str, *, filename: str, content_type: str, inline: bool, public: bool = True) -> str:
    """A GET URL for `name` valid OBJECT_STORE_URL_SECONDS, answering with our type, name and no caching.
    `public`: signed for the address browsers reach; else for the internal one (nginx, accel)."""
    store = config()
    endpoint = store["public_url"] if public else store["endpoint_url"]
    signer = _signer(endpoint, store["region"], store["access_key"], store["secret_key"])
    return signer.generate_presigned_url(
        "get_object",
        Params={
            "Bucket": store["bucket"],
            "Key": key(name),
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition_header(not inline, filename) or "",
            "ResponseCacheControl": "private, no-store",
        },
        ExpiresIn=store["url_seconds"],
    )


def serve(name: str, *, filename: str, content_type: str, inline: bool) -> HttpResponse:
    """The answer that hands a file over to the store (after the caller checked permission and audited)."""
    store = config()
    if store["serve"] == "accel":
        url = urlsplit(
            signed_url(name, filename=filename, content_type=content_type, inline=inline, public=False)
        )
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = store["accel_prefix"].rstrip("/") + url.path + "?" + url.query
        response["X-Accel-Buffering"] = "no"
        return response
    url_text = signed_url(name, filename=filename, content_type=content_type, inline=inline)
    return HttpResponseRedirect(url_text)


def probe() -> None:
    """Raise unless the bucket answers (readiness, /readyz): one HEAD with short time-outs, no retries."""
    import boto3
    from botocore.config import Config

    store = config()
    boto3.session.Session(
        aws_access_key_id=store["access_key"], aws_secret_access_key=store["secret_key"]
    ).client(
        "s3",
        endpoint_url=store["endpoint_url"],
        region_name=store["region"],
        config=Config(
            connect_timeout=2, read_timeout=3, retries={"max_attempts": 1}, s3={"addressing_style": "path"}
        ),
    ).head_bucket(Bucket=store["bucket"])


# --- Reading ------------------------------------------------------------------------------------------------


def _get(name: str, **extra: Any) -> Any:
    try:
        return client().get_object(Bucket=bucket(), Key=key(name), **extra)
    except Exception as exc:
        if _status(exc) == 404 or _code(exc) in ("NoSuchKey", "404"):
            raise FileNotFoundError(name) from exc
        raise


def iter_blocks(name: str) -> Iterator[bytes]:
    """The bytes of an object in blocks of BLOCK (constant memory). FileNotFoundError when it is missing."""
    body = _get(name)["Body"]
    try:
        yield from body.iter_chunks(BLOCK)
    finally:
        body.close()


def read_head(name: str, length: int) -> bytes:
    """The first `length` bytes of an object (one ranged GET)."""
    body = _get(name, Range=f"bytes=0-{max(length - 1, 0)}")["Body"]
    try:
        return body.read()
    finally:
        body.close()


def sha256(name: str) -> str:
    """SHA-256 of a stored file read once as a stream; "" when it is missing or unreadable."""
    digest = hashlib.sha256()
    try:
        for block in iter_blocks(name):
            digest.update(block)
    except (FileNotFoundError, OSError) as exc:
        logger.error("stored object unreadable: %s (%s)", name, exc)
        return ""
    return digest.hexdigest()


def iter_objects(prefix: str = "") -> Iterator[tuple[str, int, datetime.datetime]]:
    """(storage name, size, last modified) of every object under `prefix`, in key order."""
    paginator = client().get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket(), Prefix=key(prefix) if prefix else key("") or ""):
        for entry in page.get("Contents", ()):
            yield name_of(entry["Key"]), int(entry["Size"]), entry["LastModified"]


# --- Writing ------------------------------------------------------------------------------------------------


def put(name: str, fileobj: IO[bytes]) -> None:
    """Write `fileobj` under exactly `name` (no renaming: a restore puts every file back where it was)."""
    client().upload_fileobj(fileobj, bucket(), key(name))


def start_multipart(name: str) -> str:
    return client().create_multipart_upload(
        Bucket=bucket(), Key=key(name), ContentType="application/octet-stream"
    )["UploadId"]


def upload_part(name: str, upload_id: str, number: int, data: bytes) -> str:
    """Send one part; returns its ETag as the store recorded it for these bytes."""
    answer = client().upload_part(
        Bucket=bucket(), Key=key(name), UploadId=upload_id, PartNumber=number, Body=data
    )
    return str(answer["ETag"]).strip('"')


class PartsChanged(StoreError):
    """A part in the store is not the one recorded (another request replaced it)."""


def complete_multipart(name: str, upload_id: str, etags: list[str]) -> None:
    parts = [{"PartNumber": number, "ETag": f'"{etag}"'} for number, etag in enumerate(etags, start=1)]
    try:
        client().complete_multipart_upload(
            Bucket=bucket(), Key=key(name), UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except Exception as exc:
        if _code(exc) == "NoSuchUpload" and exists(name):
            return  # completed by an earlier request whose answer was lost
        if _code(exc) in ("InvalidPart", "InvalidPartOrder", "NoSuchUpload"):
            raise PartsChanged(f"{name}: {_code(exc)}") from exc
        raise


def abort_multipart(name: str, upload_id: str) -> None:
    try:
        client().abort_multipart_upload(Bucket=bucket(), Key=key(name), UploadId=upload_id)
    except Exception as exc:  # noqa: BLE001 - already completed or aborted: nothing to give back
        logger.info("multipart upload of %s not aborted: %s", name, exc)


def remove(name: str) -> None:
    """Remove every version of an object (not retained evidence: the store refuses that, by design)."""
    target = key(name)
    versions: list[dict] = []
    try:
        answer = client().list_object_versions(Bucket=bucket(), Prefix=target)
        for entry in [*answer.get("Versions", ()), *answer.get("DeleteMarkers", ())]:
            if entry["Key"] == target:
                versions.append({"Key": target, "VersionId": entry["VersionId"]})
    except Exception as exc:  # noqa: BLE001 - a store without versioning support
        logger.info("versions of %s not listed: %s", name, exc)
    if not versions:
        client().delete_object(Bucket=bucket(), Key=target)
        return
    for version in versions:
        client().delete_object(Bucket=bucket(), **version)


def exists(name: str) -> bool:
    try:
        client().head_object(Bucket=bucket(), Key=key(name))
    except Exception as exc:
        if _status(exc) == 404:
            return False
        raise
    return True


# --- Retention ----------------------------------------------------------------------------------------------


def retain(name: str) -> bool:
    """Lock an evidence object against deletion and overwriting for OBJECT_STORE_RETENTION_DAYS (object
    lock, where the bucket has it). A store without object lock logs the refusal; returns whether set."""
    store = config()
    if not store["retention_mode"]:
        return False
    until = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=store["retention_days"])
    try:
        client().put_object_retention(
            Bucket=store["bucket"],
            Key=key(name),
            Retention={"Mode": store["retention_mode"], "RetainUntilDate": until},
        )
    except Exception as exc:  # noqa: BLE001 - the file is stored either way; the lock is the store's
        logger.error("object lock not set on %s: %s", name, exc)
        return False
    return True


def retention(name: str) -> dict:
    """The object's lock as the store reports it on HEAD: {"Mode", "RetainUntilDate"}, {} when none."""
    answer = client().head_object(Bucket=bucket(), Key=key(name))
    if not answer.get("ObjectLockMode"):
        return {}
    return {"Mode": answer["ObjectLockMode"], "RetainUntilDate": answer.get("ObjectLockRetainUntilDate")}
