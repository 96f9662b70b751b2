"""The marketplace's public doors: artisan, cooperative and product pages, product photos,
the enquiry form and the product feed. Each asks ``shown()`` (the consent rule) and, for
the heritage items a product draws on, the access policy; a refused visitor gets the same
404 as for something that does not exist."""

from __future__ import annotations

import csv
import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from archive.access import policy
from archive.assets.views import ranged_file_response
from archive.core.http import read_only_door, share
from archive.core.pagecache import mark_cacheable
from archive.items.models import ItemPage

from . import discovery, notify
from .forms import EnquiryForm
from .models import ArtisanProfile, Cooperative, Product, ProductPhoto
from .photos import PARTIES


def _products():
    return (
        Product.objects.shown()
        .select_related("artisan__person__village", "cooperative__person")
        .prefetch_related("photos", "motifs", "techniques", "materials", "shop_links")
    )


def _shown_cooperative(coop: Cooperative | None) -> Cooperative | None:
    if coop is None:
        return None
    return Cooperative.objects.shown().filter(pk=coop.pk).first()


def heritage_of(product: Product, user) -> list[ItemPage]:
    """The archive items behind a product that ``user`` may see (asked of the policy)."""
    return list(policy.visible_items(product.draws_on.all(), user).specific().order_by("title"))


def _page(request, template: str, context: dict) -> HttpResponse:
    """A page as the archive's item pages are: for an anonymous visitor kept by the page
    cache and by browsers only as `public, max-age=0, must-revalidate` (each use asks again,
    a 304 when nothing changed), so a withdrawal reaches a phone at its next look; for anyone
    signed in, `private, no-store` (both said by AnonymousPageCacheMiddleware)."""
    mark_cacheable(request)
    return render(request, template, context)


def artisan(request, slug: str):
    profile = get_object_or_404(
        ArtisanProfile.objects.shown().select_related("person__village", "cooperative__person"),
        slug=slug,
    )
    context = {
        "profile": profile,
        "cooperative": _shown_cooperative(profile.cooperative),
        "products": _products().filter(artisan=profile),
        "form": EnquiryForm(),
        "enquiry_url": request.path,
    }
    return _page(request, "marketplace/artisan_profile.html", context)


def cooperative(request, slug: str):
    coop = get_object_or_404(
        Cooperative.objects.shown().select_related("person__village"), slug=slug
    )
    context = {
        "cooperative": coop,
        "artisans": ArtisanProfile.objects.shown()
        .filter(cooperative=coop)
        .select_related("person"),
        "products": _products().filter(cooperative=coop),
        "form": EnquiryForm(),
    }
    return _page(request, "marketplace/cooperative.html", context)


def product(request, slug: str):
    item = get_object_or_404(_products(), slug=slug)
    heritage = heritage_of(item, request.user)
    context = {
        "product": item,
        "cooperative": _shown_cooperative(item.cooperative),
        "heritage": heritage,
        "form": EnquiryForm(initial={"kind": "question"}),
        "json_ld": json.dumps(
            discovery.product_json_ld(item, request, heritage), ensure_ascii=False
        ),
        "photo": item.photos.first(),
    }
    return _page(request, "marketplace/product.html", context)


@require_POST
def enquire(request, kind: str, slug: str):
    """The enquiry form to an artisan (``kind`` artisan) or a cooperative: stored, the
    recipient told by e-mail. Rate-limited per address; bots meet a honeypot and a time trap."""
    if kind == "artisan":
        recipient = get_object_or_404(ArtisanProfile.objects.shown(), slug=slug)
    elif kind == "cooperative":
        recipient = get_object_or_404(Cooperative.objects.shown(), slug=slug)
    else:
        raise Http404
    limited = is_ratelimited(
        request,
        group="marketplace-enquiry",
        key="ip",
        rate=settings.MHA_ENQUIRY_RATE,
        method="POST",
        increment=True,
    )
    form = EnquiryForm(request.POST)
    if limited:
        response = HttpResponse(
            _("Too many messages from your connection. Please try again in an hour."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
        response["Cache-Control"] = "private, no-store"
        return response
    if not form.is_valid():
        if form.is_spam:
            # A bot: answer as if all went well, keep nothing.
            messages.success(request, _("Thank you: your message has been sent."))
            return redirect(recipient.get_absolute_url())
        if kind == "artisan":
            template = "marketplace/artisan_profile.html"
            context = {
                "profile": recipient,
                "cooperative": _shown_cooperative(recipient.cooperative),
                "products": _products().filter(artisan=recipient),
            }
        else:
            template = "marketplace/cooperative.html"
            context = {
                "cooperative": recipient,
                "artisans": ArtisanProfile.objects.shown().filter(cooperative=recipient),
                "products": _products().filter(cooperative=recipient),
            }
        context["form"] = form
        response = render(request, template, context, status=400)
        response["Cache-Control"] = "private, no-store"
        return response
    enquiry = form.save(commit=False)
    if kind == "artisan":
        enquiry.artisan = recipient
        enquiry.cooperative = recipient.cooperative
    else:
        enquiry.cooperative = recipient
    product_slug = request.POST.get("product", "")
    if product_slug:
        enquiry.product = Product.objects.shown().filter(slug=product_slug).first()
    enquiry.save()
    notify.enquiry_received(enquiry)
    messages.success(request, _("Thank you: your message has been sent."))
    target = enquiry.product.get_absolute_url() if enquiry.product else None
    return redirect((target or recipient.get_absolute_url()) + "?sent=1")


def _photo(request, photo_id: int, name: str):
    if name not in ("thumb", "web"):
        raise Http404
    photo = get_object_or_404(ProductPhoto, pk=photo_id)
    if not Product.objects.shown().filter(pk=photo.product_id).exists():
        raise Http404
    fieldfile = getattr(photo, name)
    if not fieldfile:
        raise Http404
    response = ranged_file_response(request, fieldfile, "image/webp")
    return share(response, True, same_for_every_reader=True)


photo = read_only_door(_photo)


def _portrait(request, kind: str, slug: str, name: str):
    """An artisan's or cooperative's photo, only while their profile is shown."""
    model = PARTIES.get(kind)
    if model is None or name not in ("thumb", "web"):
        raise Http404
    party = get_object_or_404(model.objects.shown(), slug=slug)
    fieldfile = getattr(party, f"photo_{name}")
    if not fieldfile:
        raise Http404
    response = ranged_file_response(request, fieldfile, "image/webp")
    return share(response, True, same_for_every_reader=True)


portrait = read_only_door(_portrait)


def _feed_rows(request) -> list[dict]:
    with translation.override(settings.LANGUAGE_CODE):
        return [discovery.feed_row(p, request) for p in _products().order_by("pk")]


def _feed_json(request):
    response = JsonResponse(
        {"products": _feed_rows(request)}, json_dumps_params={"ensure_ascii": False}
    )
    return share(response, True, same_for_every_reader=True)


def _feed_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="products.csv"'
    writer = csv.DictWriter(response, fieldnames=discovery.FEED_FIELDS)
    writer.writeheader()
    for row in _feed_rows(request):
        writer.writerow(row)
    return share(response, True, same_for_every_reader=True)


feed_json = read_only_door(_feed_json)
feed_csv = read_only_door(_feed_csv)
