"""Scheduled jobs of tasks (Celery; eager in the embedded default). Each is also a command:
``manage.py send_task_reminders`` (daily) and ``manage.py recompute_metrics`` (nightly)."""

from typing import Any

from celery import shared_task

from chuangwen.org.models import City


@shared_task(name="tasks.send_reminders")
def send_reminders(city_id: int | None = None) -> dict[str, Any]:
    from .reminders import send_task_reminders

    r = send_task_reminders(city_id)
    return {
        "tasks": r.tasks,
        "notifications": r.notifications,
        "digests": r.digests,
        "webhooks_sent": r.webhooks_sent,
        "webhooks_failed": r.webhooks_failed,
    }


@shared_task(name="tasks.recompute_metrics")
def recompute_metrics(city_id: int | None = None) -> dict[str, int]:
    from .metrics import recompute_metrics as recompute

    computed = failed = 0
    ids = [city_id] if city_id else list(City.objects.values_list("pk", flat=True))
    for cid in ids:
        r = recompute(cid)
        computed, failed = computed + r.computed, failed + r.failed
    return {"computed": computed, "failed": failed}
