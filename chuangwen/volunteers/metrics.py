"""The quantities volunteer service offers to quantified targets (量化指标), registered into
``chuangwen.tasks.metrics`` from ``VolunteersConfig.ready``::

    volunteers.registered()                active registered volunteers
    volunteers.share()                     registered volunteers / resident population × 100 (%)
    volunteers.hours(days=N)               confirmed service hours (written in the last N days)
    volunteers.hours_per_volunteer(days=N) those hours / registered volunteers

The resident population is the office's figure on the volunteer settings page.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangwen.tasks.formula import FormulaError, Quantity
from chuangwen.tasks.metrics import MetricContext

from . import selectors
from .services import settings_for

# ==== volunteers ==============================================================================


def _since(days: object) -> dt.datetime | None:
    if days in (None, ""):
        return None
    try:
        n = int(str(days))
    except ValueError:
        raise FormulaError(_("days 须为正整数")) from None
    if not 1 <= n <= 36500:
        raise FormulaError(_("days 须在 1 到 36500 之间"))
    return timezone.now() - dt.timedelta(days=n)


def registered(ctx: MetricContext) -> Decimal:
    return Decimal(selectors.registered_count(ctx.city_id))


def share(ctx: MetricContext) -> Decimal:
    population = settings_for(ctx.city_id).resident_population
    if not population:
        raise FormulaError(_("未设置常住人口：请在「志愿服务设置」中填写"))
    return Decimal(selectors.registered_count(ctx.city_id)) * 100 / Decimal(population)


def hours(ctx: MetricContext, days: object = None) -> Decimal:
    return Decimal(selectors.confirmed_minutes(ctx.city_id, since=_since(days))) / 60


def hours_per_volunteer(ctx: MetricContext, days: object = None) -> Decimal:
    n = selectors.registered_count(ctx.city_id)
    if not n:
        return Decimal(0)
    return hours(ctx, days) / n


QUANTITIES = {
    "registered": Quantity(
        registered, 0, 0, doc="volunteers.registered()", label=gettext_lazy("在册志愿者人数")
    ),
    "share": Quantity(
        share, 0, 0, doc="volunteers.share()", label=gettext_lazy("注册志愿者占常住人口的比例（%）")
    ),
    "hours": Quantity(
        hours,
        0,
        1,
        frozenset({"days"}),
        doc="volunteers.hours(days=365)",
        label=gettext_lazy("已确认的志愿服务时长（小时，可限最近天数）"),
    ),
    "hours_per_volunteer": Quantity(
        hours_per_volunteer,
        0,
        1,
        frozenset({"days"}),
        doc="volunteers.hours_per_volunteer()",
        label=gettext_lazy("人均志愿服务时长（小时）"),
    ),
}
