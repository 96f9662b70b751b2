import dataclasses
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive.bags.restore import BagImportError, import_bag


class Command(BaseCommand):
    help = (
        "Validate a BagIt bag made by bag_export and restore its items, or refuse it with "
        "the reason and import nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("bag", type=Path)
        parser.add_argument("--json", action="store_true", help="print the report as JSON")

    def handle(self, *args, bag, **options):
        try:
            report = import_bag(bag)
        except BagImportError as exc:
            raise CommandError(f"{bag}: refused, nothing imported: {exc}") from exc
        if options["json"]:
            self.stdout.write(json.dumps(dataclasses.asdict(report), ensure_ascii=False))
            return
        self.stdout.write(
            f"{len(report.items)} item(s) imported; originals: {report.originals_stored} stored, "
            f"{report.originals_linked} already here; {report.derivatives} derivative(s); "
            f"fixity verified for {report.fixity_verified} original(s)"
        )
        for identifier, reasons in report.drafts.items():
            self.stdout.write(f"{identifier} stays a draft: {' '.join(reasons)}")
