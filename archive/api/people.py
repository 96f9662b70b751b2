"""People in the API: public profiles only.

A person's profile is public to a caller when the person is credited on an item that caller
may see (``policy.visible_items``); a withdrawal that takes their items down takes their
profile down with them. Birth years and consent records never leave through the API.
"""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from archive.access import policy
from archive.items.models import ItemPage, ItemPerson
from archive.people.models import Person

from . import schemas
from .support import NOT_MODIFIED, conditional_json, cursor_page

router = Router(tags=["people"])


def _public_people(user):
    shown = policy.visible_items(ItemPage.objects.all(), user).values("pk")
    credited = ItemPerson.objects.filter(item__in=shown).values("person_id")
    return Person.objects.filter(pk__in=credited).select_related("village")


def _profile(request, person: Person) -> dict:
    return {
        "slug": person.slug,
        "kind": person.kind,
        "name": {"zh": person.name_zh, "en": person.name_en, "hmn": person.name_hmn},
        "village": {"slug": person.village.slug, "label": str(person.village)}
        if person.village
        else None,
        "roles": [
            r
            for r, on in (
                ("artisan", person.is_artisan),
                ("performer", person.is_performer),
                ("speaker", person.is_speaker),
            )
            if on
        ],
        "bio": {"zh": person.bio_zh, "en": person.bio_en, "hmn": ""},
        "api_url": request.build_absolute_uri(
            reverse("api-v1:person", kwargs={"slug": person.slug})
        ),
        "items_url": request.build_absolute_uri(reverse("api-v1:items") + "?person=" + person.slug),
    }


class PeopleFilters(Schema):
    kind: Literal[tuple(Person.Kind.values)] | None = Field(None, description="The kind of person")
    cursor: str | None = Field(None, description="The opaque cursor from a previous page")
    limit: int = Field(20, ge=1, le=100)


@router.get(
    "/people",
    response={200: schemas.PersonList, **NOT_MODIFIED, 400: schemas.Problem},
    url_name="people",
    summary="List people (public profiles)",
)
def list_people(request, filters: Query[PeopleFilters]):
    """People credited on items the caller may see."""
    people = _public_people(request.user)
    if filters.kind:
        people = people.filter(kind=filters.kind)
    page, next_url = cursor_page(request, people, filters.cursor, filters.limit)
    return conditional_json(
        request, {"results": [_profile(request, p) for p in page], "next": next_url}
    )


@router.get(
    "/people/{slug}",
    response={200: schemas.Person, **NOT_MODIFIED, 404: schemas.Problem},
    url_name="person",
    summary="One person (public profile)",
)
def get_person(request, slug: str):
    """404 for a person the caller may not see credited anywhere, as for one who does not
    exist."""
    person = _public_people(request.user).filter(slug=slug).first()
    if person is None:
        raise Http404
    return conditional_json(request, _profile(request, person))
