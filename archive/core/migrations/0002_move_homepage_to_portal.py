# HomePage now belongs to the ``portal`` app (see portal.0001): forget it here without
# dropping its table, which portal keeps using under the same name.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="HomePage")],
            database_operations=[],
        ),
    ]
