"""The marketplace in the admin: artisans, cooperatives and products for curators; enquiries
for curators and, each only their own cooperative's, for cooperative managers."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import InspectView, SnippetViewSet

from .models import ArtisanProfile, Cooperative, Enquiry, Product


class ArtisanViewSet(SnippetViewSet):
    model = ArtisanProfile
    icon = "user"
    menu_label = _("Artisans")
    list_display = ["person", "cooperative", "published", "updated_at"]
    list_filter = ["published", "cooperative"]
    search_fields = ["slug", "person__name_zh", "person__name_en"]


class CooperativeViewSet(SnippetViewSet):
    model = Cooperative
    icon = "group"
    menu_label = _("Cooperatives")
    list_display = ["person", "village", "manager", "published"]
    list_filter = ["published"]
    search_fields = ["slug", "person__name_zh", "person__name_en"]


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "tag"
    menu_label = _("Products")
    list_display = ["title_zh", "artisan", "price_cny", "availability", "published"]
    list_filter = ["availability", "published", "cooperative"]
    search_fields = ["slug", "title_zh", "title_en"]


class EnquiryPermissionPolicy(ModelPermissionPolicy):
    """Enquiries are a buyer's words: nobody adds or edits one in the admin; a cooperative's
    manager sees (and may only see) their own cooperative's, whatever the address typed."""

    FORBIDDEN = {"add", "change"}

    def user_has_permission(self, user, action):
        return action not in self.FORBIDDEN and super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and Enquiry.objects.for_manager(user).filter(pk=instance.pk).exists()
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if not any(self.user_has_permission(user, a) for a in actions):
            return Enquiry.objects.none()
        return Enquiry.objects.for_manager(user)


register_permission_policy(Enquiry, EnquiryPermissionPolicy(Enquiry))


class EnquiryInspectView(InspectView):
    # Wagtail's inspect view looks the object up by pk alone; the manager's scope is ours.
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not Enquiry.objects.for_manager(self.request.user).filter(pk=obj.pk).exists():
            raise Http404
        return obj


class EnquiryViewSet(SnippetViewSet):
    """Read-only: an enquiry is a buyer's message, answered outside the archive."""

    model = Enquiry
    icon = "mail"
    menu_label = _("Enquiries")
    list_display = ["name", "kind", "artisan", "cooperative", "product", "created_at"]
    list_filter = ["kind"]
    inspect_view_enabled = True
    inspect_view_class = EnquiryInspectView
    copy_view_enabled = False

    def get_queryset(self, request):
        return Enquiry.objects.for_manager(request.user).select_related(
            "artisan__person", "cooperative", "product"
        )


class MarketplaceGroup(ViewSetGroup):
    menu_label = _("Artisan marketplace")
    menu_icon = "tag"
    menu_order = 270
    items = (ArtisanViewSet, CooperativeViewSet, ProductViewSet, EnquiryViewSet)


register_snippet(MarketplaceGroup)
