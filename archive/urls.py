from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from archive.api.urls import api
from archive.assets import views as asset_views
from archive.assets.views import asset_file
from archive.core import views as core_views
from archive.oai.views import oai
from archive.ops.metrics import metrics_view
from archive.portal.health import healthz
from archive.portal.sitemaps import SITEMAPS
from search import views as search_views

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", set_language, name="set_language"),
    path("assets/<int:asset_id>/<str:name>", asset_file, name="asset-file"),
    path("", include("archive.iiif.urls")),
    path("api/v1/search", search_views.api_search, name="api-search"),
    path("api/v1/search/suggest", search_views.api_suggest, name="api-search-suggest"),
    path("api/v1/search/related", search_views.api_related, name="api-search-related"),
    path("api/v1/", api.urls),
    path("oai", oai, name="oai"),
    path("low-bandwidth", core_views.low_bandwidth, name="low-bandwidth"),
    path("sw.js", core_views.service_worker, name="service-worker"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    # Browsers that ignore <link rel="icon"> still ask here.
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
]

handler404 = "archive.core.views.page_not_found"
handler500 = "archive.ops.unavailable.server_error"

urlpatterns += i18n_patterns(
    path("search/", search_views.search, name="search"),
    path("lessons/", include("archive.lessons.urls")),
    path("market/", include("archive.marketplace.urls")),
    path("pronunciations/", include("archive.pronunciations.urls")),
    path("picture/<int:asset_id>/", asset_views.picture_page, name="item-picture"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns = staticfiles_urlpatterns() + urlpatterns
