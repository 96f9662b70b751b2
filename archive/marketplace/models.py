"""The artisan marketplace: the people who make the archive's patterns today, and their work.

A profile, a cooperative or a product is shown only while the person behind it has an
active consent record of scope ``commercial`` ("Commercial (marketplace, licensing)") that
covers all their material (a consent for one item does not cover a shop). ``shown()`` on
each queryset is that one rule as a filter; every door (pages, search, feed, sitemap, API)
asks it, and a withdrawal takes effect on the next request because the rule is evaluated
then, not copied into a flag.

The archive takes no payment and stores no card data: a product names a price (or "price
on request") and links to the artisan's own shops.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from archive.access.policy import is_curator
from archive.core.i18n import localized
from archive.people.models import ConsentRecord

from .admin_forms import PartyForm
from .originals import adopt_upload, discard, is_fresh_upload
from .panels import PartyPanel

#: The consent scope that covers the marketplace (``people.ConsentRecord.Scope``).
MARKETPLACE_SCOPE = ConsentRecord.Scope.COMMERCIAL


def marketplace_consent_q(person_field: str = "person", on: datetime.date | None = None) -> Q:
    """An active, all-material commercial consent exists for ``<person_field>``."""
    consents = (
        ConsentRecord.objects.active(on)
        .covering(None)
        .filter(scope=MARKETPLACE_SCOPE, person=OuterRef(person_field))
    )
    return Q(Exists(consents))


class ContactPreference(models.TextChoices):
    ENQUIRY = "enquiry", _("Through the archive's enquiry form")
    WECHAT = "wechat", _("WeChat")
    PHONE = "phone", _("Phone")
    COOPERATIVE = "cooperative", _("Through the cooperative")
    IN_PERSON = "in_person", _("In person, in the village")


class ShownQuerySet(models.QuerySet):
    def shown(self):
        """Published, with an active marketplace consent of the person (or group) behind it."""
        return self.filter(published=True).filter(marketplace_consent_q())


class MarketplaceParty(ClusterableModel):
    """What an artisan and a cooperative share: a consenting ``people.Person`` behind them,
    their photo and their story in their own words, where enquiries go, and the one
    ``shown()`` rule. Who they are (names, village) is read from the person, never copied.

    The photo is checked and stored once by checksum as an ``assets.Original`` (through the
    media pipeline, as a product photo is); ``photo_thumb`` and ``photo_web`` are the
    pipeline's renditions, served only while the profile is shown (``views.portrait``)."""

    #: The public door's name for this kind (``/market/portraits/<door>/<slug>/...``).
    door = ""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    #: Only while a curator's upload is on its way to becoming ``photo``.
    photo_upload = models.FileField(
        _("photo"),
        upload_to="market/incoming/",
        max_length=255,
        blank=True,
        help_text=_("A portrait, or of their work. Shown only while their consent stands."),
    )
    photo = models.ForeignKey(
        "assets.Original",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    photo_thumb = models.FileField(
        upload_to="market/people/", max_length=255, blank=True, editable=False
    )
    photo_web = models.FileField(
        upload_to="market/people/", max_length=255, blank=True, editable=False
    )
    story_zh = models.TextField(_("story (Chinese)"), blank=True)
    story_en = models.TextField(_("story (English)"), blank=True)
    story_hmn = models.TextField(_("story (Miao)"), blank=True)
    #: Where enquiries are sent; never shown on the site.
    notify_email = models.EmailField(_("e-mail for enquiries (not shown)"), blank=True)
    published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ShownQuerySet.as_manager()
    base_form_class = PartyForm

    story_panel = MultiFieldPanel(
        [FieldPanel("story_zh"), FieldPanel("story_en"), FieldPanel("story_hmn")],
        heading=_("Their story, in their own words"),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return str(self.person)

    def clean(self) -> None:
        super().clean()
        if is_fresh_upload(self.photo_upload):
            original = adopt_upload(self.photo_upload, "photo_upload")
            if original.pk != self.photo_id:
                # A new picture: the renditions are made again from it.
                self.photo, self.photo_thumb, self.photo_web = original, "", ""
            self.photo_upload = ""  # stored as an original; the upload itself is not kept

    def save(self, *args, **kwargs) -> None:
        if is_fresh_upload(self.photo_upload):
            self.clean()  # a save without a form (a script, the shell) checks it too
        super().save(*args, **kwargs)

    def remove_photo(self) -> None:
        """The photo goes from every door: the record lets go of it and its renditions,
        and the original is deleted unless another record holds the same bytes."""
        original_id, renditions = self.photo_id, [self.photo_thumb, self.photo_web]
        if not original_id and not any(renditions):
            return
        self.photo, self.photo_thumb, self.photo_web = None, "", ""
        self.save()  # its signal drops cached pages and reindexes its products
        discard(original_id, renditions)

    def photo_url(self, name: str = "web") -> str:
        return reverse("marketplace:portrait", args=[self.door, self.slug, name])

    @property
    def photo_url_thumb(self) -> str:
        return self.photo_url("thumb")

    @property
    def photo_url_web(self) -> str:
        return self.photo_url("web")

    @property
    def name(self) -> str:
        return self.person.name

    @property
    def name_zh(self) -> str:
        return self.person.name_zh

    @property
    def name_en(self) -> str:
        return self.person.name_en

    @property
    def name_hmn(self) -> str:
        return self.person.name_hmn

    @property
    def village(self):
        return self.person.village

    @property
    def story(self) -> str:
        return localized(self, "story")


class Cooperative(MarketplaceParty):
    """A group of artisans who sell together; its manager answers enquiries in the admin.
    Its names and village are those of its person record (edited there)."""

    #: The cooperative as a consenting party (a ``Person`` of kind cooperative).
    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("person record (names, village, consent)"),
        on_delete=models.PROTECT,
        related_name="cooperative",
    )
    #: The site user who reads this cooperative's enquiries in the admin.
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_cooperatives",
    )

    panels = [
        FieldPanel("person"),
        PartyPanel(heading=_("Who they are")),
        FieldPanel("slug"),
        FieldPanel("photo_upload"),
        FieldPanel("remove_photo"),
        MarketplaceParty.story_panel,
        FieldRowPanel([FieldPanel("manager"), FieldPanel("notify_email")]),
        FieldPanel("published"),
    ]

    door = "cooperative"

    class Meta:
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        ordering = ["person__name_zh"]

    def get_absolute_url(self) -> str:
        return reverse("marketplace:cooperative", args=[self.slug])


class ArtisanProfile(MarketplaceParty):
    """A living artisan as buyers meet them: their work, their story, how to reach them."""

    person = models.OneToOneField(
        "people.Person",
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="artisan_profile",
    )
    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="artisans",
    )
    techniques = ParentalManyToManyField(
        "vocabularies.Technique", verbose_name=_("techniques"), blank=True, related_name="+"
    )
    motifs = ParentalManyToManyField(
        "vocabularies.Motif", verbose_name=_("motifs"), blank=True, related_name="+"
    )
    contact_preference = models.CharField(
        _("prefers to be contacted"),
        max_length=20,
        choices=ContactPreference.choices,
        default=ContactPreference.ENQUIRY,
    )

    panels = [
        FieldPanel("person"),
        PartyPanel(heading=_("Who they are")),
        FieldPanel("slug"),
        FieldPanel("cooperative"),
        FieldPanel("photo_upload"),
        FieldPanel("remove_photo"),
        FieldRowPanel([FieldPanel("techniques"), FieldPanel("motifs")]),
        MarketplaceParty.story_panel,
        FieldRowPanel([FieldPanel("contact_preference"), FieldPanel("notify_email")]),
        FieldPanel("published"),
    ]

    door = "artisan"

    class Meta:
        verbose_name = _("artisan profile")
        verbose_name_plural = _("artisan profiles")
        ordering = ["slug"]

    def get_absolute_url(self) -> str:
        return reverse("marketplace:artisan", args=[self.slug])


class Availability(models.TextChoices):
    IN_STOCK = "in_stock", _("In stock")
    MADE_TO_ORDER = "made_to_order", _("Made to order")
    SOLD = "sold", _("Sold")


#: schema.org availability of each (Offer.availability).
SCHEMA_AVAILABILITY = {
    Availability.IN_STOCK: "https://schema.org/InStock",
    Availability.MADE_TO_ORDER: "https://schema.org/MadeToOrder",
    Availability.SOLD: "https://schema.org/SoldOut",
}


class ProductQuerySet(models.QuerySet):
    def shown(self) -> ProductQuerySet:
        """Published products of a shown artisan."""
        return self.filter(published=True, artisan__published=True).filter(
            marketplace_consent_q("artisan__person")
        )


class Product(ClusterableModel):
    """A piece an artisan sells or makes to order, and the heritage it draws on."""

    artisan = models.ForeignKey(
        ArtisanProfile,
        verbose_name=_("artisan"),
        on_delete=models.CASCADE,
        related_name="products",
    )
    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("sold through cooperative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_hmn = models.CharField(_("title (Miao)"), max_length=200, blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    #: In yuan (CNY); blank means "price on request".
    price_cny = models.DecimalField(
        _("price (CNY)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Leave blank for 'price on request'."),
    )
    availability = models.CharField(
        _("availability"),
        max_length=20,
        choices=Availability.choices,
        default=Availability.MADE_TO_ORDER,
    )
    techniques = ParentalManyToManyField(
        "vocabularies.Technique", verbose_name=_("techniques"), blank=True, related_name="+"
    )
    motifs = ParentalManyToManyField(
        "vocabularies.Motif", verbose_name=_("motifs"), blank=True, related_name="+"
    )
    materials = ParentalManyToManyField(
        "vocabularies.Material", verbose_name=_("materials"), blank=True, related_name="+"
    )
    dimensions = models.CharField(_("dimensions"), max_length=120, blank=True)
    time_to_make = models.CharField(_("time to make"), max_length=120, blank=True)
    #: "The story behind this": archive items the piece draws on (shown as the policy allows).
    draws_on = ParentalManyToManyField(
        "items.ItemPage",
        verbose_name=_("heritage items it draws on"),
        blank=True,
        related_name="products",
    )
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProductQuerySet.as_manager()

    panels = [
        FieldRowPanel([FieldPanel("artisan"), FieldPanel("cooperative")]),
        FieldPanel("slug"),
        FieldRowPanel([FieldPanel("title_zh"), FieldPanel("title_en"), FieldPanel("title_hmn")]),
        MultiFieldPanel(
            [FieldPanel("description_zh"), FieldPanel("description_en")],
            heading=_("Description"),
        ),
        FieldRowPanel([FieldPanel("price_cny"), FieldPanel("availability")]),
        FieldRowPanel([FieldPanel("techniques"), FieldPanel("motifs"), FieldPanel("materials")]),
        FieldRowPanel([FieldPanel("dimensions"), FieldPanel("time_to_make")]),
        FieldPanel("draws_on"),
        InlinePanel("photos", heading=_("Photos"), label=_("photo")),
        InlinePanel("shop_links", heading=_("The artisan's own shops"), label=_("shop")),
        FieldPanel("published"),
    ]

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return " / ".join(x for x in (self.title_zh, self.title_en) if x)

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def price_on_request(self) -> bool:
        return self.price_cny is None

    def get_absolute_url(self) -> str:
        return reverse("marketplace:product", args=[self.slug])


class ProductPhoto(Orderable):
    """A photo of a product. The upload is checked and stored once by checksum as an
    ``assets.Original`` (through the media pipeline, as every file is); ``thumb`` and ``web``
    are made from it by the pipeline's image renditions. The uploaded file itself is not
    kept beside the original."""

    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="photos")
    #: Only while a curator's upload is on its way to becoming ``original``.
    upload = models.FileField(
        _("photo file"), upload_to="market/incoming/", max_length=255, blank=True
    )
    original = models.ForeignKey(
        "assets.Original",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    caption_zh = models.CharField(_("caption (Chinese)"), max_length=200, blank=True)
    caption_en = models.CharField(_("caption (English)"), max_length=200, blank=True)
    thumb = models.FileField(upload_to="market/", max_length=255, blank=True, editable=False)
    web = models.FileField(upload_to="market/", max_length=255, blank=True, editable=False)

    panels = [
        FieldPanel("upload"),
        FieldRowPanel([FieldPanel("caption_zh"), FieldPanel("caption_en")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("product photo")
        verbose_name_plural = _("product photos")

    def __str__(self) -> str:
        return f"{self.product} · {self.original_id}"

    def clean(self) -> None:
        super().clean()
        if is_fresh_upload(self.upload):
            original = adopt_upload(self.upload, "upload")
            if original.pk != self.original_id:
                # A new picture: the renditions are made again from it.
                self.original, self.thumb, self.web = original, "", ""
            self.upload = ""  # stored as an original; the upload itself is not kept
        elif not self.upload and not self.original_id:
            raise ValidationError({"upload": _("Choose a photo to upload.")})

    def save(self, *args, **kwargs) -> None:
        if is_fresh_upload(self.upload):
            self.clean()  # a save without a form (a script, the shell) checks it too
        super().save(*args, **kwargs)

    @property
    def caption(self) -> str:
        return localized(self, "caption")

    def url(self, name: str = "web") -> str:
        return reverse("marketplace:photo", args=[self.pk, name])

    @property
    def url_thumb(self) -> str:
        return self.url("thumb")

    @property
    def url_web(self) -> str:
        return self.url("web")


class ShopLink(Orderable):
    """A link to where the artisan sells this piece themselves."""

    class Kind(models.TextChoices):
        TAOBAO = "taobao", _("Taobao")
        PINDUODUO = "pinduoduo", _("Pinduoduo")
        WECHAT = "wechat", _("WeChat shop")
        DOUYIN = "douyin", _("Douyin shop")
        OTHER = "other", _("Other")

    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="shop_links")
    kind = models.CharField(_("shop"), max_length=20, choices=Kind.choices)
    url = models.URLField(_("address"), max_length=500)

    panels = [FieldRowPanel([FieldPanel("kind"), FieldPanel("url")])]

    class Meta(Orderable.Meta):
        verbose_name = _("shop link")
        verbose_name_plural = _("shop links")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.url}"


class EnquiryQuerySet(models.QuerySet):
    def for_manager(self, user) -> EnquiryQuerySet:
        """What ``user`` may read in the admin: curators all; a manager their cooperative's."""
        if user.is_superuser or is_curator(user):
            return self
        return self.filter(
            Q(cooperative__manager=user) | Q(artisan__cooperative__manager=user)
        ).distinct()

    def expired(self, now: datetime.datetime | None = None) -> EnquiryQuerySet:
        days = int(getattr(settings, "MHA_ENQUIRY_RETENTION_DAYS", 180))
        return self.filter(created_at__lt=(now or timezone.now()) - datetime.timedelta(days=days))


class Enquiry(models.Model):
    """A buyer's question or commission: only what is needed to answer, kept for
    ``MHA_ENQUIRY_RETENTION_DAYS`` and then purged (``manage.py purge_enquiries``)."""

    class Kind(models.TextChoices):
        QUESTION = "question", _("A question")
        COMMISSION = "commission", _("A commission")

    artisan = models.ForeignKey(
        ArtisanProfile,
        verbose_name=_("artisan"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="enquiries",
    )
    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="enquiries",
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enquiries",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.QUESTION)
    name = models.CharField(_("your name"), max_length=100)
    contact = models.CharField(_("how to reach you (e-mail, phone or WeChat)"), max_length=200)
    message = models.TextField(_("message"), max_length=3000)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True, db_index=True)

    objects = EnquiryQuerySet.as_manager()

    class Meta:
        verbose_name = _("enquiry")
        verbose_name_plural = _("enquiries")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(artisan__isnull=False) | Q(cooperative__isnull=False),
                name="enquiry_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.recipient} ({self.created_at:%Y-%m-%d})"

    @property
    def recipient(self):
        return self.artisan or self.cooperative
