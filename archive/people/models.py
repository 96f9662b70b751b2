"""People and their consent.

The archive holds the voices, hands and faces of living people. Nobody is shown to the public
without a consent record that says so; consent can be withdrawn, and a withdrawal is kept (not
deleted) so the history of what was agreed stays auditable.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from archive.core.i18n import localized

from .panels import ConsentHistoryPanel
from .signals import consent_withdrawn


class Person(index.Indexed, ClusterableModel):
    """An artisan, performer or speaker, or a community or cooperative acting as one."""

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        COMMUNITY = "community", _("Community")
        COOPERATIVE = "cooperative", _("Cooperative")

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.INDIVIDUAL)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120)
    name_en = models.CharField(_("name (English / pinyin)"), max_length=120, blank=True)
    name_hmn = models.CharField(_("name (Miao)"), max_length=120, blank=True)
    village = models.ForeignKey(
        "vocabularies.Place",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    #: Roles this person is known for; the role on a given item is recorded with the item.
    is_artisan = models.BooleanField(_("artisan"), default=False)
    is_performer = models.BooleanField(_("performer"), default=False)
    is_speaker = models.BooleanField(_("speaker"), default=False)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    bio_zh = models.TextField(_("biography (Chinese)"), blank=True)
    bio_en = models.TextField(_("biography (English)"), blank=True)

    panels = [
        FieldPanel("slug"),
        FieldPanel("kind"),
        FieldRowPanel([FieldPanel("name_zh"), FieldPanel("name_en"), FieldPanel("name_hmn")]),
        FieldPanel("village"),
        FieldRowPanel(
            [FieldPanel("is_artisan"), FieldPanel("is_performer"), FieldPanel("is_speaker")],
            heading=_("Roles"),
        ),
        FieldPanel("birth_year"),
        MultiFieldPanel([FieldPanel("bio_zh"), FieldPanel("bio_en")], heading=_("Biography")),
        # Consent is evidence, recorded and withdrawn only through its own append-only screens;
        # curators read its history here, nobody edits it in this form.
        ConsentHistoryPanel(heading=_("Consent records")),
    ]
    search_fields = [
        index.SearchField("name_zh"),
        index.SearchField("name_en"),
        index.SearchField("name_hmn"),
        index.AutocompleteField("name_en"),
        index.FilterField("kind"),
    ]

    class Meta:
        verbose_name = _("person or group")
        verbose_name_plural = _("people and groups")
        ordering = ["name_en", "name_zh"]

    def __str__(self) -> str:  # pragma: no mutate block
        return " / ".join(x for x in (self.name_zh, self.name_en) if x)

    @property
    def name(self) -> str:  # pragma: no mutate block
        return localized(self, "name")

    def has_consent(self, scope: str, item=None, on: datetime.date | None = None) -> bool:
        return (
            ConsentRecord.objects.active(on)
            .covering(item)
            .filter(person=self, scope=scope)
            .exists()
        )


class ConsentQuerySet(models.QuerySet):
    def active(self, on: datetime.date | None = None) -> ConsentQuerySet:
        """Granted on or before ``on`` and not withdrawn by then."""
        on = on or timezone.localdate()
        return self.filter(granted_on__lte=on).filter(
            Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on)
        )

    def covering(self, item) -> ConsentQuerySet:
        """Consents that cover ``item``: those given for it, and those given for everything."""
        if item is None or item.pk is None:
            return self.filter(item__isnull=True)
        return self.filter(Q(item__isnull=True) | Q(item_id=item.pk))


class ConsentRecord(Orderable):
    """Who consented, to what, when, recorded by whom, and any withdrawal.

    Append-only evidence: the admin adds records and withdraws them (``withdraw()``, which
    keeps a ``ConsentWithdrawal``), and never edits or deletes one.
    """

    class Scope(models.TextChoices):
        ARCHIVE_ONLY = "archive_only", _("Archive only (kept, not shown)")
        PUBLIC_WEB = "public_web", _("Public web")
        EDUCATION = "education", _("Education (lessons, classrooms)")
        COMMERCIAL = "commercial", _("Commercial (marketplace, licensing)")

    person = ParentalKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="consents"
    )
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices)
    #: Blank: the consent covers all material of this person; otherwise that one item.
    item = models.ForeignKey(
        "items.ItemPage",
        verbose_name=_("item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="consents",
        help_text=_("Leave blank when the consent covers all of this person's material."),
    )
    granted_on = models.DateField(_("granted on"))
    #: The fieldworker or curator who took the consent (free text: often not a site user).
    recorded_by = models.CharField(_("recorded by"), max_length=200)
    recorded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    #: Set only by ``withdraw()``, together with the ``ConsentWithdrawal`` that says who and why;
    #: kept here so every query of active consent stays one filter.
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    evidence = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("evidence (signed form, recording)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    objects = ConsentQuerySet.as_manager()

    panels = [
        FieldPanel("person"),
        FieldRowPanel([FieldPanel("scope"), FieldPanel("item")]),
        FieldPanel("granted_on"),
        FieldPanel("recorded_by"),
        FieldPanel("evidence"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:  # pragma: no mutate block
        return f"{self.person} · {self.get_scope_display()} · {self.granted_on}"

    def clean(self) -> None:  # pragma: no mutate block
        super().clean()
        if self.withdrawn_on and self.granted_on and self.withdrawn_on < self.granted_on:
            raise ValidationError(
                {"withdrawn_on": _("A consent cannot be withdrawn before it was granted.")}
            )

    @transaction.atomic
    def withdraw(self, on: datetime.date, user=None, reason: str = "") -> ConsentWithdrawal:
        """Record a withdrawal as a new event; a withdrawal, once made, stands.

        ``consent_withdrawn`` is sent after the transaction commits, so whoever propagates
        the withdrawal (indexes, caches, pages) reads the committed state.
        """
        record = ConsentRecord.objects.select_for_update().get(pk=self.pk)
        if record.withdrawn_on is not None:
            raise ValidationError(
                _("This consent was already withdrawn on %(date)s; a withdrawal stands.")
                % {"date": record.withdrawn_on}
            )
        if on < record.granted_on:
            raise ValidationError(
                {"withdrawn_on": _("A consent cannot be withdrawn before it was granted.")}
            )
        withdrawal = ConsentWithdrawal.objects.create(
            consent=record, withdrawn_on=on, recorded_by_user=user, reason=reason
        )
        ConsentRecord.objects.filter(pk=record.pk).update(withdrawn_on=on)
        self.withdrawn_on = on
        transaction.on_commit(
            lambda: consent_withdrawn.send(sender=ConsentRecord, consent=self, user=user)
        )
        return withdrawal


class ConsentWithdrawal(models.Model):
    """The event of a consent being withdrawn: when it takes effect, who entered it, and why.

    One per consent record; never edited or deleted through the admin.
    """

    consent = models.OneToOneField(
        ConsentRecord,
        verbose_name=_("consent record"),
        on_delete=models.CASCADE,
        related_name="withdrawal",
    )
    withdrawn_on = models.DateField(_("withdrawn on"))
    recorded_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("consent withdrawal")
        verbose_name_plural = _("consent withdrawals")

    def __str__(self) -> str:
        return f"{self.consent} · {self.withdrawn_on}"
