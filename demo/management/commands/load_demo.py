from django.core.management.base import BaseCommand, CommandError

from archive.vocabularies.loader import DataError


class Command(BaseCommand):
    help = "Fill the archive with the demo collection (idempotent; generates demo media)."

    def add_arguments(self, parser):
        parser.add_argument("--no-media", action="store_true", help="Skip generating media.")

    def handle(self, *args, **options):
        from demo.loader import load_demo

        try:
            report = load_demo(progress=self.stdout.write, with_media=not options["no_media"])
        except DataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"demo loaded: {report}"))
