"""The demo marketplace from ``collections/demo/marketplace.yaml``: artisans of the demo
people, a cooperative and their work, linked to demo items, with product photos made by
``demo.mediamaker`` and run through the media pipeline's image renditions.

Idempotent: everything is matched by slug; a product's photo is made once.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from archive.items.models import ItemPage
from archive.marketplace.models import (
    ArtisanProfile,
    Cooperative,
    Product,
    ProductPhoto,
    ShopLink,
)
from archive.marketplace.photos import make_renditions, render_portrait, store_original
from archive.people.models import ConsentRecord, Person
from archive.vocabularies import models as vocab
from archive.vocabularies.loader import DATA_DIR, DataError

from . import mediamaker as media

#: The demo cooperative manager (reads the cooperative's enquiries in the admin).
MANAGER = "paimo-manager"


def _person(slug: str) -> Person:
    person = Person.objects.filter(slug=slug).first()
    if person is None:
        raise DataError(f"marketplace.yaml: unknown person {slug!r}")
    return person


def _terms(model, slugs) -> list:
    found = list(model.objects.filter(slug__in=slugs or []))
    missing = set(slugs or []) - {t.slug for t in found}
    if missing:
        raise DataError(f"marketplace.yaml: unknown {model.__name__} {sorted(missing)}")
    return found


def _manager():
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=MANAGER, defaults={"email": "paimo-manager@example.org", "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
    perms = Permission.objects.filter(
        content_type__app_label="marketplace", codename="view_enquiry"
    ) | Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    user.user_permissions.add(*perms)
    return user


def _picture(spec: dict, path: Path) -> Path:
    if not path.exists():
        media.pattern(
            path, motif=spec["motif"], palette=spec["palette"], seed=spec["seed"], size=(1200, 900)
        )
    return path


def _profile_photo(party, entry: dict, cache: Path, progress) -> None:
    """The profile's photo, stored once and rendered by the pipeline (made once)."""
    if party.photo_id or not entry.get("photo"):
        return
    path = _picture(entry["photo"], cache / f"{party.door}-{party.slug}.jpg")
    party.photo = store_original(path, path.name)
    type(party).objects.filter(pk=party.pk).update(photo=party.photo)
    render_portrait(party)
    progress(f"  profile photo {path.name}")


@transaction.atomic
def load_marketplace(with_media: bool = True, progress=print) -> dict:
    data = yaml.safe_load((DATA_DIR / "demo" / "marketplace.yaml").read_text(encoding="utf-8"))
    for c in data.get("consents") or []:
        ConsentRecord.objects.get_or_create(
            person=_person(c["person"]),
            scope=c["scope"],
            item=None,
            defaults={"granted_on": c["granted"], "recorded_by": c["recorded_by"]},
        )
    coops = {}
    for entry in data.get("cooperatives") or []:
        coops[entry["slug"]], _ = Cooperative.objects.update_or_create(
            slug=entry["slug"],
            defaults={
                "person": _person(entry["person"]),
                "story_zh": entry.get("story_zh", ""),
                "story_en": entry.get("story_en", ""),
                "notify_email": entry.get("notify_email", ""),
                "manager": _manager(),
                "published": True,
            },
        )
    cache = Path(settings.VAR_DIR) / "demo-media"
    cache.mkdir(parents=True, exist_ok=True)
    if with_media:
        for entry in data.get("cooperatives") or []:
            _profile_photo(coops[entry["slug"]], entry, cache, progress)
    artisans = {}
    for entry in data.get("artisans") or []:
        profile, _ = ArtisanProfile.objects.update_or_create(
            slug=entry["slug"],
            defaults={
                "person": _person(entry["person"]),
                "cooperative": coops.get(entry.get("cooperative")),
                "story_zh": entry.get("story_zh", ""),
                "story_en": entry.get("story_en", ""),
                "story_hmn": entry.get("story_hmn", ""),
                "contact_preference": entry.get("contact", "enquiry"),
                "notify_email": entry.get("notify_email", ""),
                "published": True,
            },
        )
        profile.techniques.set(_terms(vocab.Technique, entry.get("techniques")))
        profile.motifs.set(_terms(vocab.Motif, entry.get("motifs")))
        profile.save()
        if with_media:
            _profile_photo(profile, entry, cache, progress)
        artisans[entry["slug"]] = profile
    for entry in data.get("products") or []:
        product, _ = Product.objects.update_or_create(
            slug=entry["slug"],
            defaults={
                "artisan": artisans[entry["artisan"]],
                "cooperative": coops.get(entry.get("cooperative")),
                "title_zh": entry["title_zh"],
                "title_en": entry.get("title_en", ""),
                "title_hmn": entry.get("title_hmn", ""),
                "description_zh": entry.get("description_zh", ""),
                "description_en": entry.get("description_en", ""),
                "price_cny": Decimal(entry["price"]) if entry.get("price") else None,
                "availability": entry["availability"],
                "dimensions": entry.get("dimensions", ""),
                "time_to_make": entry.get("time_to_make", ""),
                "published": True,
            },
        )
        product.techniques.set(_terms(vocab.Technique, entry.get("techniques")))
        product.motifs.set(_terms(vocab.Motif, entry.get("motifs")))
        product.materials.set(_terms(vocab.Material, entry.get("materials")))
        product.draws_on.set(ItemPage.objects.filter(identifier__in=entry.get("draws_on") or []))
        product.save()
        ShopLink.objects.filter(product=product).delete()
        for i, shop in enumerate(entry.get("shops") or []):
            ShopLink.objects.create(
                product=product, kind=shop["kind"], url=shop["url"], sort_order=i
            )
        if with_media and not product.photos.exists() and entry.get("photo"):
            spec = entry["photo"]
            path = _picture(spec, cache / f"product-{entry['slug']}.jpg")
            photo = ProductPhoto.objects.create(
                product=product, original=store_original(path, path.name), sort_order=0
            )
            make_renditions(photo)
            progress(f"  product photo {path.name}")
    return {
        "cooperatives": len(coops),
        "artisans": len(artisans),
        "products": len(data.get("products") or []),
    }
