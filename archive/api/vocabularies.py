"""The controlled vocabularies in the API: every term, in the three languages, with its
broader term (vocabularies are public: they describe, they hold no material)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from archive.vocabularies.models import VOCABULARIES, Place, Term

from . import schemas
from .support import NOT_MODIFIED, conditional_json, cursor_page

router = Router(tags=["vocabularies"])


def _term(term: Term) -> dict:
    data = {
        "slug": term.slug,
        "label": {"zh": term.label_zh, "en": term.label_en, "hmn": term.label_hmn},
        "broader": term.broader.slug if term.broader_id else None,
        "note": {"zh": term.note_zh, "en": term.note_en, "hmn": ""},
    }
    if isinstance(term, Place):
        data["place"] = {
            "kind": term.kind,
            "latitude": float(term.latitude) if term.latitude is not None else None,
            "longitude": float(term.longitude) if term.longitude is not None else None,
        }
    return data


@router.get(
    "/vocabularies",
    response={200: schemas.VocabularyList, **NOT_MODIFIED},
    url_name="vocabularies",
    summary="List vocabularies",
)
def list_vocabularies(request):
    return conditional_json(
        request,
        {
            "results": [
                {
                    "name": name,
                    "label": str(model._meta.verbose_name_plural),
                    "count": model.objects.count(),
                    "api_url": request.build_absolute_uri(
                        reverse("api-v1:vocabulary", kwargs={"name": name})
                    ),
                }
                for name, model in VOCABULARIES.items()
            ]
        },
    )


class TermFilters(Schema):
    broader: str | None = Field(None, description="Only terms under this broader term's slug")
    cursor: str | None = Field(None, description="The opaque cursor from a previous page")
    limit: int = Field(100, ge=1, le=500)


@router.get(
    "/vocabularies/{name}",
    response={200: schemas.TermList, **NOT_MODIFIED, 400: schemas.Problem, 404: schemas.Problem},
    url_name="vocabulary",
    summary="The terms of one vocabulary",
)
def list_terms(request, name: str, filters: Query[TermFilters]):
    model = VOCABULARIES.get(name)
    if model is None:
        raise Http404
    terms = model.objects.select_related("broader")
    if filters.broader:
        terms = terms.filter(broader__slug=filters.broader)
    page, next_url = cursor_page(request, terms, filters.cursor, filters.limit)
    return conditional_json(
        request, {"name": name, "results": [_term(t) for t in page], "next": next_url}
    )
