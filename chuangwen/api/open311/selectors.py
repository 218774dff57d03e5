"""Reads of the Open311 endpoint: the jurisdiction, services, requests and their updates.

A service request is a case (``service_request_id`` = the 案件编号 every screen shows); its
``status`` is ``open`` while the case is in the loop and ``closed`` once it is closed, rated or
rejected. Requests are public in GeoReport v2, so nothing about the reporter is shown and mobile
numbers typed into a description are masked.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from chuangwen.api.models import Open311Submission, ServiceAttribute
from chuangwen.cases.choices import (
    FINISHED,
    OPEN,
    PUBLIC_STATE,
    Action,
    Family,
    Resolution,
    State,
)
from chuangwen.cases.models import Case, CaseEvent, Category, Report
from chuangwen.cases.selectors import categories_for_city
from chuangwen.cases.workdays import WorkCalendar
from chuangwen.core.text import mask_phone
from chuangwen.org.models import City

from .serializers import iso
from .services import Open311Error

MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
STATUSES = {"open": OPEN, "closed": FINISHED}
# the events a reporter sees on the public tracking page, and whose note is public
PUBLIC_ACTIONS = {
    Action.INTAKE,
    Action.REGISTER,
    Action.REJECT,
    Action.DISPATCH,
    Action.HANDLE,
    Action.VERIFY,
    Action.REWORK,
    Action.CLOSE,
    Action.RATE,
}
PUBLIC_NOTES = {Action.REJECT, Action.CLOSE}
_MOBILE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86)?1\d{10}(?!\d)")
_NUMBER = re.compile(r"^(\d{8})(\d{7,})$")


def public_text(text: str) -> str:
    return _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), text or "")


def public_state(state: str) -> str:
    """The wording of the citizens' tracking page."""
    label = PUBLIC_STATE.get(State(state)) if state in State.values else None
    return str(label) if label is not None else ""


def status_of(state: str) -> str:
    return "closed" if state in FINISHED else "open"


# --- jurisdiction ---------------------------------------------------------------------------


def jurisdiction(jurisdiction_id: str, client_city: City | None = None) -> City:
    """The city a request is about: ``jurisdiction_id`` (a city code), else the key's city,
    else the only (or first) city. An unknown jurisdiction answers 404."""
    jurisdiction_id = (jurisdiction_id or "").strip()
    if jurisdiction_id:
        if client_city is not None and client_city.code == jurisdiction_id:
            return client_city
        city = City.objects.filter(code=jurisdiction_id).first()
        if city is None:
            raise Open311Error(404, f"jurisdiction_id「{jurisdiction_id}」不存在")
        if client_city is not None:
            raise Open311Error(403, "该 api_key 不属于此 jurisdiction_id")
        return city
    if client_city is not None:
        return client_city
    city = City.objects.order_by("pk").first()
    if city is None:
        raise Open311Error(404, "尚未设置城市")
    return city


# --- services -------------------------------------------------------------------------------


def _with_attributes(city: City) -> set[int]:
    return set(
        ServiceAttribute.objects.filter(category__city=city, active=True)
        .values_list("category_id", flat=True)
        .distinct()
    )


def service_rows(city: City) -> list[dict[str, Any]]:
    """GET services: one service per active category (小类), grouped by 大类."""
    with_attrs = _with_attributes(city)
    rows = []
    for cat in categories_for_city(city.pk):
        family = Family(cat.family).label
        rows.append(
            {
                "service_code": cat.code,
                "service_name": cat.name,
                "description": (
                    f"{family}·{cat.major_name}·{cat.name}，处置时限 {cat.deadline_label}"
                ),
                "metadata": cat.pk in with_attrs,
                "type": "realtime",
                "keywords": ",".join([str(family), cat.major_name, cat.name]),
                "group": cat.major_name,
            }
        )
    return rows


def service_definition(city: City, service_code: str) -> dict[str, Any]:
    cat = Category.objects.filter(city=city, code=service_code, active=True).first()
    if cat is None:
        raise Open311Error(404, f"service_code「{service_code}」不存在")
    attrs = ServiceAttribute.objects.filter(category=cat, active=True).order_by("order", "id")
    return {
        "service_code": cat.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description or None,
                "order": a.order,
                "description": a.description,
                **({"values": list(a.values)} if a.values else {}),
            }
            for a in attrs
        ],
    }


# --- requests -------------------------------------------------------------------------------


def parse_when(value: str, name: str, *, end: bool = False) -> datetime | None:
    value = (value or "").strip()
    if not value:
        return None
    when = parse_datetime(value.replace(" ", "+", 1) if "T" in value else value)
    if when is None:
        day = parse_date(value)
        if day is None:
            raise Open311Error(
                400, f"{name} 必须是 ISO 8601 日期时间，如 2026-11-25T09:30:00+08:00"
            )
        when = datetime.combine(day, datetime.min.time())
        if end:
            when += timedelta(days=1) - timedelta(microseconds=1)
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    return when


def window(start_date: str, end_date: str) -> tuple[datetime, datetime]:
    """The requested_datetime range: given, or 90 days up to now (or from/to the one given).
    A range may not span more than 90 days."""
    start = parse_when(start_date, "start_date")
    end = parse_when(end_date, "end_date", end=True)
    if start is None:
        end = end or timezone.now()
        start = end - DEFAULT_WINDOW
    elif end is None:
        end = start + DEFAULT_WINDOW
    if end < start:
        raise Open311Error(400, "end_date 不能早于 start_date")
    if end - start > DEFAULT_WINDOW + timedelta(days=1):
        raise Open311Error(400, "start_date 与 end_date 之间不能超过 90 天")
    return start, end


def split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def case_ids(numbers: list[str]) -> dict[int, str]:
    """service_request_id (案件编号: yyyymmdd + id) → case id, for the well-formed ones."""
    out = {}
    for number in numbers:
        m = _NUMBER.match(number)
        if m is not None:
            out[int(m.group(2))] = number
    return out


def _cases(city: City) -> QuerySet[Case]:
    return Case.objects.filter(city=city).select_related("category", "unit")


def find_requests(city: City, params: Any) -> list[Case]:
    """GET requests: by service_request_id (the other filters are then ignored), or by
    service_code, status and the requested_datetime window; newest first, at most 1000."""
    ids = split(params.get("service_request_id", ""))
    if ids:
        wanted = case_ids(ids)
        found = _cases(city).filter(pk__in=list(wanted))
        by_number = {c.number: c for c in found if wanted.get(c.pk) == c.number}
        return [by_number[n] for n in ids if n in by_number][:MAX_RESULTS]
    qs = _cases(city)
    codes = split(params.get("service_code", ""))
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = [s.lower() for s in split(params.get("status", ""))]
    if statuses:
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise Open311Error(400, f"status 只能是 open 或 closed，收到「{'、'.join(bad)}」")
        states: set[str] = set()
        for s in statuses:
            states |= STATUSES[s]
        qs = qs.filter(state__in=states)
    start, end = window(params.get("start_date", ""), params.get("end_date", ""))
    qs = qs.filter(reported_at__gte=start, reported_at__lte=end)
    return list(qs.order_by("-reported_at", "-id")[:MAX_RESULTS])


def get_request(city: City, number: str) -> Case:
    wanted = case_ids([number])
    case = _cases(city).filter(pk__in=list(wanted)).first()
    if case is None or case.number != number:
        raise Open311Error(404, f"service_request_id「{number}」不存在")
    return case


@dataclass
class _Extras:
    media: dict[int, str]
    address_ids: dict[int, str]


def _extras(cases: list[Case]) -> _Extras:
    """The media_url and address_id of the Open311 submissions of these cases (one query)."""
    media: dict[int, str] = {}
    address_ids: dict[int, str] = {}
    if cases:
        rows = (
            Open311Submission.objects.filter(report__case_id__in=[c.pk for c in cases])
            .order_by("id")
            .values_list("report__case_id", "media_url", "address_id")
        )
        for case_id, url, address_id in rows:
            if url:
                media.setdefault(case_id, url)
            if address_id:
                address_ids.setdefault(case_id, address_id)
    return _Extras(media, address_ids)


def expected(case: Case, calendars: dict[int, WorkCalendar]) -> datetime | None:
    """The deadline the case was dispatched with; before dispatch, the category's time limit
    counted from the report (on the city's working-day calendar)."""
    if case.deadline is not None:
        return case.deadline
    cat = case.category
    if cat is None or case.state not in OPEN:
        return None
    cal = calendars.get(case.city_id)
    if cal is None:
        cal = calendars[case.city_id] = WorkCalendar.for_city(case.city_id)
    return cal.deadline(
        case.reported_at, cat.deadline_value, cat.deadline_unit, cat.deadline_working
    )


def status_notes(case: Case) -> str:
    text = public_state(case.state)
    if case.resolution:
        text += f"（{Resolution(case.resolution).label}）"
    return text


def request_rows(cases: list[Case]) -> list[dict[str, Any]]:
    extras = _extras(cases)
    calendars: dict[int, WorkCalendar] = {}
    rows = []
    for case in cases:
        cat = case.category
        rows.append(
            {
                "service_request_id": case.number,
                "status": status_of(case.state),
                "status_notes": status_notes(case),
                "service_name": cat.name if cat else None,
                "service_code": cat.code if cat else None,
                "description": public_text(case.description),
                "agency_responsible": (
                    case.unit.name if case.unit is not None and case.dispatched_at else None
                ),
                "service_notice": None,
                "requested_datetime": iso(case.reported_at),
                "updated_datetime": iso(case.updated_at),
                "expected_datetime": iso(expected(case, calendars)),
                "address": case.address or None,
                "address_id": extras.address_ids.get(case.pk),
                "zipcode": None,
                "lat": case.lat,
                "long": case.lon,
                "media_url": extras.media.get(case.pk),
            }
        )
    return rows


def token_row(city: City, token: str) -> dict[str, Any]:
    token = (token or "").strip().upper()
    report = (
        Report.objects.select_related("case").filter(city=city, tracking_code=token).first()
        if token and len(token) <= 12
        else None
    )
    if report is None:
        raise Open311Error(404, f"token「{token}」不存在")
    return {"service_request_id": report.case.number, "token": report.tracking_code}


# --- servicerequestupdates (extension) ------------------------------------------------------


def update_rows(city: City, params: Any) -> list[dict[str, Any]]:
    """Every public step of the cases in the window (by the time of the step; 90 days up to
    now by default), or of the ``service_request_id`` list: update_id, service_request_id,
    status after the step, updated_datetime, description, media_url. Oldest first, at most
    1000."""
    qs = CaseEvent.objects.filter(case__city=city, action__in=PUBLIC_ACTIONS)
    ids = split(params.get("service_request_id", ""))
    if ids:  # the history of these requests: all of it unless a window is asked for
        qs = qs.filter(case_id__in=list(case_ids(ids)))
    if not ids or params.get("start_date") or params.get("end_date"):
        start, end = window(params.get("start_date", ""), params.get("end_date", ""))
        qs = qs.filter(at__gte=start, at__lte=end)
    events = list(
        qs.select_related("case")
        .order_by("at", "id")
        .only(
            "id",
            "at",
            "action",
            "from_state",
            "to_state",
            "note",
            "data",
            "case__id",
            "case__reported_at",
        )[:MAX_RESULTS]
    )
    if ids:
        events = [e for e in events if e.case.number in ids]
    report_ids = [e.data.get("report") for e in events if e.action == Action.INTAKE]
    media = dict(
        Open311Submission.objects.filter(report_id__in=[r for r in report_ids if r])
        .exclude(media_url="")
        .values_list("report_id", "media_url")
    )
    rows = []
    for e in events:
        state = e.to_state or e.from_state
        text = f"{Action(e.action).label}：{public_state(state)}"
        if e.action in PUBLIC_NOTES and e.note:
            text += f"。{public_text(e.note)}"
        rows.append(
            {
                "update_id": str(e.pk),
                "service_request_id": e.case.number,
                "status": status_of(state),
                "updated_datetime": iso(e.at),
                "description": text,
                "media_url": media.get(e.data.get("report")) if e.action == Action.INTAKE else None,
            }
        )
    return rows
