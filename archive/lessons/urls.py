from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="lessons"),
    path("teach/", views.register, name="lessons-register"),
    path("teachers/", views.applications, name="lessons-applications"),
    path("mine/", views.mine, name="lessons-mine"),
    path("new/", views.new, name="lesson-new"),
    path("add/", views.add_source, name="lesson-add"),
    path("<int:pk>/", views.lesson_page, name="lesson"),
    path("<int:pk>/edit/", views.edit, name="lesson-edit"),
    path("<int:pk>/delete/", views.delete_lesson, name="lesson-delete"),
    path("<int:pk>/sources/<int:source_id>/", views.change_source, name="lesson-source"),
    path("<int:pk>/handout/", views.handout, name="lesson-handout"),
    path("<int:pk>/handout.pdf", views.handout_pdf, name="lesson-pdf"),
    path("<int:pk>/qr.svg", views.qr_code, name="lesson-qr"),
    path("<int:pk>/manifest", views.manifest, name="lesson-manifest"),
    path("<int:pk>/pack.zip", views.pack, name="lesson-pack"),
    path("<int:pk>/pack/status", views.pack_status, name="lesson-pack-status"),
    path("s/<str:token>/", views.student, name="lesson-student"),
    path("s/<str:token>/manifest", views.manifest, name="lesson-student-manifest"),
    path("s/<str:token>/pack.zip", views.pack, name="lesson-student-pack"),
    path("s/<str:token>/pack/status", views.pack_status, name="lesson-student-pack-status"),
]
