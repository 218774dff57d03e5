"""Scheduled jobs of tasks (Celery; eager in the embedded default). Each is also a command:
``manage.py send_task_reminders`` (daily) and ``manage.py recompute_metrics`` (nightly).
And the handlers of the background jobs users submit (``core.jobs``), registered in
``TasksConfig.ready``: ``tasks.generate_pledges``."""

from typing import Any

from celery import shared_task
from django.urls import reverse
from django.utils.translation import gettext as _

from chuangwen.core.errors import InvalidInput, PermissionDenied
from chuangwen.core.jobs import Progress
from chuangwen.core.models import Job
from chuangwen.org.models import City

from .booklets import generate_pledges


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


def generate_pledges_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Handler of ``tasks.generate_pledges`` jobs (params ``{year, kind}``): every unit's
    pledge, generated as the submitting user, whose office role is checked again here."""
    if job.created_by is None:  # never run as the system: the submitter is checked again
        raise PermissionDenied(_("生成责任书需要提交人"))
    try:
        year = int(job.params["year"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(_("年度无效"), code="bad_year") from exc
    made = generate_pledges(
        job.city,
        year,
        kind=str(job.params.get("kind", "pledge")),
        acting_user=job.created_by,
        progress=progress,
    )
    return {
        "message": f"已生成 {year} 年度责任书 {len(made)} 份",
        "url": f"{reverse('tasks:pledges')}?year={year}",
    }
