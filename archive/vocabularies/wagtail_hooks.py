"""Every vocabulary as a snippet, grouped under one "Vocabularies" menu."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import VOCABULARIES


def _viewset_for(model):
    class TermViewSet(SnippetViewSet):
        list_display = ["label_zh", "label_en", "label_hmn", "broader", "slug"]
        list_filter = ["broader"] if model.__name__ != "Place" else ["kind"]
        search_fields = ["label_zh", "label_en", "label_hmn", "slug"]
        ordering = ["slug"]
        copy_view_enabled = False

    TermViewSet.model = model
    TermViewSet.__name__ = f"{model.__name__}ViewSet"
    return TermViewSet


class VocabularyGroup(SnippetViewSetGroup):
    menu_label = _("Vocabularies")
    menu_icon = "list-ul"
    menu_order = 250
    items = [_viewset_for(m) for m in VOCABULARIES.values()]


register_snippet(VocabularyGroup)
