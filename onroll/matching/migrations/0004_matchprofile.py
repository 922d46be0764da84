"""One row of matching facts per child, kept in step by database triggers (decision 0012)."""

from django.db import migrations, models

from onroll.matching import stored_profiles


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in stored_profiles.install_sql(vendor) + stored_profiles.rebuild_sql(vendor):
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor):
    for statement in stored_profiles.uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0004_date_of_birth_covering_index"),
        ("matching", "0003_more_doors"),
    ]

    operations = [
        migrations.CreateModel(
            name="MatchProfile",
            fields=[
                ("child_id", models.UUIDField(primary_key=True, serialize=False)),
                ("facts", models.TextField()),
            ],
            options={"db_table": "matching_profile"},
        ),
        migrations.RunPython(install, uninstall),
    ]
