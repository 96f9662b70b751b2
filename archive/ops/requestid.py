"""One id per request, in every log line the request causes, in the app and in the workers.

nginx makes the id (``$request_id``), logs it in its JSON access log and passes it as
``X-Request-ID``; without nginx (development) one is made here. The id is kept in a context
variable for the request's duration and added to every log record by ``RequestIdFilter``; a
task enqueued during the request logs the request's id with the task's (see ``tasks``), and
the worker logs the task's id with every line of its run, so one grep follows an upload from
the request to its derivatives.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

_current: contextvars.ContextVar[str] = contextvars.ContextVar("mha_request_id", default="")
_VALID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current() -> str:
    return _current.get()


def bind(value: str) -> contextvars.Token:
    """Make ``value`` the id of what runs from here on (a request, a task)."""
    return _current.set(value)


def reset(token: contextvars.Token) -> None:
    _current.reset(token)


class RequestIdMiddleware:
    """First in ``MIDDLEWARE``: the id of the request (nginx's, or a new one), echoed back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _VALID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = bind(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset(token)
        if not response.has_header("X-Request-ID"):
            response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current()
        return True
