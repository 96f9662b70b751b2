"""The admin's way to the lessons: curators review teachers and lessons, teachers find theirs."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from archive.access import policy

from . import access


class _CuratorsItem(MenuItem):
    def is_shown(self, request):
        return policy.is_curator(request.user)


class _TeachersItem(MenuItem):
    def is_shown(self, request):
        return access.is_teacher(request.user)


@hooks.register("register_admin_menu_item")
def teachers_and_lessons_to_review():
    return _CuratorsItem(
        _("Teachers and lessons to review"),
        reverse("lessons-applications"),
        icon_name="group",
        order=280,
    )


@hooks.register("register_admin_menu_item")
def my_lessons():
    return _TeachersItem(_("My lessons"), reverse("lessons-mine"), icon_name="doc-full", order=281)
