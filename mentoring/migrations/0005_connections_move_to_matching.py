"""Connections, connection requests and preferred mentors move to the matching app
(README, "How the apps fit together"). Their tables are renamed, rows and all; matching's
migration 0004 adds the models to its own state and moves their content types."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0004_program_administrator"),
    ]

    operations = [
        migrations.AlterModelTable(name="connection", table="matching_connection"),
        migrations.AlterModelTable(name="connectionrequest", table="matching_connectionrequest"),
        migrations.AlterModelTable(name="preferredmentor", table="matching_preferredmentor"),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Connection"),
                migrations.DeleteModel(name="ConnectionRequest"),
                migrations.DeleteModel(name="PreferredMentor"),
            ],
        ),
    ]
