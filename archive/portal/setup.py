"""The site tree: a home page and the founding collections, created or updated in place."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from wagtail.models import Page, Site

from archive.items import registry
from archive.items.models import CollectionPage
from archive.vocabularies.loader import DATA_DIR, DataError, read_yaml

from .models import HomePage

HOME_INTRO_ZH = (
    "这里收藏着黔东南苗族村寨的刺绣纹样、方言录音和民间音乐。每一件藏品都经过社区同意，"
    "由手艺人、歌师和讲述者亲自参与记录。"
)
HOME_INTRO_EN = (
    "Embroidery patterns, dialect recordings and folk music from the Miao villages of "
    "south-east Guizhou, recorded with the artisans, singers and speakers who keep them "
    "alive, and shared with their consent."
)


@transaction.atomic
def ensure_home() -> HomePage:
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        # Wagtail's initial migration makes a placeholder "Welcome" page; replace it.
        for placeholder in root.get_children().filter(content_type__model="page"):
            Site.objects.filter(root_page=placeholder).delete()
            placeholder.delete()
        root.refresh_from_db()
        home = root.add_child(
            instance=HomePage(
                title="苗族文化遗产档案",
                slug="home",
                intro_zh=HOME_INTRO_ZH,
                intro_en=HOME_INTRO_EN,
            )
        )
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Miao Heritage Archive",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.save()
    return home


@transaction.atomic
def load_founding_collections(data_dir: Path = DATA_DIR) -> list[CollectionPage]:
    home = ensure_home()
    out = []
    entries = read_yaml(data_dir / "founding.yaml")
    slugs = {e.get("slug") for e in entries}
    if not set(registry.SLUGS) <= slugs:
        raise DataError(f"founding.yaml must define the collections {registry.SLUGS}")
    for entry in entries:
        founding = registry.by_slug(entry["slug"])
        if founding and entry.get("item_type", founding.item_type) != founding.item_type:
            raise DataError(
                f"founding.yaml: collection {founding.slug} holds {founding.item_type} items, "
                f"not {entry['item_type']}"
            )
    for entry in entries:
        page = CollectionPage.objects.child_of(home).filter(slug=entry["slug"]).first()
        values = {
            "title": entry["title_zh"],
            "title_en": entry.get("title_en", ""),
            "title_hmn": entry.get("title_hmn", ""),
            "intro_zh": entry.get("intro_zh", ""),
            "intro_en": entry.get("intro_en", ""),
        }
        if page is None:
            page = home.add_child(instance=CollectionPage(slug=entry["slug"], **values))
        else:
            for k, v in values.items():
                setattr(page, k, v)
        page.save_revision().publish()
        out.append(page)
    return out
