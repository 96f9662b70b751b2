"""A 404 for admin page views (edit, preview, history, revisions, workflow preview…) of an
item the user may not see in the admin (``admin_scope``).

Wagtail has hooks for its listings and choosers but none shared by every single-page admin
view, so the guard sits where all of them pass: after URL resolution, on the ``page_id``
(or ``parent_page_id``) the admin URL names.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse

from .admin_scope import can_open_page


class AdminPageScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._admin_prefix: str | None = None

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        page_id = view_kwargs.get("page_id") or view_kwargs.get("parent_page_id")
        if page_id is None or not request.user.is_authenticated:
            return None
        if self._admin_prefix is None:
            self._admin_prefix = reverse("wagtailadmin_home")
        if request.path_info.startswith(self._admin_prefix) and not can_open_page(
            request.user, int(page_id)
        ):
            raise Http404
        return None
