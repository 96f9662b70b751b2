"""A part of the stack that does not answer: a clear page and a status, never a traceback.

Django's 500 handler (``handler500`` in archive/urls.py) runs inside the ``except`` of any
uncaught exception, from a view or a middleware. When that exception says that a service is
down (the database, the task queue's Redis, the S3 store) the visitor gets a 503 with
``Retry-After``; a full disk gets a 507 saying nothing was saved. Anything else stays a 500.
The page is standalone (it extends nothing that could ask the database again) and API
callers get JSON. bench/stack_faults.py drives each fault through the stack.
"""

from __future__ import annotations

import errno
import sys

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

#: Seconds a client is asked to wait before trying again.
RETRY_AFTER = 30


def _kind(exc: BaseException | None) -> str | None:
    """Which part of the stack ``exc`` (or what caused it) says is away, if any."""
    seen = 0
    while exc is not None and seen < 5:
        from django.db import InterfaceError, OperationalError

        if isinstance(exc, OperationalError | InterfaceError):
            return "database"
        try:
            from redis.exceptions import ConnectionError as RedisConnectionError
            from redis.exceptions import TimeoutError as RedisTimeoutError

            if isinstance(exc, RedisConnectionError | RedisTimeoutError):
                return "queue"
        except ImportError:  # pragma: no cover - redis is a dependency
            pass
        try:
            from botocore.exceptions import ConnectionError as BotoConnectionError
            from botocore.exceptions import HTTPClientError

            if isinstance(exc, BotoConnectionError | HTTPClientError):
                return "storage"
        except ImportError:  # pragma: no cover - boto3 comes with django-storages[s3]
            pass
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return "disk"
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def _messages() -> dict[str, str]:
    return {
        "database": _(
            "The archive's database is not answering just now. Nothing you saved before is "
            "lost; please try again in a minute."
        ),
        "queue": _(
            "The archive's task queue is not answering just now, so this could not be done. "
            "Please try again in a minute."
        ),
        "storage": _(
            "The archive's media store is not answering just now, so this file could not be "
            "read or saved. Pages without it still work; please try again in a minute."
        ),
        "disk": _(
            "The archive's storage is full, so nothing was saved. Your originals already in "
            "the archive are intact; please tell a curator and try again later."
        ),
    }


def server_error(request, template_name: str = "500.html") -> HttpResponse:
    """``handler500``: 503 / 507 for a missing part of the stack, else a plain 500 page."""
    kind = _kind(sys.exc_info()[1])
    if kind is None:
        status, message = 500, _("Something went wrong on our side. Please try again later.")
    else:
        status, message = (507 if kind == "disk" else 503), _messages()[kind]
    wants_json = request.path.startswith("/api/") or "json" in request.headers.get("Accept", "")
    if wants_json:
        response: HttpResponse = JsonResponse(
            {"error": message, "unavailable": kind}, status=status
        )
    else:
        body = loader.render_to_string("unavailable.html", {"message": message, "status": status})
        response = HttpResponse(body, status=status)
    if kind is not None:
        response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
