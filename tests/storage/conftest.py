"""A real S3 API for the object-store tests: moto's standalone server, started once per test process on a
free port (docs/stack.md trap 22). boto3 and django-storages talk to it over HTTP exactly as they talk to
MinIO or a cloud store; each test gets a bucket of its own, created with object lock (versioned)."""

import socket
import uuid

import boto3
import pytest
from botocore.config import Config
from moto.server import ThreadedMotoServer

from wuding_enforcement.settings import _object_storage_backend

ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture(scope="session")
def s3(s3_endpoint):
    """A boto3 client of the test store, to look at what the portal stored (independently of it)."""
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


def store_settings(endpoint: str, bucket: str, **overrides) -> dict:
    return {
        "bucket": bucket,
        "endpoint_url": endpoint,
        "region": "us-east-1",
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "prefix": "",
        "serve": "redirect",
        "public_url": endpoint,
        "accel_prefix": "/_object_store/",
        "url_seconds": 300,
        "retention_mode": "GOVERNANCE",
        "retention_days": 30,
        **overrides,
    }


def make_bucket(s3, *, lock: bool = True) -> str:
    name = f"wuding-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=lock)
    return name


def use_store(settings, store: dict) -> None:
    settings.OBJECT_STORE = store
    settings.STORAGES = {**settings.STORAGES, "default": _object_storage_backend(store)}


@pytest.fixture
def object_store(settings, s3, s3_endpoint):
    """The portal configured with OBJECT_STORE on a fresh bucket with object lock; returns its settings."""
    store = store_settings(s3_endpoint, make_bucket(s3))
    use_store(settings, store)
    return store
