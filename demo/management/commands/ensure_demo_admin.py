from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

DEMO_USER, DEMO_PASSWORD = "admin", "miao-demo-archive"  # noqa: S105 (documented demo login)


class Command(BaseCommand):
    help = "Create the demo archive's documented admin account (development settings only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo admin account is for the demo (DEBUG) only.")
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=DEMO_USER, defaults={"email": "admin@example.org"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        curators = Group.objects.filter(name="Curators").first()
        if curators:
            user.groups.add(curators)
        self.stdout.write(f"demo admin {'created' if created else 'reset'}: {DEMO_USER}")
