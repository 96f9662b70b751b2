"""The site's URLs plus doors that meet a real fault (for tests/test_faults.py only)."""

import socket

from django.conf.urls.i18n import i18n_patterns
from django.db import ConnectionHandler, connections
from django.http import HttpResponse
from django.urls import path

from archive.urls import handler404, handler500
from archive.urls import urlpatterns as site_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def database_down(request):
    """The database does not answer: PostgreSQL on a port nobody listens on (while it
    restarts), or on SQLite a file that cannot be opened; the driver's own error."""
    live = connections["default"].settings_dict
    if live["ENGINE"].endswith("postgresql"):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        down = {**live, "HOST": "127.0.0.1", "PORT": port, "NAME": "mha"}
    else:
        down = {"ENGINE": live["ENGINE"], "NAME": "/nonexistent/dir/db.sqlite3"}
    ConnectionHandler({"default": down})["default"].ensure_connection()
    return HttpResponse("unreachable")


def disk_full(request):
    """/dev/full: every write ends in ENOSPC, as on a filled media disk."""
    with open("/dev/full", "wb") as out:
        out.write(b"x" * 65536)
        out.flush()
    return HttpResponse("unreachable")


def storage_hung(request):
    """An S3 endpoint that accepts connections and never answers (a SIGSTOPped server)."""
    import boto3
    from botocore.config import Config

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # never accepted: the kernel completes the handshake, nobody reads
        port = listener.getsockname()[1]
        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            aws_access_key_id="k",
            aws_secret_access_key="s",
            region_name="us-east-1",
            config=Config(connect_timeout=1, read_timeout=1, retries={"max_attempts": 1}),
        )
        s3.get_object(Bucket="b", Key="k")
    return HttpResponse("unreachable")


urlpatterns = [
    path("api/v1/_fault/database/", database_down),
    *i18n_patterns(
        path("_fault/database/", database_down),
        path("_fault/disk/", disk_full),
        path("_fault/storage/", storage_hung),
        prefix_default_language=False,
    ),
    *site_urlpatterns,
]
