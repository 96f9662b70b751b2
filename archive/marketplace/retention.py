"""What the worker's beat does for the marketplace (``archive.workers``' ``recover``).

* Enquiries hold a buyer's name and contact: kept only ``MHA_ENQUIRY_RETENTION_DAYS``, then
  deleted (also ``manage.py purge_enquiries``).
* A marketplace consent withdrawn in advance lapses on its day with no signal to announce
  it: pages already ask the rule on every request, but the search indexes and the page
  cache keep copies, so the products of such people are re-indexed (and so removed) and
  the cache left behind on the beats of that day's window.
"""

from __future__ import annotations

from django.db.models import F, Q
from django.utils import timezone

from archive.items.consent import LAPSE_WINDOW
from archive.people.models import ConsentRecord

from .models import MARKETPLACE_SCOPE, Enquiry, Product
from .signal_handlers import products_changed


def purge_expired() -> int:
    n, _ = Enquiry.objects.expired().delete()
    return n


def lapsed_products() -> list[int]:
    today = timezone.localdate()
    lapsed = (
        ConsentRecord.objects.filter(scope=MARKETPLACE_SCOPE)
        .filter(withdrawn_on__range=(today - LAPSE_WINDOW, today))
        .filter(Q(withdrawal__isnull=True) | Q(withdrawal__created_at__date__lt=F("withdrawn_on")))
        .values("person_id")
    )
    return list(
        Product.objects.filter(
            Q(artisan__person_id__in=lapsed) | Q(cooperative__person_id__in=lapsed)
        ).values_list("pk", flat=True)
    )


def on_beat() -> None:
    purge_expired()
    ids = lapsed_products()
    if ids:
        products_changed(ids)
