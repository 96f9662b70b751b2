"""Curators write through the API with a token: create items, change their description,
upload media through the archive's own ingest.

Everything written waits for review, as in the admin: a new item is a draft, a change to a
published item is a new revision (the public keeps seeing the published one until a curator
publishes), an upload is a restricted original whose derivatives are made in the background.
"""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form
from ninja.errors import HttpError
from ninja.files import UploadedFile

from archive.access.models import AccessLevel, Licence, TKLabel
from archive.assets.ingest import MediaError, ingest
from archive.items import registry
from archive.items.models import CollectionPage, ItemPage
from archive.vocabularies.models import Place, Term

from . import schemas
from .support import CuratorToken, conditional_json

# The items' own router: ninja serves each path from one router, and these share their
# paths with the reads (``GET /items`` and ``POST /items``).
from .views import router  # noqa: E402

WRITE = {"auth": CuratorToken(), "tags": ["curators"]}

CHOICES = {
    "licence": set(Licence.values),
    "access_level": set(AccessLevel.values),
}


def _apply(page: ItemPage, data: schemas.ItemWrite) -> None:
    values = data.model_dump(exclude_unset=True, exclude={"collection", "identifier"})
    for name, allowed in CHOICES.items():
        if name in values and values[name] not in allowed:
            raise HttpError(
                400,
                _("%(name)s must be one of %(allowed)s.")
                % {"name": name, "allowed": ", ".join(sorted(allowed))},
            )
    if "tk_labels" in values and not set(values["tk_labels"] or []) <= set(TKLabel.values):
        raise HttpError(400, _("Unknown Traditional Knowledge label."))
    _apply_terms(page, values.pop("terms", None) or {})
    if "place" in values:
        slug = values.pop("place")
        place = Place.objects.filter(slug=slug).first() if slug else None
        if slug and place is None:
            raise HttpError(400, _("There is no place %(slug)s.") % {"slug": slug[:80]})
        page.place = place
    for name, value in values.items():
        setattr(page, name, value if value is not None or name.startswith("year") else "")


def _apply_terms(page: ItemPage, terms: dict[str, list[str]]) -> None:
    """Set an item's vocabulary fields from term slugs, each checked against its vocabulary."""
    for name, slugs in terms.items():
        try:
            f = type(page)._meta.get_field(name)
        except FieldDoesNotExist:
            f = None
        if (
            f is None
            or name == "place"
            or not (f.is_relation and issubclass(f.related_model, Term))
        ):
            raise HttpError(
                400, _("%(name)s is not a vocabulary field of this item.") % {"name": name[:40]}
            )
        found = {t.slug: t for t in f.related_model.objects.filter(slug__in=slugs)}
        missing = [slug for slug in slugs if slug not in found]
        if missing or (not f.many_to_many and len(slugs) > 1):
            raise HttpError(
                400,
                _("%(name)s: no term %(slugs)s, or more than one for a single term.")
                % {"name": name, "slugs": ", ".join(missing)[:200]},
            )
        if f.many_to_many:
            getattr(page, name).set([found[slug] for slug in slugs])
        else:
            setattr(page, name, found[slugs[0]] if slugs else None)


def _draft(request, page: ItemPage, status: int) -> object:
    body = {
        "identifier": page.identifier,
        "live": page.live,
        "admin_url": request.build_absolute_uri(reverse("wagtailadmin_pages:edit", args=[page.pk])),
    }
    return conditional_json(request, body, status=status)


def _problems(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


@router.post(
    "/items",
    response={201: schemas.Draft, 400: schemas.Problem, 401: schemas.Problem},
    url_name="item-create",
    **WRITE,
    summary="Create an item (a draft)",
)
def create_item(request, data: schemas.ItemCreate):
    found = registry.by_slug(data.collection)
    parent = CollectionPage.objects.filter(slug=data.collection, depth=3).first()
    if found is None or parent is None:
        raise HttpError(400, _("There is no collection %(slug)s.") % {"slug": data.collection[:80]})
    if ItemPage.objects.filter(identifier=data.identifier).exists():
        raise HttpError(400, _("The identifier %(id)s is taken.") % {"id": data.identifier[:80]})
    page = found.page_class(identifier=data.identifier, live=False)
    _apply(page, data)
    try:
        with transaction.atomic():
            parent.add_child(instance=page)
            page.save_revision(user=request.user)
    except ValidationError as exc:
        raise HttpError(400, _problems(exc)) from exc
    return _draft(request, page, 201)


def _item(identifier: str) -> ItemPage:
    item = ItemPage.objects.filter(identifier=identifier).first()
    if item is None:
        raise Http404
    return item.specific


@router.patch(
    "/items/{identifier}",
    response={200: schemas.Draft, 400: schemas.Problem, 401: schemas.Problem, 404: schemas.Problem},
    url_name="item-update",
    **WRITE,
    summary="Change an item's description (a revision for review)",
)
def update_item(request, identifier: str, data: schemas.ItemWrite):
    page = _item(identifier)
    if page.has_unpublished_changes and page.latest_revision:
        page = page.latest_revision.as_object()  # build on the pending draft, not beside it
    _apply(page, data)
    try:
        page.full_clean()
        with transaction.atomic():
            page.save_revision(user=request.user)
    except ValidationError as exc:
        raise HttpError(400, _problems(exc)) from exc
    return _draft(request, page, 200)


@router.post(
    "/items/{identifier}/media",
    response={201: schemas.Draft, 400: schemas.Problem, 401: schemas.Problem, 404: schemas.Problem},
    url_name="item-media-upload",
    **WRITE,
    summary="Upload a picture, sound or video to an item (through the ingest)",
)
def upload_media(
    request,
    identifier: str,
    file: File[UploadedFile],
    caption_zh: Form[str] = "",
    caption_en: Form[str] = "",
):
    """The file is checked by its bytes, stored once by checksum and starts restricted, as
    an upload in the admin does; its renditions are made in the background."""
    page = _item(identifier)
    try:
        ingest(
            file,
            item=page,
            filename=file.name or "upload",
            access_level=AccessLevel.RESTRICTED,
            caption_zh=caption_zh,
            caption_en=caption_en,
        )
    except MediaError as exc:
        raise HttpError(400, str(exc)) from exc
    return _draft(request, page, 201)
