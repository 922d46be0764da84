"""Statement-level triggers on the marks table that log each changed school-day (PostgreSQL only).

A statement-level trigger with a transition table runs once per INSERT/UPDATE/DELETE statement, however many
rows it touches, so a COPY of 400,000 marks writes a few hundred RegisterChange rows, not 400,000. SQLite
has no statement-level triggers; there the register is always read whole (matrix.py)."""

from django.db import migrations

EVENTS = {"insert": ("INSERT", "NEW"), "update": ("UPDATE", "NEW"), "delete": ("DELETE", "OLD")}

FUNCTION = """
CREATE FUNCTION attendance_log_register_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO attendance_registerchange (school_id, date, changed_at)
    SELECT DISTINCT school_id, date, now() FROM changed_rows;
    RETURN NULL;
END $$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for name, (event, which) in EVENTS.items():
        schema_editor.execute(
            f"CREATE TRIGGER attendance_mark_{name}_logs_change AFTER {event} ON attendance_attendancemark "
            f"REFERENCING {which} TABLE AS changed_rows FOR EACH STATEMENT "
            "EXECUTE FUNCTION attendance_log_register_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in EVENTS:
        schema_editor.execute(f"DROP TRIGGER attendance_mark_{name}_logs_change ON attendance_attendancemark")
    schema_editor.execute("DROP FUNCTION attendance_log_register_change()")


class Migration(migrations.Migration):
    dependencies = [("attendance", "0005_register_snapshots")]
    operations = [migrations.RunPython(forwards, backwards)]
