from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Person


class PersonViewSet(SnippetViewSet):
    model = Person
    menu_label = _("People and consent")
    menu_icon = "group"
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["name_zh", "name_en", "kind", "village"]
    list_filter = ["kind", "is_artisan", "is_performer", "is_speaker"]
    search_fields = ["name_zh", "name_en", "name_hmn", "slug"]


register_snippet(PersonViewSet)


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def stamp_consent_entered_by(request, instance):
    """Record which admin user entered each new consent record (audit trail)."""
    if isinstance(instance, Person):
        instance.consents.filter(recorded_by_user__isnull=True).update(
            recorded_by_user=request.user
        )
