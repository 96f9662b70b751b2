"""The ``Permissions-Policy`` header (Django has no setting for it)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.MHA_PERMISSIONS_POLICY:
            response.headers.setdefault("Permissions-Policy", settings.MHA_PERMISSIONS_POLICY)
        return response
