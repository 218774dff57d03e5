"""Background work of accountability and bulletins (``core.jobs``: rows users can see).

- ``assessment.draft_bulletin``: draft one bulletin (params ``kind``, ``start``, ``end``),
  submitted by the office from the bulletin list or by the schedule;
- ``submit_scheduled_drafts``: what the schedule (celery beat ``assessment.draft_bulletins``,
  daily; also ``manage.py draft_bulletins``) submits: the weekly bulletin of the last whole
  week and the monthly one of the last whole month, each once;
- ``assessment.propose_accountability`` (celery beat, daily; also
  ``manage.py propose_accountability``): the registered accountability rules of every city.
"""

from datetime import date
from typing import Any

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core.errors import InvalidInput
from chuangwen.core.jobs import Progress, submit_job
from chuangwen.core.models import Job
from chuangwen.org.actors import SystemActor, require_office
from chuangwen.org.models import City

from . import periods, services
from .choices import BulletinKind
from .models import Bulletin

DRAFT_JOB = "assessment.draft_bulletin"
SCHEDULE = SystemActor("draft_bulletins")
RULES = SystemActor("propose_accountability")


def submit_draft(
    city: City, *, kind: str, start: date, end: date, auto: bool = False, acting_user: Any
) -> Job:
    """Queue the drafting of a bulletin (checked now, and again when it runs)."""
    require_office(acting_user, city.pk, _("只有创建办可以起草通报"))
    services.bulletin_context(city, kind, start, end)  # refuse a bad period now, not in the job
    label = BulletinKind(kind).label
    return submit_job(
        city,
        DRAFT_JOB,
        title=f"起草{label}（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）",
        params={"kind": kind, "start": start.isoformat(), "end": end.isoformat(), "auto": auto},
        acting_user=acting_user,
    )


def draft_bulletin_job(job: Job, progress: Progress) -> dict[str, Any]:
    """Handler of ``assessment.draft_bulletin``: as the submitting user (the office role is
    checked again), or as the schedule when the system submitted it."""
    try:
        kind = str(job.params["kind"])
        start = date.fromisoformat(str(job.params["start"]))
        end = date.fromisoformat(str(job.params["end"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(_("起草参数无效"), code="bad_params") from exc
    progress(0, 1)
    bulletin = services.draft_bulletin(
        job.city,
        kind=kind,
        start=start,
        end=end,
        auto=bool(job.params.get("auto")),
        acting_user=job.created_by or SCHEDULE,
    )
    progress(1, 1)
    return {
        "message": f"已起草：{bulletin.title}",
        "url": reverse("assessment:bulletin", args=[bulletin.pk]),
    }


def submit_scheduled_drafts(city: City, today: date | None = None) -> list[Job]:
    """The weekly and monthly drafts due on ``today`` not made yet (by the schedule or by
    hand): the last whole week's and the last whole month's."""
    today = today or timezone.localdate()
    jobs = []
    for kind in (BulletinKind.WEEKLY, BulletinKind.MONTHLY):
        start, end = periods.last_complete_period(kind, today)
        if Bulletin.objects.filter(
            city=city, kind=kind, period_start=start, period_end=end
        ).exists():
            continue
        jobs.append(
            submit_draft(city, kind=kind, start=start, end=end, auto=True, acting_user=SCHEDULE)
        )
    return jobs


@shared_task(name="assessment.draft_bulletins")
def draft_bulletins(city_id: int | None = None) -> dict[str, int]:
    cities = City.objects.filter(pk=city_id) if city_id else City.objects.all()
    return {"jobs": sum(len(submit_scheduled_drafts(c)) for c in cities)}


@shared_task(name="assessment.propose_accountability")
def propose_accountability(city_id: int | None = None) -> dict[str, int]:
    cities = City.objects.filter(pk=city_id) if city_id else City.objects.all()
    made = sum(len(services.run_accountability_rules(c, acting_user=RULES)) for c in cities)
    return {"proposed": made}
