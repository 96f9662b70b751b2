"""Admin additions for items: bulk tagging from page listings."""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from taggit.forms import TagField
from wagtail import hooks
from wagtail.admin.views.pages.bulk_actions.page_bulk_action import PageBulkAction

from . import admin_scope, consent
from .models import ItemPage


class AddTagsForm(forms.Form):
    tags = TagField(label=_("Tags to add"), help_text=_("Separate tags with commas."))


@hooks.register("register_bulk_action")
class AddTagsBulkAction(PageBulkAction):
    """Select items in a listing, add the same free tags to all of them at once.

    Each item gets a new revision (so the history shows who tagged what); an item that was
    live with no pending draft is republished, so the tags show at once.
    """

    display_name = _("Add tags")
    action_type = "add_tags"
    aria_label = _("Add tags to the selected items")
    template_name = "items/admin/confirm_bulk_add_tags.html"
    action_priority = 60
    form_class = AddTagsForm

    def check_perm(self, page):
        return isinstance(page.specific_deferred, ItemPage) and (
            page.permissions_for_user(self.request.user).can_edit()
        )

    def get_execution_context(self):
        return {**super().get_execution_context(), "tags": self.cleaned_form.cleaned_data["tags"]}

    @classmethod
    def execute_action(cls, objects, tags=(), user=None, **kwargs):
        count = 0
        for page in objects:
            page = page.specific
            with transaction.atomic():
                publish = page.live and not page.has_unpublished_changes
                draft = page.get_latest_revision_as_object()
                draft.tags.add(*tags)
                revision = draft.save_revision(user=user, log_action=True)
                if publish:
                    revision.publish(user=user)
            count += 1
        return count, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "Tags added to %(count)d item.", "Tags added to %(count)d items.", num_parent_objects
        ) % {"count": num_parent_objects}


@hooks.register("register_log_actions")
def register_consent_log_actions(actions):
    # The history line on an item the archive took down when a consent was withdrawn.
    actions.register_action(
        consent.TAKEN_DOWN, _("Taken down: consent withdrawn"), consent.TAKEN_DOWN_LABEL
    )


# What each admin user may see is ``admin_scope``; the page doors that open one page (edit,
# preview, history, revisions…) are guarded by ``middleware.AdminPageScopeMiddleware``.
@hooks.register("construct_page_chooser_queryset")
def chooser_pages_in_scope(pages, request):
    return admin_scope.admin_pages(pages, request.user)


@hooks.register("construct_explorer_page_queryset")
def explorer_pages_in_scope(parent_page, pages, request):
    return admin_scope.admin_pages(pages, request.user)
