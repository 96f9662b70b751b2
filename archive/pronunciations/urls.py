from django.urls import path

from . import views

app_name = "pronunciations"

urlpatterns = [
    path("<int:pk>/audio", views.audio, name="audio"),
]
