from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PronunciationsConfig(AppConfig):
    """Recorded pronunciations of vocabulary terms in Miao, played beside the term on item
    pages. Each is a speaker's voice, heard only while their public-web consent stands (asked
    of ``archive.access.policy`` on every request); it sits above the vocabularies, people and
    assets it uses, and nothing below imports it."""

    name = "archive.pronunciations"
    label = "pronunciations"
    verbose_name = _("Pronunciations")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Django's app loading forces this function-level import of the app's own handlers.
        from . import signal_handlers

        signal_handlers.connect()
