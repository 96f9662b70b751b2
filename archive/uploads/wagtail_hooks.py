from django.urls import path
from wagtail import hooks

from . import tus


@hooks.register("register_admin_urls")
def register_tus_urls():
    return [
        path("uploads/tus/", tus.collection, name="tus_uploads"),
        path("uploads/tus/<uuid:upload_id>", tus.resource, name="tus_upload"),
    ]
