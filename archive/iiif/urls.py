"""IIIF URL contracts: not language-prefixed; identifiers are stable absolute URLs."""

from django.urls import path, re_path

from . import auth, discovery, image_views, views

urlpatterns = [
    path("iiif/3/item/<int:page_id>/manifest", views.manifest, name="iiif-manifest"),
    re_path(
        r"^iiif/3/item/(?P<page_id>\d+)/transcript\.(?P<lang>[a-z]{2,3})\.vtt$",
        views.transcript,
        name="iiif-transcript",
    ),
    path(
        "iiif/3/item/<int:page_id>/captions/<int:track_id>.vtt",
        views.caption_track,
        name="iiif-caption-track",
    ),
    path("iiif/3/item/<int:page_id>/dc.json", views.dublin_core, name="iiif-dublin-core"),
    path("iiif/3/item/<int:page_id>/search", views.search, name="iiif-search"),
    path("iiif/3/item/<int:page_id>/autocomplete", views.autocomplete, name="iiif-autocomplete"),
    path("iiif/3/collection/<slug:slug>", views.collection, name="iiif-collection"),
    # IIIF Change Discovery 1.0
    path("iiif/discovery/1/activity", discovery.collection, name="iiif-discovery"),
    path("iiif/discovery/1/activity/page/<int:n>", discovery.page, name="iiif-discovery-page"),
    # IIIF Authorization Flow 2.0
    path("iiif/auth/2/probe/<int:asset_id>", auth.probe, name="iiif-auth-probe"),
    path("iiif/auth/2/probe/item/<int:page_id>", auth.item_probe, name="iiif-auth-item-probe"),
    path("iiif/auth/2/access", auth.access, name="iiif-auth-access"),
    path("iiif/auth/2/token", auth.token, name="iiif-auth-token"),
    path("iiif/auth/2/logout", auth.logout, name="iiif-auth-logout"),
    re_path(r"^iiif/3/(?P<rest>.*)$", image_views.image_api, name="iiif-image"),
]
