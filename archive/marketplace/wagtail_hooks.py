"""The marketplace in the admin: artisans, cooperatives and products for curators; enquiries
for curators and, each only their own cooperative's, for cooperative managers."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

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
    list_display = ["name_zh", "name_en", "village", "manager", "published"]
    list_filter = ["published"]
    search_fields = ["slug", "name_zh", "name_en"]


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "tag"
    menu_label = _("Products")
    list_display = ["title_zh", "artisan", "price_cny", "availability", "published"]
    list_filter = ["availability", "published", "cooperative"]
    search_fields = ["slug", "title_zh", "title_en"]


class EnquiryViewSet(SnippetViewSet):
    """Read-only: an enquiry is a buyer's message, answered outside the archive."""

    model = Enquiry
    icon = "mail"
    menu_label = _("Enquiries")
    list_display = ["name", "kind", "artisan", "cooperative", "product", "created_at"]
    list_filter = ["kind"]
    inspect_view_enabled = True
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
