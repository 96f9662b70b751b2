from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_views
from .models import ConsentRecord, Person


class PersonViewSet(SnippetViewSet):
    model = Person
    menu_label = _("People and consent")
    menu_icon = "group"
    menu_order = 260
    add_to_admin_menu = True
    list_display = ["name_zh", "name_en", "kind", "village"]
    list_filter = ["kind", "is_artisan", "is_performer", "is_speaker"]
    search_fields = ["name_zh", "name_en", "name_hmn", "slug"]


class AppendOnlyPermissionPolicy(ModelPermissionPolicy):
    """Records are added and read; nobody, superusers included, edits or deletes one."""

    FORBIDDEN = {"change", "delete"}

    def user_has_permission(self, user, action):
        return action not in self.FORBIDDEN and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = set(actions) - self.FORBIDDEN
        if not actions:
            return self.auth_model._default_manager.none()
        return super().users_with_any_permission(actions)

    def instances_user_has_any_permission_for(self, user, actions):
        actions = set(actions) - self.FORBIDDEN
        if not actions:
            return self.model._default_manager.none()
        return super().instances_user_has_any_permission_for(user, actions)


register_permission_policy(ConsentRecord, AppendOnlyPermissionPolicy(ConsentRecord))


class ConsentRecordViewSet(SnippetViewSet):
    """Consent records as evidence: listed, inspected and added by curators, never edited.

    A withdrawal is its own event (``admin_views.withdraw``).
    """

    model = ConsentRecord
    icon = "doc-full"
    menu_label = _("Consent records")
    menu_order = 261
    add_to_admin_menu = True
    list_display = ["person", "scope", "item", "granted_on", "withdrawn_on", "recorded_by"]
    list_filter = ["scope"]
    search_fields = ["person__name_zh", "person__name_en", "recorded_by", "note"]
    inspect_view_enabled = True
    copy_view_enabled = False
    sort_order_field = None  # the order is the order of events, not something to rearrange

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("withdraw/<int:pk>/", admin_views.withdraw, name="withdraw"),
        ]


register_snippet(PersonViewSet)
register_snippet(ConsentRecordViewSet)


@hooks.register("register_snippet_listing_buttons")
def withdraw_button(snippet, user, next_url=None):
    if (
        isinstance(snippet, ConsentRecord)
        and snippet.withdrawn_on is None
        and user.has_perm(admin_views.WITHDRAW_PERM)
    ):
        url = reverse("wagtailsnippets_people_consentrecord:withdraw", args=[snippet.pk])
        yield ListingButton(_("Withdraw"), url, icon_name="cross", priority=30)


@hooks.register("after_create_snippet")
def stamp_consent_entered_by(request, instance):
    """Record which admin user entered each new consent record (audit trail)."""
    if isinstance(instance, ConsentRecord):
        ConsentRecord.objects.filter(pk=instance.pk).update(recorded_by_user=request.user)
