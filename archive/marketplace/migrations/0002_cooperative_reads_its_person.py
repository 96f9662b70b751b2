"""A cooperative reads its names and village from its person record (they were copies
that could drift). Before the copies go, a blank field of the person is filled from the
cooperative's copy, so nothing is lost; where both hold a value and they differ, the
person's is kept (it is what consent and the archive's items already name) and the
admin edits the person. Reversing copies the person's values back."""

import django.db.models.deletion
from django.db import migrations, models

FIELDS = ("name_zh", "name_en", "name_hmn")


def keep_on_person(apps, schema_editor):
    Cooperative = apps.get_model("marketplace", "Cooperative")
    for coop in Cooperative.objects.select_related("person"):
        person, changed = coop.person, []
        for field in FIELDS:
            if not getattr(person, field) and getattr(coop, field):
                setattr(person, field, getattr(coop, field))
                changed.append(field)
        if person.village_id is None and coop.village_id is not None:
            person.village_id = coop.village_id
            changed.append("village")
        if changed:
            person.save(update_fields=changed)


def copy_back(apps, schema_editor):
    Cooperative = apps.get_model("marketplace", "Cooperative")
    for coop in Cooperative.objects.select_related("person"):
        for field in FIELDS:
            setattr(coop, field, getattr(coop.person, field))
        coop.village_id = coop.person.village_id
        coop.save(update_fields=[*FIELDS, "village"])


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0001_initial"),
        ("people", "0003_consent_person_label"),
    ]

    operations = [
        migrations.RunPython(keep_on_person, copy_back),
        migrations.AlterModelOptions(
            name="cooperative",
            options={
                "ordering": ["person__name_zh"],
                "verbose_name": "cooperative",
                "verbose_name_plural": "cooperatives",
            },
        ),
        migrations.RemoveField(
            model_name="cooperative",
            name="name_en",
        ),
        migrations.RemoveField(
            model_name="cooperative",
            name="name_hmn",
        ),
        migrations.RemoveField(
            model_name="cooperative",
            name="name_zh",
        ),
        migrations.RemoveField(
            model_name="cooperative",
            name="village",
        ),
        migrations.AlterField(
            model_name="cooperative",
            name="person",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cooperative",
                to="people.person",
                verbose_name="person record (names, village, consent)",
            ),
        ),
    ]
