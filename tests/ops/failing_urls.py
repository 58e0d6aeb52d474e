"""A URLconf for the failure-page tests: the portal's own URLs plus views that fail the way production does."""

import errno

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import OperationalError, connection
from django.urls import path

from wuding_enforcement.urls import handler403, handler404, handler500  # noqa: F401
from wuding_enforcement.urls import urlpatterns as portal_urls


class FullDiskStorage(FileSystemStorage):
    """A storage whose disk is full: every write raises ENOSPC, as the kernel does."""

    def _save(self, name, content):
        raise OSError(errno.ENOSPC, "No space left on device", name)


def database_down(request):
    # What psycopg raises when PostgreSQL is stopped, as Django wraps it.
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')


def database_query(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    raise OperationalError("server closed the connection unexpectedly")


def disk_full(request):
    FullDiskStorage(location="/tmp/never-written").save("upload.bin", ContentFile(b"x" * 10))  # noqa: S108


def bug(request):
    raise ZeroDivisionError("a bug")


urlpatterns = [
    path("fail/database/", database_down),
    path("fail/query/", database_query),
    path("fail/disk/", disk_full),
    path("fail/bug/", bug),
    *portal_urls,
]
