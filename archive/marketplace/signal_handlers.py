"""A consent withdrawn, or a marketplace record changed, reaches every door at once.

Pages and the feed ask ``shown()`` on every request, so they need nothing; what keeps a
copy does: the anonymous page cache (its generation is bumped, for every process through
the shared cache) and the search indexes (products are removed in the committing process,
without waiting for a worker, as items are).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from archive.core import pagecache
from archive.people.models import ConsentRecord, Person
from archive.people.signals import consent_withdrawn

from . import photos
from .models import ArtisanProfile, Cooperative, Product, ProductPhoto
from .originals import discard

#: Called with product ids whenever their visibility may have changed; the search package
#: registers its indexer here (it sits above this app and may import it, not the reverse).
product_listeners: list = []


def products_changed(ids) -> None:
    ids = sorted(set(ids))
    pagecache.invalidate()
    for listener in product_listeners:
        listener(ids)


def _products_of_person(person_id: int) -> list[int]:
    return list(
        Product.objects.filter(artisan__person_id=person_id).values_list("pk", flat=True)
    ) + list(Product.objects.filter(cooperative__person_id=person_id).values_list("pk", flat=True))


def _on_consent_saved(sender, instance: ConsentRecord, **kwargs) -> None:
    person_id = instance.person_id
    transaction.on_commit(lambda: products_changed(_products_of_person(person_id)))


def _on_consent_withdrawn(sender, consent: ConsentRecord, **kwargs) -> None:
    products_changed(_products_of_person(consent.person_id))


def _on_product(sender, instance: Product, **kwargs) -> None:
    pk = instance.pk
    transaction.on_commit(lambda: products_changed([pk]))


def _on_photo(sender, instance: ProductPhoto, **kwargs) -> None:
    pk = instance.product_id
    if not instance.web:
        photos.enqueue(instance)
    transaction.on_commit(lambda: products_changed([pk]))


def _on_photo_deleted(sender, instance: ProductPhoto, **kwargs) -> None:
    """A photo removed in the admin (or with its product): its files go too."""
    discard(instance.original_id, [instance.thumb, instance.web])
    pk = instance.product_id
    transaction.on_commit(lambda: products_changed([pk]))


def _on_profile(sender, instance, **kwargs) -> None:
    if instance.photo_id and not instance.photo_web:
        photos.enqueue_portrait(instance)
    ids = list(instance.products.values_list("pk", flat=True))
    transaction.on_commit(lambda: products_changed(ids))


def _on_person(sender, instance: Person, created: bool, **kwargs) -> None:
    if not created:
        pk = instance.pk
        transaction.on_commit(lambda: products_changed(_products_of_person(pk)))


def connect() -> None:
    post_save.connect(_on_consent_saved, sender=ConsentRecord, dispatch_uid="mkt-consent-saved")
    consent_withdrawn.connect(_on_consent_withdrawn, dispatch_uid="mkt-consent-withdrawn")
    for model in (Product,):
        post_save.connect(_on_product, sender=model, dispatch_uid="mkt-product-saved")
        post_delete.connect(_on_product, sender=model, dispatch_uid="mkt-product-deleted")
    post_save.connect(_on_photo, sender=ProductPhoto, dispatch_uid="mkt-photo-saved")
    post_delete.connect(_on_photo_deleted, sender=ProductPhoto, dispatch_uid="mkt-photo-deleted")
    for model in (ArtisanProfile, Cooperative):
        post_save.connect(_on_profile, sender=model, dispatch_uid=f"mkt-{model.__name__}-saved")
    post_save.connect(_on_person, sender=Person, dispatch_uid="mkt-person-saved")
    for through in (Product.motifs.through, Product.techniques.through):
        m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"mkt-m2m-{through.__name__}")


def _on_m2m(sender, instance, action: str, **kwargs) -> None:
    if action.startswith("post_") and isinstance(instance, Product):
        _on_product(Product, instance)
