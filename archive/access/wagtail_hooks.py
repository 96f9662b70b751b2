"""The documents door, asking the access policy."""

from django.http import Http404
from wagtail import hooks

from . import policy


@hooks.register("before_serve_document")
def documents_for_curators_only(document, request):
    """Documents here are consent forms and other evidence: curators only, a 404 for others.

    Public pages do not link documents in this archive's design; their media goes through
    the asset and IIIF doors, which ask the policy item by item.
    """
    if not policy.is_curator(request.user):
        raise Http404
