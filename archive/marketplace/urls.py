from django.urls import path

from . import views

app_name = "marketplace"

urlpatterns = [
    path("artisans/<slug:slug>/", views.artisan, name="artisan"),
    path("cooperatives/<slug:slug>/", views.cooperative, name="cooperative"),
    path("products/<slug:slug>/", views.product, name="product"),
    path("enquire/<str:kind>/<slug:slug>/", views.enquire, name="enquire"),
    path("photos/<int:photo_id>/<str:name>", views.photo, name="photo"),
    path("portraits/<str:kind>/<slug:slug>/<str:name>", views.portrait, name="portrait"),
    path("products.json", views.feed_json, name="feed-json"),
    path("products.csv", views.feed_csv, name="feed-csv"),
]
