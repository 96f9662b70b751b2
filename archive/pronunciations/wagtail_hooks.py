from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Pronunciation


class PronunciationViewSet(SnippetViewSet):
    model = Pronunciation
    menu_label = _("Pronunciations")
    icon = "media"
    add_to_admin_menu = True
    list_display = ["__str__", "speaker", "created_at"]


register_snippet(PronunciationViewSet)
