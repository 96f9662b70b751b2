"""A small marketplace for tests: an artisan with marketplace (commercial) consent, her
cooperative, two products drawing on a public pattern."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

from archive.items.models import CollectionPage, EmbroideryPatternPage
from archive.marketplace.models import (
    ArtisanProfile,
    Availability,
    Cooperative,
    Product,
    ShopLink,
)
from archive.people.models import ConsentRecord, Person
from archive.vocabularies.models import Motif, Place, Technique
from tests import factories


def consent(person: Person, scope: str = "commercial") -> ConsentRecord:
    return ConsentRecord.objects.create(
        person=person, scope=scope, granted_on=datetime.date(2024, 5, 1), recorded_by="fieldworker"
    )


def market() -> dict:
    _, collections = factories.site_tree()
    tag = uuid.uuid4().hex[:6]
    village = Place.objects.create(
        slug=f"paimo-{tag}", label_zh="排莫", label_en="Paimo", kind="village"
    )
    butterfly = Motif.objects.get_or_create(
        slug="butterfly", defaults={"label_zh": "蝴蝶", "label_en": "Butterfly"}
    )[0]
    fish = Motif.objects.get_or_create(
        slug="fish", defaults={"label_zh": "鱼", "label_en": "Fish"}
    )[0]
    split = Technique.objects.get_or_create(
        slug="split-thread", defaults={"label_zh": "破线绣", "label_en": "Split-thread"}
    )[0]
    maker = factories.person(consent="public_web", name_zh="杨阿妹", name_en="Yang Amei")
    maker.village = village
    maker.is_artisan = True
    maker.save()
    consent(maker)
    coop_person = factories.person(
        consent=None,
        kind="cooperative",
        name_zh="排莫绣娘合作社",
        name_en="Paimo Embroiderers' Cooperative",
    )
    coop_person.village = village
    coop_person.save()
    consent(coop_person)
    manager = factories.user(email="manager@example.org", is_staff=True)
    coop = Cooperative.objects.create(
        person=coop_person,
        slug=f"paimo-coop-{tag}",
        manager=manager,
        notify_email="coop@example.org",
        published=True,
    )
    profile = ArtisanProfile.objects.create(
        person=maker,
        slug=f"yang-amei-{tag}",
        cooperative=coop,
        story_zh="我从十二岁开始绣花。",
        story_en="I began to embroider at twelve.",
        notify_email="amei@example.org",
        published=True,
    )
    profile.motifs.set([butterfly])
    profile.techniques.set([split])
    profile.save()
    parent = CollectionPage.objects.get(slug="embroidery")
    pattern = EmbroideryPatternPage(
        title="蝴蝶妈妈袖片",
        title_en="Butterfly Mother sleeve",
        identifier=f"MHA-EMB-MKT-{tag}",
        slug=f"emb-mkt-{tag}",
        access_level="public",
        place=village,
        year_from=1980,
    )
    parent.add_child(instance=pattern)
    pattern.motifs.set([butterfly])
    pattern.techniques.set([split])
    pattern.save()
    products = {}
    for key, title_en, price, availability, motifs in (
        ("sleeve", "Butterfly sleeve panel", Decimal("680.00"), Availability.IN_STOCK, [butterfly]),
        ("collar", "Fish collar", None, Availability.MADE_TO_ORDER, [fish]),
    ):
        p = Product.objects.create(
            artisan=profile,
            cooperative=coop,
            slug=f"{key}-{tag}",
            title_zh=f"{title_en}（绣品）",
            title_en=title_en,
            price_cny=price,
            availability=availability,
            dimensions="30 × 20 cm",
            time_to_make="三个月",
            published=True,
        )
        p.motifs.set(motifs)
        p.techniques.set([split])
        if key == "sleeve":
            p.draws_on.set([pattern])
        p.save()
        ShopLink.objects.create(product=p, kind="taobao", url="https://shop.example.org/amei")
        products[key] = p
    return {
        "maker": maker,
        "coop": coop,
        "profile": profile,
        "pattern": pattern,
        "products": products,
        "manager": manager,
        "motifs": (butterfly, fish),
        "technique": split,
    }
