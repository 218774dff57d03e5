"""Scheduled jobs of the volunteers app (Celery beat; eager in the embedded default), each also
the command ``manage.py moral_bank_daily``: the moral bank's daily run."""

from typing import Any

from celery import shared_task

from chuangwen.org.actors import SystemActor
from chuangwen.org.models import City


def moral_bank_daily_for(city: City) -> dict[str, int]:
    """For one city: credit good deeds whose 公示 ended without an open objection, credit the
    reporters of verified 随手拍 reports, and propose revoking titles of holders with a serious
    case (media exposure, evaluation feedback). Each step is idempotent."""
    from .moral import services

    actor = SystemActor("moral.daily")
    return {
        "deeds": services.credit_due_deeds(city.pk),
        "reports": services.credit_citizen_reports(city, acting_user=actor),
        "revocations_proposed": services.scan_serious_cases(city, acting_user=actor),
    }


@shared_task(name="volunteers.moral_bank_daily")
def moral_bank_daily(city_id: int | None = None) -> dict[str, Any]:
    totals = {"deeds": 0, "reports": 0, "revocations_proposed": 0}
    cities = City.objects.filter(pk=city_id) if city_id else City.objects.all()
    for city in cities:
        for key, n in moral_bank_daily_for(city).items():
            totals[key] += n
    return totals
