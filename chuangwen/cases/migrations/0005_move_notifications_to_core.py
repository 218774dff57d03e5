from django.db import migrations

BATCH = 2000


def copy_to_core(apps, schema_editor):
    """Every case notification becomes a core one (topic "cases") leading to its case."""
    from django.urls import reverse

    Old = apps.get_model("cases", "Notification")
    New = apps.get_model("core", "Notification")
    db = schema_editor.connection.alias
    rows = (
        Old.objects.using(db)
        .order_by("id")
        .values_list("user_id", "case_id", "text", "created_at", "read_at")
    )
    batch = []
    for user_id, case_id, text, created_at, read_at in rows.iterator(chunk_size=BATCH):
        url = reverse("cases:detail", args=[case_id]) if case_id else ""
        batch.append(
            New(
                user_id=user_id,
                topic="cases",
                text=text,
                url=url,
                created_at=created_at,
                read_at=read_at,
            )
        )
        if len(batch) >= BATCH:
            New.objects.using(db).bulk_create(batch)
            batch = []
    New.objects.using(db).bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_drop_notification_unread_index"),
        ("core", "0002_notification"),
    ]

    operations = [
        migrations.RunPython(copy_to_core, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
