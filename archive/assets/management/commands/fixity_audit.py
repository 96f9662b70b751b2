import json

from django.core.management.base import BaseCommand

from archive.assets.fixity import audit
from archive.assets.models import Original


class Command(BaseCommand):
    help = "Check every original against its SHA-256; report and record mismatches and losses."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        bad = 0
        total = Original.objects.count()
        for original in Original.objects.order_by("pk").iterator():
            result = audit(original)
            if result.status != "ok":
                bad += 1
            if options["json"]:
                self.stdout.write(
                    json.dumps(
                        {
                            "original": original.pk,
                            "file": original.file.name,
                            "status": result.status,
                            "expected": original.sha256,
                            "actual": result.actual,
                        }
                    )
                )
            elif result.status != "ok":
                self.stdout.write(
                    f"{result.status.upper():8} {original.file.name} ({original.original_filename})"
                )
        self.stdout.write(f"fixity: {total - bad} ok, {bad} problems, {total} originals")
        if bad:
            raise SystemExit(1)
