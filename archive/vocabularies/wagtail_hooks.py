"""Every vocabulary as a snippet, grouped under one "Vocabularies" menu.

Listings and choosers search the labels with ``TermQuerySet.search_labels`` (Chinese,
pinyin, English, Miao), not Wagtail's search backend: the database backend does not break
Chinese into words, so 排莫 would not find 排莫村.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from .models import VOCABULARIES


class LabelSearchForm(BaseFilterForm):
    """The chooser's search box, matching every label of a term."""

    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
        required=False,
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = self.cleaned_data.get("q")
        if query:
            objects = objects.search_labels(query)
            self.is_searching = True
            self.search_query = query
        return objects


class LabelSearchIndexView(IndexView):
    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return queryset.search_labels(self.search_query)


class TermChooserViewSet(SnippetChooserViewSet):
    choose_view_class = type("ChooseView", (ChooseView,), {"filter_form_class": LabelSearchForm})
    choose_results_view_class = type(
        "ChooseResultsView", (ChooseResultsView,), {"filter_form_class": LabelSearchForm}
    )


def _viewset_for(model):
    class TermViewSet(SnippetViewSet):
        list_display = ["label_zh", "label_en", "label_hmn", "broader", "slug"]
        list_filter = ["broader"] if model.__name__ != "Place" else ["kind"]
        search_fields = ["label_zh", "label_en", "label_hmn", "slug"]
        index_view_class = LabelSearchIndexView
        chooser_viewset_class = TermChooserViewSet
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
