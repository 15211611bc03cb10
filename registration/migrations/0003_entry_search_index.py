"""A GIN index for the screening list's full-text search, on PostgreSQL only.

Its expression is exactly the ``SearchVector`` of ``registration.selectors._search``, so the
planner uses it; SQLite has no full-text vectors and gets nothing here.
"""

from django.db import migrations

INDEX = "registration_entry_search_idx"
CREATE = f"""
CREATE INDEX IF NOT EXISTS {INDEX} ON registration_entry USING gin (
    to_tsvector('simple'::regconfig,
        COALESCE(title_en, '') || ' ' || COALESCE(title_zh, '') || ' ' || COALESCE(summary, '')
        || ' ' || COALESCE(technology, '') || ' ' || COALESCE(planned_city, ''))
)
"""


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("registration", "0002_export_job")]

    operations = [migrations.RunPython(create_index, drop_index)]
