"""Indexes for an item page's related items: the newest items of a village, of a person
and of a motif (``ItemPage.related_filters``), so the lookup reads a bounded number of index
entries whatever the size of the corpus. The motif one is on the table Django makes for
``EmbroideryPatternPage.motifs`` (no model to declare it on), hence SQL."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0003_initial"),
        ("people", "0003_consent_person_label"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("vocabularies", "0001_initial"),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="itempage",
            index=models.Index(fields=["place", "-page_ptr"], name="items_place_newest_idx"),
        ),
        migrations.AddIndex(
            model_name="itemperson",
            index=models.Index(fields=["person", "-item"], name="items_person_newest_idx"),
        ),
        migrations.RunSQL(
            "CREATE INDEX items_motif_newest_idx ON items_embroiderypatternpage_motifs "
            "(motif_id, embroiderypatternpage_id DESC)",
            reverse_sql="DROP INDEX items_motif_newest_idx",
        ),
    ]
