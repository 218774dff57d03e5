"""Calendar periods of the reports units owe and of the bulletins: months, quarters, weeks,
and when a report of a period is due (a day of the month after the period ends)."""

import calendar
from collections.abc import Iterator
from datetime import date, timedelta

from .choices import BulletinKind, ReportPeriod

MAX_DUE_DAY = 28  # every month has it


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _next_month(d: date) -> date:
    return date(d.year + (d.month == 12), d.month % 12 + 1, 1)


def period_of(period: str, day: date) -> tuple[date, date]:
    """The month or quarter containing ``day``: (first day, last day)."""
    if period == ReportPeriod.QUARTERLY:
        first = 3 * ((day.month - 1) // 3) + 1
        return date(day.year, first, 1), _month_end(day.year, first + 2)
    return date(day.year, day.month, 1), _month_end(day.year, day.month)


def due_date(end: date, due_day: int) -> date:
    """Due on ``due_day`` of the month after the period ends."""
    return _next_month(end).replace(day=max(1, min(int(due_day), MAX_DUE_DAY)))


def previous_period(period: str, day: date) -> tuple[date, date]:
    """The last period that ended before the one containing ``day``."""
    start, _end = period_of(period, day)
    return period_of(period, start - timedelta(days=1))


def periods_due_between(
    period: str, due_day: int, start: date, end: date
) -> Iterator[tuple[date, date, date]]:
    """(period start, period end, due date) of every period due within [start, end]."""
    # the period due in start's month ended the month before; walk forward from there
    p_start, p_end = period_of(period, start.replace(day=1) - timedelta(days=1))
    p_start, p_end = previous_period(period, p_start)
    while True:
        due = due_date(p_end, due_day)
        if due > end:
            return
        if due >= start:
            yield p_start, p_end, due
        p_start, p_end = period_of(period, p_end + timedelta(days=1))


def period_label(period: str, start: date) -> str:
    if period == ReportPeriod.QUARTERLY:
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    return f"{start.year}年{start.month}月"


def last_complete_period(kind: str, today: date) -> tuple[date, date]:
    """The bulletin period drafted on ``today``: the last whole week (Monday to Sunday) or
    the last whole month before it."""
    if kind == BulletinKind.WEEKLY:
        monday = today - timedelta(days=today.weekday())
        return monday - timedelta(days=7), monday - timedelta(days=1)
    first = today.replace(day=1)
    last = first - timedelta(days=1)
    return last.replace(day=1), last


def bulletin_title(kind: str, start: date, end: date, city_name: str) -> str:
    if kind == BulletinKind.WEEKLY:
        week = start.isocalendar()[1]
        return f"{city_name}创建全国文明城市工作周通报（{start.year}年第{week}周）"
    if kind == BulletinKind.MONTHLY:
        return f"{city_name}创建全国文明城市工作月通报（{start.year}年{start.month}月）"
    return f"{city_name}创建全国文明城市工作专项通报"
