"""The people on an item and the part each played, and the consent rule that follows from it.

A person whose hands, voice or face are in the material must have consented before it is
shown to the public; ``consent_problems`` says, in words a curator can act on, who has not.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable

from archive.people.models import ConsentRecord

from ..roles import ROLES_NEEDING_CONSENT, Role


class ItemPerson(Orderable):
    """A person (or group) and the part they played in an item."""

    item = ParentalKey("items.ItemPage", on_delete=models.CASCADE, related_name="people")
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    panels = [FieldRowPanel([FieldPanel("person"), FieldPanel("role")])]

    class Meta(Orderable.Meta):
        verbose_name = _("person on the item")
        indexes = [
            # The newest items of a person, for related items (``ItemPage.related_filters``).
            models.Index(fields=["person", "-item"], name="items_person_newest_idx"),
        ]


def consent_problems(item: Any, people: list[tuple]) -> list[str]:
    """Why ``item`` (an ``ItemPage``) may not be shown to the public, given
    ``(person, role)`` pairs."""
    problems: list[str] = []
    consenting = 0
    for person, role in people:
        if role not in ROLES_NEEDING_CONSENT:
            continue
        ok = (
            ConsentRecord.objects.active()
            .covering(item)
            .filter(person=person, scope=ConsentRecord.Scope.PUBLIC_WEB)
        )
        if ok.exists():
            consenting += 1
        else:
            problems.append(
                _(
                    "%(person)s (%(role)s) has no active public-web consent record covering "
                    "this item: record their consent, or choose a narrower access level."
                )
                % {"person": person, "role": Role(role).label}
            )
    if item.requires_voice_consent and not people_with_roles(people, ROLES_NEEDING_CONSENT):
        problems.append(
            _(
                "A public recording must name its speakers or performers and hold their "
                "public-web consent; none is named."
            )
        )
    return problems


def people_with_roles(people: list[tuple], roles: set[str]) -> list:
    return [p for p, r in people if r in roles]
