"""Give the tables, content types and queued tasks of the first wave's ``media_pipeline`` app
the ``assets`` names. Renaming keeps every row; on a new database 0001 made the old names
and this renames them at once."""

from django.db import migrations

MODELS = ("original", "mediaasset", "derivative")
OLD_TASK = "media_pipeline.tasks.process_asset"
NEW_TASK = "archive.assets.tasks.process_asset"


def rename_labels(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MODELS:
        # Permissions, revisions and search entries point at the content type by id.
        ContentType.objects.using(db).filter(app_label="media_pipeline", model=model).update(
            app_label="assets"
        )
    try:
        TaskResult = apps.get_model("django_tasks_db", "DBTaskResult")
    except LookupError:  # tasks run on Redis, or the database queue is not installed
        return
    TaskResult.objects.using(db).filter(task_path=OLD_TASK).update(task_path=NEW_TASK)


class Migration(migrations.Migration):
    dependencies = [
        ("assets", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="original", table=None),
        migrations.AlterModelTable(name="mediaasset", table=None),
        migrations.AlterModelTable(name="derivative", table=None),
        migrations.RunPython(rename_labels, migrations.RunPython.noop),
    ]
