"""On PostgreSQL: no two scheduled meetings of one mentor overlap (exclusion constraint).

Kept out of the models' state on purpose: SQLite cannot express it, and there the
services' check under the mentor-membership lock is the rule. BtreeGistExtension does
nothing on other databases; the constraint is added only on PostgreSQL.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "flash_meeting_mentor_no_overlap"
TABLE = "flash_meetings_flashmeeting"


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(mentor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        "WHERE (status = 'scheduled')"
    )


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("flash_meetings", "0001_initial")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(add_exclusion, drop_exclusion, elidable=False),
    ]
