"""Validate every public manifest and collection as an anonymous IIIF client gets them.

    manage.py iiif_validate [--verbose]

Exit status 1 when any document fails; each failure is printed with its URL and reason.
Items with no media to show have no manifest (404) and are counted, not failed.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management.base import BaseCommand, CommandError
from django.test import RequestFactory

from archive.access import policy
from archive.iiif import views
from archive.iiif.validation import validate
from archive.items.models import CollectionPage, ItemPage


class Command(BaseCommand):
    help = "Validate every public IIIF manifest and collection (Presentation 3)."

    def add_arguments(self, parser):
        parser.add_argument("--verbose", action="store_true")

    def handle(self, *args, verbose: bool = False, **options):
        host = urlsplit(settings.WAGTAILADMIN_BASE_URL).netloc or "localhost"
        factory = RequestFactory(HTTP_HOST=host)
        checked = failed = empty = 0
        jobs = [
            (f"/iiif/3/collection/{c.slug}", views.collection, {"slug": c.slug})
            for c in CollectionPage.objects.live()
        ] + [
            (f"/iiif/3/item/{i.pk}/manifest", views.manifest, {"page_id": i.pk})
            for i in policy.visible_items(ItemPage.objects.all(), None)
        ]
        for path, view, kwargs in jobs:
            request = factory.get(path)
            request.user = AnonymousUser()
            try:
                response = view(request, **kwargs)
            except Exception as exc:  # Http404 and anything else: report, go on
                if type(exc).__name__ == "Http404":
                    empty += 1
                    continue
                failed += 1
                self.stderr.write(f"FAIL {path}: {type(exc).__name__}: {exc}")
                continue
            checked += 1
            try:
                validate(json.loads(response.content))
            except (AssertionError, ValueError) as exc:
                failed += 1
                self.stderr.write(f"FAIL {path}: {str(exc)[:300]}")
            else:
                if verbose:
                    self.stdout.write(f"ok   {path}")
        self.stdout.write(
            f"{checked} documents checked, {failed} failed, {empty} items with no media shown"
        )
        if failed:
            raise CommandError(f"{failed} IIIF documents are not valid Presentation 3")
