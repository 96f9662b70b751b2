"""The parts people play in an item, and what each part implies.

Plain choices, importable from anywhere below the models (prose, JSON-LD, IIIF).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ARTISAN = "artisan", _("Artisan")
    PERFORMER = "performer", _("Performer")
    SPEAKER = "speaker", _("Speaker")
    COLLECTOR = "collector", _("Collector")
    RECORDER = "recorder", _("Recorded by")
    TRANSCRIBER = "transcriber", _("Transcriber")
    TRANSLATOR = "translator", _("Translator")


#: Roles whose bearers appear in the material (their hands, voice or face), and so must have
#: consented before it is shown to the public.
ROLES_NEEDING_CONSENT = {Role.ARTISAN, Role.PERFORMER, Role.SPEAKER}
#: Roles that make someone a Dublin Core ``creator``; the others are ``contributor``.
CREATOR_ROLES = {Role.ARTISAN, Role.PERFORMER, Role.SPEAKER}
