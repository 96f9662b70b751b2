"""``manage.py consent withdraw PERSON_SLUG [--scope SCOPE] [--json]`` and
``manage.py consent grant PERSON_SLUG --scope SCOPE [--item ID] [--recorded-by NAME]``.

Withdrawing records the withdrawal as the admin does (today, keeping the grant as evidence)
and takes down at once every live item that lost the consent it needs; it prints those
items. Granting records a new consent; it publishes nothing (curators decide). An unknown
person or scope, or nothing to withdraw, exits non-zero.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from archive.items.consent import take_down_without_consent
from archive.items.models import ItemPage
from archive.people.models import ConsentRecord, Person

SCOPES = ConsentRecord.Scope.values


class Command(BaseCommand):
    help = "Withdraw or grant a person's consent; a withdrawal takes down what depended on it."

    def add_arguments(self, parser):
        verbs = parser.add_subparsers(dest="verb", required=True)
        withdraw = verbs.add_parser("withdraw", help="record a withdrawal (today)")
        withdraw.add_argument("person")
        withdraw.add_argument("--scope", choices=SCOPES, help="only this scope (default: all)")
        withdraw.add_argument("--json", action="store_true")
        grant = verbs.add_parser("grant", help="record a new consent (today)")
        grant.add_argument("person")
        grant.add_argument("--scope", choices=SCOPES, required=True)
        grant.add_argument("--item", type=int, help="only this item (default: all material)")
        grant.add_argument("--recorded-by", default="manage.py consent grant")
        grant.add_argument("--json", action="store_true")

    def handle(self, *args, verb, person, **options):
        found = Person.objects.filter(slug=person).first()
        if found is None:
            raise CommandError(f"no person with the slug {person!r}")
        if verb == "withdraw":
            report = self.withdraw(found, options["scope"])
        else:
            report = self.grant(found, options)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
        else:
            for key, value in report.items():
                self.stdout.write(f"{key}: {value}")

    def withdraw(self, person: Person, scope: str | None) -> dict:
        today = timezone.localdate()
        with transaction.atomic():
            records = ConsentRecord.objects.active(today).filter(person=person)
            if scope:
                records = records.filter(scope=scope)
            records = list(records.select_for_update())
            if not records:
                raise CommandError(
                    f"{person.slug} has no active consent" + (f" for {scope}" if scope else "")
                )
            for record in records:
                record.withdraw(today, reason="manage.py consent withdraw")
            taken = take_down_without_consent(person, reason=scope or "all")
        return {
            "person": person.slug,
            "withdrawn": [{"id": r.pk, "scope": r.scope} for r in records],
            "affected_items": [_item(i) for i in taken],
        }

    def grant(self, person: Person, options: dict) -> dict:
        item = None
        if options["item"] is not None:
            item = ItemPage.objects.filter(pk=options["item"]).first()
            if item is None:
                raise CommandError(f"no item with the id {options['item']}")
        record = ConsentRecord.objects.create(
            person=person,
            scope=options["scope"],
            item=item,
            granted_on=timezone.localdate(),
            recorded_by=options["recorded_by"],
        )
        return {"person": person.slug, "granted": {"id": record.pk, "scope": record.scope}}


def _item(item: ItemPage) -> dict:
    return {"id": item.pk, "identifier": item.identifier, "title": item.title}
