"""What a change of consent does to the items that depend on it.

The safe default: when a consent is withdrawn (by a curator in the admin, on the command
line, or by any save that sets ``withdrawn_on``), every live public item that no longer has
the consent it needs is unpublished at once. Unpublishing is the one act every door already
obeys: pages, assets, IIIF, search and suggest (reindexed), the sitemap and the page cache
(cleared) all drop the item within seconds. Each item's history says why, in the curator's
language; curators then decide (publish again without that person, or keep it down).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from archive.access.models import AccessLevel
from archive.people.models import ConsentRecord, Person
from archive.people.signals import consent_withdrawn

from .models import ItemPage, ItemPerson, consent_problems

logger = logging.getLogger(__name__)
#: The history entry on each item taken down (registered in ``wagtail_hooks``).
TAKEN_DOWN = "mha.consent_taken_down"
TAKEN_DOWN_LABEL = _("Taken down: consent withdrawn")


def items_naming(person: Person) -> list[ItemPage]:
    """Live items on which ``person`` appears, as their specific pages."""
    ids = ItemPerson.objects.filter(person=person).values_list("item_id", flat=True)
    return list(ItemPage.objects.live().filter(pk__in=ids).specific().order_by("pk"))


def lacks_consent(item: ItemPage) -> list[str]:
    """Why ``item``, live, may no longer be public (empty: it may)."""
    if item.access_level != AccessLevel.PUBLIC:
        return []
    people = [(ip.person, ip.role) for ip in item.people.select_related("person")]
    return consent_problems(item, people)


@transaction.atomic
def take_down_without_consent(person: Person, user=None, reason: str = "") -> list[ItemPage]:
    """Unpublish every live item of ``person`` that lost the consent it needs; return them."""
    taken = []
    for item in items_naming(person):
        problems = lacks_consent(item)
        if not problems:
            continue
        item.unpublish(user=user)
        log(
            instance=item,
            action=TAKEN_DOWN,
            user=user,
            data={"person": person.slug, "reason": reason, "problems": [str(p) for p in problems]},
        )
        taken.append(item)
    if taken:
        logger.warning(
            "consent of %s withdrawn: unpublished %s", person.slug, [i.pk for i in taken]
        )
    return taken


#: How long after its day a withdrawal entered in advance is still looked at (a worker that
#: was down on the day catches up).
LAPSE_WINDOW = timedelta(days=7)


def take_down_lapsed() -> list[ItemPage]:
    """Items whose consent lapsed today: a withdrawal entered in advance takes effect on its
    day, with no signal to announce it. The worker checks on every beat, so only those
    withdrawals are looked at (one entered for today took effect when it was entered)."""
    today = timezone.localdate()
    lapsed = ConsentRecord.objects.filter(withdrawn_on__range=(today - LAPSE_WINDOW, today)).filter(
        Q(withdrawal__isnull=True) | Q(withdrawal__created_at__date__lt=F("withdrawn_on"))
    )
    ids = ItemPerson.objects.filter(
        item__live=True, person_id__in=lapsed.values("person_id")
    ).values_list("person_id", flat=True)
    people = Person.objects.filter(pk__in=ids)
    return [item for person in people for item in take_down_without_consent(person)]


def _consent_saved(sender, instance: ConsentRecord, **kwargs) -> None:
    # Any save that sets ``withdrawn_on`` (the shell, a data import, an old form).
    if instance.withdrawn_on is None:
        return
    person_id, scope = instance.person_id, instance.get_scope_display()
    transaction.on_commit(
        lambda: take_down_without_consent(Person.objects.get(pk=person_id), reason=str(scope))
    )


def _consent_withdrawn(sender, consent: ConsentRecord, user=None, **kwargs) -> None:
    # ``ConsentRecord.withdraw`` (the admin's Withdraw, the command): sent after commit.
    take_down_without_consent(consent.person, user=user, reason=str(consent.get_scope_display()))


def connect_signals() -> None:
    post_save.connect(_consent_saved, sender=ConsentRecord, dispatch_uid="mha-consent-saved")
    consent_withdrawn.connect(_consent_withdrawn, dispatch_uid="mha-consent-withdrawn")
