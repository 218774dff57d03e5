"""Working days on the Chinese calendar, 调休 included, with the office's overrides.

The national calendar comes from the maintained ``chinesecalendar`` package (``import
chinese_calendar``). For a year the package does not know yet (it raises NotImplementedError,
e.g. before the State Council publishes next year's holidays), the plain Monday–Friday rule is
used and the office's ``CalendarOverride`` rows are the way to enter the holidays by hand.
Overrides always win.

Working hours (deadlines given in 工作时) run 09:00–12:00 and 13:00–18:00 local time on
working days (8 hours a day).
"""

from datetime import date, datetime, time, timedelta

import chinese_calendar
from django.utils import timezone

WORK_PERIODS = ((time(9, 0), time(12, 0)), (time(13, 0), time(18, 0)))
HOURS_PER_DAY = 8


class WorkCalendar:
    """Answers ``is_workday`` for one city; build one per request/batch (it caches)."""

    def __init__(self, overrides: dict[date, bool] | None = None):
        self.overrides = dict(overrides or {})
        self._cache: dict[date, bool] = {}
        self.fallback_years: set[int] = set()

    @classmethod
    def for_city(cls, city_id: int) -> "WorkCalendar":
        from .models import CalendarOverride

        rows = CalendarOverride.objects.filter(city_id=city_id).values_list("date", "is_workday")
        return cls(dict(rows))

    def is_workday(self, day: date) -> bool:
        cached = self._cache.get(day)
        if cached is not None:
            return cached
        if day in self.overrides:
            value = self.overrides[day]
        else:
            try:
                value = bool(chinese_calendar.is_workday(day))
            except NotImplementedError:
                self.fallback_years.add(day.year)
                value = day.weekday() < 5
        self._cache[day] = value
        return value

    def add_days(self, start: datetime, days: int, working: bool = True) -> datetime:
        """``days`` (working or calendar) days after ``start``, at the same clock time: the
        deadline of a matter reported on a Friday with 1 working day is the next working day."""
        if not working:
            return start + timedelta(days=days)
        local = timezone.localtime(start)
        day = local.date()
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return local.replace(year=day.year, month=day.month, day=day.day)

    def add_hours(self, start: datetime, hours: float, working: bool = True) -> datetime:
        """``hours`` after ``start``; working hours count only inside WORK_PERIODS on working
        days (a case dispatched at 17:00 with 2 working hours is due at 10:00 next workday)."""
        if not working:
            return start + timedelta(hours=hours)
        local = timezone.localtime(start)
        tz = local.tzinfo
        left = timedelta(hours=hours)
        cursor = local
        for _ in range(3660):  # at most ten years of days
            day = cursor.date()
            if self.is_workday(day):
                for begin, end in WORK_PERIODS:
                    p_start = datetime.combine(day, begin, tzinfo=tz)
                    p_end = datetime.combine(day, end, tzinfo=tz)
                    if cursor >= p_end:
                        continue
                    s = max(cursor, p_start)
                    room = p_end - s
                    if left <= room:
                        return s + left
                    left -= room
                    cursor = p_end
            cursor = datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)
        raise ValueError("deadline too far away")

    def deadline(self, start: datetime, value: int, unit: str, working: bool) -> datetime:
        if unit == "hours":
            return self.add_hours(start, value, working)
        return self.add_days(start, value, working)

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        n, day = 0, start
        while day < end:
            day += timedelta(days=1)
            n += self.is_workday(day)
        return n
