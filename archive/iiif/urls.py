"""IIIF URL contracts: not language-prefixed; identifiers are stable absolute URLs."""

from django.urls import path, re_path

from . import image_views, views

urlpatterns = [
    path("iiif/3/item/<int:page_id>/manifest", views.manifest, name="iiif-manifest"),
    re_path(
        r"^iiif/3/item/(?P<page_id>\d+)/transcript\.(?P<lang>[a-z]{2,3})\.vtt$",
        views.transcript,
        name="iiif-transcript",
    ),
    path("iiif/3/item/<int:page_id>/dc.json", views.dublin_core, name="iiif-dublin-core"),
    path("iiif/3/item/<int:page_id>/search", views.search, name="iiif-search"),
    path("iiif/3/item/<int:page_id>/autocomplete", views.autocomplete, name="iiif-autocomplete"),
    path("iiif/3/collection/<slug:slug>", views.collection, name="iiif-collection"),
    re_path(r"^iiif/3/(?P<rest>.*)$", image_views.image_api, name="iiif-image"),
]
