"""The archive's groups and its review workflow, created idempotently after every migrate.

* Curators: everything, including restricted material and publishing; they record and
  withdraw consent, and are the only ones who see consent records. Nobody edits or deletes
  a consent record or a withdrawal: they are evidence (``people.wagtail_hooks``).
* Contributors: create and edit items as drafts; publishing goes through curator review.
  On media they describe and upload, but cannot move an asset or change its level, and what
  they upload to a published item stays restricted until a curator widens it.
* Teachers: the admin for lessons only (the lessons app grants them its permissions).

What the admin shows each of them is ``archive.items.admin_scope``.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

CURATORS, CONTRIBUTORS, TEACHERS = "Curators", "Contributors", "Teachers"
#: The review workflow and its one task, named in the curators' language: Wagtail shows
#: these stored names as they are ("提交给馆员审核"), so they are data in Chinese, not msgids.
WORKFLOW_NAME, TASK_NAME = "馆员审核", "馆员批准"
SNIPPET_APPS = ["vocabularies", "people", "assets"]
#: Consent records and withdrawals are append-only: no group may change or delete them.
NEVER_GRANTED = [
    "change_consentrecord",
    "delete_consentrecord",
    "change_consentwithdrawal",
    "delete_consentwithdrawal",
]


def _perms(*codenames_by_app: tuple[str, list[str]]) -> list[Permission]:
    out = []
    for app, codenames in codenames_by_app:
        out += list(Permission.objects.filter(content_type__app_label=app, codename__in=codenames))
    return out


@transaction.atomic
def ensure_roles(**kwargs) -> None:
    from wagtail.models import (
        GroupApprovalTask,
        GroupPagePermission,
        Page,
        Task,
        Workflow,
        WorkflowPage,
        WorkflowTask,
    )

    admin_access = _perms(("wagtailadmin", ["access_admin"]))
    if not admin_access:
        return  # called before wagtail's permissions exist (early in a fresh migrate)
    root = Page.get_first_root_node()
    if root is None:
        return
    curators, _ = Group.objects.get_or_create(name=CURATORS)
    contributors, _ = Group.objects.get_or_create(name=CONTRIBUTORS)
    teachers, _ = Group.objects.get_or_create(name=TEACHERS)

    snippet_perms = list(
        Permission.objects.filter(content_type__app_label__in=SNIPPET_APPS).exclude(
            codename__in=NEVER_GRANTED
        )
    )
    curators.permissions.add(
        *admin_access,
        *snippet_perms,
        *_perms(
            (
                "access",
                [
                    "view_restricted",
                    "add_communitymembership",
                    "change_communitymembership",
                    "delete_communitymembership",
                ],
            )
        ),
        *_perms(
            ("wagtailimages", ["add_image", "change_image", "choose_image"]),
            ("wagtaildocs", ["add_document", "change_document", "choose_document"]),
            # Caption tracks show at once on a live item: curators only.
            (
                "captions",
                [
                    "add_captiontrack",
                    "change_captiontrack",
                    "delete_captiontrack",
                    "view_captiontrack",
                ],
            ),
            # A term's recorded pronunciation plays on every page that shows the term.
            (
                "pronunciations",
                [
                    "add_pronunciation",
                    "change_pronunciation",
                    "delete_pronunciation",
                    "view_pronunciation",
                ],
            ),
        ),
    )
    contributors.permissions.add(
        *admin_access,
        *[
            p
            for p in snippet_perms
            if p.codename.startswith(("view_", "add_", "change_")) and "consent" not in p.codename
        ],
        *_perms(("wagtaildocs", ["add_document", "choose_document"])),
    )
    teachers.permissions.add(*admin_access)
    for group in (curators, contributors, teachers):
        group.permissions.remove(*_perms(("people", NEVER_GRANTED)))

    for group, perms in (
        (
            curators,
            [
                "add_page",
                "change_page",
                "publish_page",
                "bulk_delete_page",
                "lock_page",
                "unlock_page",
            ],
        ),
        (contributors, ["add_page", "change_page"]),
    ):
        for codename in perms:
            perm = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=root, permission=perm)

    # Their English names before: renamed in place, so pages keep workflow and history.
    Workflow.objects.filter(name="Curator review").update(name=WORKFLOW_NAME)
    Task.objects.filter(name="Curator approval").update(name=TASK_NAME)
    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if created:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
        task.groups.set([curators])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    # Replace Wagtail's stock "Moderators approval" on the root, but keep a curator's choice.
    current = WorkflowPage.objects.filter(page=root).select_related("workflow").first()
    if current is None or current.workflow.name == "Moderators approval":
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})
