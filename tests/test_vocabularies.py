"""Controlled vocabularies: loaded from collections/ idempotently, bad terms refused."""

import pytest
from django.core.exceptions import ValidationError

from archive.vocabularies.loader import DataError, load_all_vocabularies, load_vocabulary
from archive.vocabularies.models import VOCABULARIES, Motif, Place

pytestmark = pytest.mark.django_db


def _counts():
    return {name: model.objects.count() for name, model in VOCABULARIES.items()}


def test_loading_the_vocabularies_twice_duplicates_nothing():
    load_all_vocabularies()
    first = _counts()
    assert first["motifs"] >= 10 and first["places"] >= 10
    report = load_all_vocabularies()
    assert _counts() == first
    assert all(created == 0 for created, _ in report.values())


def test_every_loaded_term_has_a_chinese_label_and_butterfly_has_three_languages():
    load_all_vocabularies()
    for model in VOCABULARIES.values():
        assert not model.objects.filter(label_zh="").exists()
    butterfly = Motif.objects.get(slug="butterfly")
    assert butterfly.label_zh == "蝴蝶"
    assert butterfly.label_en.lower().startswith("butterfly")
    assert butterfly.label_hmn


def test_villages_have_coordinates_and_sit_in_a_county():
    load_all_vocabularies()
    villages = Place.objects.filter(kind="village")
    assert villages.count() >= 10
    for village in villages:
        assert village.latitude is not None and village.longitude is not None
        assert village.county is not None, village.slug


def test_a_term_without_a_chinese_label_is_refused_with_reason():
    with pytest.raises(DataError, match="Chinese label"):
        load_vocabulary("motifs", [{"slug": "nameless", "en": "Nameless"}])
    assert not Motif.objects.filter(slug="nameless").exists()
    term = Motif(slug="nameless", label_en="Nameless")
    with pytest.raises(ValidationError) as exc:
        term.full_clean()
    assert "label_zh" in exc.value.message_dict


def test_a_duplicate_slug_is_refused():
    Motif.objects.create(slug="fish", label_zh="鱼")
    with pytest.raises(ValidationError) as exc:
        Motif(slug="fish", label_zh="另一条鱼").full_clean()
    assert "slug" in exc.value.message_dict


@pytest.mark.parametrize(("lat", "lon", "field"), [(91, 108, "latitude"), (26, -181, "longitude")])
def test_coordinates_out_of_range_are_refused(lat, lon, field):
    place = Place(slug="nowhere", label_zh="无处", latitude=lat, longitude=lon)
    with pytest.raises(ValidationError) as exc:
        place.full_clean()
    assert field in exc.value.message_dict


def test_a_bad_file_loads_nothing_half_way():
    entries = [{"slug": "ok-term", "zh": "好"}, {"slug": "bad", "en": "no chinese"}]
    with pytest.raises(DataError):
        load_vocabulary("motifs", entries)
    assert not Motif.objects.filter(slug="ok-term").exists()


def test_a_broader_cycle_is_refused():
    a = Motif.objects.create(slug="a", label_zh="甲")
    b = Motif.objects.create(slug="b", label_zh="乙", broader=a)
    a.broader = b
    with pytest.raises(ValidationError):
        a.full_clean()
