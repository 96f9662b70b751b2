"""The admin's doors and pickers, and the documents door, asking the access policy.

What each admin user may see is ``admin_scope``; the page doors that open one page (edit,
preview, history, revisions…) are guarded by ``middleware.AdminPageScopeMiddleware``.
"""

from django.http import Http404
from wagtail import hooks

from . import admin_scope, policy


@hooks.register("construct_page_chooser_queryset")
def chooser_pages_in_scope(pages, request):
    return admin_scope.admin_pages(pages, request.user)


@hooks.register("construct_explorer_page_queryset")
def explorer_pages_in_scope(parent_page, pages, request):
    return admin_scope.admin_pages(pages, request.user)


@hooks.register("before_serve_document")
def documents_for_curators_only(document, request):
    """Documents here are consent forms and other evidence: curators only, a 404 for others.

    Public pages do not link documents in this archive's design; their media goes through
    the asset and IIIF doors, which ask the policy item by item.
    """
    if not policy.is_curator(request.user):
        raise Http404
