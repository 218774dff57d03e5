from django.db import migrations


class Migration(migrations.Migration):
    """The old cases.Notification index gives its name ``notification_unread`` up to the one
    in-app Notification of core (index names are unique per database), so it goes first."""

    dependencies = [
        ("cases", "0003_unit_inbox_index"),
    ]
    run_before = [
        ("core", "0002_notification"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="notification", name="notification_unread"),
    ]
