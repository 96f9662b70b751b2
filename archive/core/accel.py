"""Files leave through nginx: after the access check, a door answers with ``X-Accel-Redirect``.

With ``MHA_ACCEL_REDIRECT`` on (deploy/stack.env, production behind deploy/nginx/mha.conf)
a file door asks the access policy as always, then hands nginx an internal location instead
of the bytes: ``MHA_ACCEL_MEDIA_PREFIX`` + the file's name for local storage, or
``MHA_ACCEL_S3_PREFIX`` + a signed request valid ``MHA_ACCEL_S3_SECONDS`` for S3. nginx sends
the file (sendfile, Range, keep-alive) and re-adds the headers the door decided (caching,
CORS, Vary, Link), which it reads from this answer. Off in development and tests, where no
nginx stands in front and the door streams the file itself.
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import HttpRequest, HttpResponse


def internal_uri(fieldfile) -> str | None:
    """The internal nginx location that serves ``fieldfile``, or None when nginx cannot."""
    storage = fieldfile.storage
    storage = getattr(storage, "_wrapped", storage)
    if isinstance(storage, FileSystemStorage):
        return settings.MHA_ACCEL_MEDIA_PREFIX + quote(fieldfile.name)
    if hasattr(storage, "bucket_name") and hasattr(storage, "url"):
        signed = urlsplit(storage.url(fieldfile.name, expire=settings.MHA_ACCEL_S3_SECONDS))
        return f"{settings.MHA_ACCEL_S3_PREFIX}{signed.path.lstrip('/')}?{signed.query}"
    return None


def accel_response(request: HttpRequest, fieldfile, content_type: str) -> HttpResponse | None:
    """An empty answer that tells nginx which file to send, or None to serve it ourselves.

    Only ``GET``: a ``HEAD`` is answered by the door from what the database knows (a signed
    S3 request is for one method, and a HEAD costs nothing to answer here)."""
    if not settings.MHA_ACCEL_REDIRECT or request.method != "GET":
        return None
    uri = internal_uri(fieldfile)
    if uri is None:
        return None
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = uri
    response["Accept-Ranges"] = "bytes"
    return response
