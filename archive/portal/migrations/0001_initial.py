# HomePage moves from the ``core`` app to ``portal`` without touching its rows: the table
# keeps its name (``core_homepage``, set in Meta.db_table) and the content type row is
# relabelled in place, so every page, revision and permission pointing at it still does.
# State only, plus one UPDATE: safe to run on a live database, and reversible.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def relabel_content_type(apps, schema_editor, old="core", new="portal"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    ContentType.objects.using(db).filter(app_label=old, model="homepage").update(app_label=new)
    ContentType.objects.clear_cache()


def restore_content_type(apps, schema_editor):
    relabel_content_type(apps, schema_editor, old="portal", new="core")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="HomePage",
                    fields=[
                        (
                            "page_ptr",
                            models.OneToOneField(
                                auto_created=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                parent_link=True,
                                primary_key=True,
                                serialize=False,
                                to=settings.WAGTAIL_PAGE_MODEL,
                            ),
                        ),
                        (
                            "intro_zh",
                            models.TextField(blank=True, verbose_name="introduction (Chinese)"),
                        ),
                        (
                            "intro_en",
                            models.TextField(blank=True, verbose_name="introduction (English)"),
                        ),
                    ],
                    options={"verbose_name": "home page", "db_table": "core_homepage"},
                    bases=("wagtailcore.page",),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(relabel_content_type, restore_content_type),
    ]
