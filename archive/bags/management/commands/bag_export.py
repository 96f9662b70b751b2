import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from archive.bags.export import Audience, ExportError, export_bag, select_items


class Command(BaseCommand):
    help = (
        "Export items as a BagIt bag: one item (--item), a collection (--collection) or the "
        "whole archive, as far as the audience may see them (everyone unless --for-user or "
        "--curator)."
    )

    def add_arguments(self, parser):
        parser.add_argument("dest", type=Path, help="a new folder for the bag")
        parser.add_argument("--item", action="append", dest="items", metavar="IDENTIFIER")
        parser.add_argument("--collection", metavar="SLUG")
        who = parser.add_mutually_exclusive_group()
        who.add_argument(
            "--for-user", metavar="USERNAME", help="what this user may see, through the policy"
        )
        who.add_argument(
            "--curator",
            action="store_true",
            help="everything: drafts, every access level, consent records and withdrawals",
        )
        parser.add_argument(
            "--no-derivatives", action="store_true", help="originals and metadata only"
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, dest, items, collection, for_user, curator, **options):
        audience = Audience(curator=curator)
        if for_user:
            user = get_user_model().objects.filter(username=for_user).first()
            if user is None:
                raise CommandError(f"no user {for_user!r}")
            audience = Audience(user=user)
        try:
            report = export_bag(
                select_items(items, collection),
                dest,
                audience,
                derivatives=not options["no_derivatives"],
            )
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "path": str(report.path),
                        "audience": report.audience,
                        "items": report.items,
                        "files": report.files,
                        "bytes": report.bytes,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            self.stdout.write(
                f"{report.path}: {len(report.items)} item(s), {report.files} file(s), "
                f"{report.bytes} bytes, for the audience '{report.audience}'"
            )
