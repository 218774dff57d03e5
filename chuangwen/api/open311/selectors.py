"""Reads of the Open311 endpoint: the jurisdiction, services, requests and their updates.

A service request is a case (``service_request_id`` = the 案件编号 every screen shows); its
``status`` is ``open`` while the case is in the loop and ``closed`` once it is closed, rated or
rejected. A report an Open311 client filed that was merged into an existing case (并单) has an id
of its own, ``R`` + date + report id, which answers with that case's progress.

Requests are public in GeoReport v2: only cases of the sources the office made public are listed
(default: the citizens' own channels), nothing about the reporter is shown, and phone, ID-card
and landline numbers in any text are masked (``chuangwen.core.text.public_text``).
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.api.models import (
    DEFAULT_PUBLIC_SOURCES,
    Open311Settings,
    Open311Submission,
    ServiceAttribute,
)
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
from chuangwen.cases.selectors import PUBLIC_ACTIONS, categories_for_city, public_note
from chuangwen.cases.workdays import WorkCalendar
from chuangwen.core.text import public_text
from chuangwen.org.models import City

from .serializers import MAX_YEAR, MIN_YEAR, iso, parse_iso, report_number
from .services import Open311Error

MAX_RESULTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
STATUSES = {"open": OPEN, "closed": FINISHED}
# 案件编号 (yyyymmdd + case id) and the id of a merged Open311 report (R + yyyymmdd + report id)
_NUMBER = re.compile(r"^(R?)(\d{8})(\d{7,})$")
MAX_ID = 2**63 - 1
# FixMyStreet's extended statuses (Open311.pm ``map_state``) of each state; closed and rated
# cases by how they ended, so that nothing rejected or not ours ever reads as fixed
FMS_STATUS: dict[str, str] = {
    State.REPORTED: "open",
    State.REGISTERED: "investigating",
    State.RETURNED: "investigating",
    State.DISPATCHED: "action_scheduled",
    State.IN_PROGRESS: "in_progress",
    State.REWORK: "in_progress",
    State.HANDLED: "in_progress",
    State.VERIFIED: "fixed",
}
FMS_RESOLUTION: dict[str, str] = {
    Resolution.FIXED: "fixed",
    Resolution.NOT_OURS: "not_councils_responsibility",
    Resolution.UNFIXABLE: "unable_to_fix",
    Resolution.DUPLICATE: "duplicate",
    Resolution.INVALID: "not_councils_responsibility",
}


def public_state(state: str) -> str:
    """The wording of the citizens' tracking page."""
    label = PUBLIC_STATE.get(State(state)) if state in State.values else None
    return str(label) if label is not None else ""


def status_of(state: str) -> str:
    return "closed" if state in FINISHED else "open"


def extended_status(state: str, resolution: str) -> str:
    """The FixMyStreet status of a case in ``state`` that ended (if it did) with
    ``resolution``: a finished case without a fix is never ``fixed`` (nor a bare ``closed``,
    which FixMyStreet reads as fixed)."""
    if state in FINISHED:
        return FMS_RESOLUTION.get(resolution, "not_councils_responsibility")
    return FMS_STATUS.get(state, "open")


def public_sources(city: City | int) -> list[str]:
    """The case sources the public feed lists: the office's choice, else the citizens' own."""
    row = Open311Settings.objects.filter(city_id=getattr(city, "pk", city)).first()
    return list(row.public_sources) if row is not None else list(DEFAULT_PUBLIC_SOURCES)


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
            raise Open311Error(
                404,
                _("jurisdiction_id「%(jurisdiction_id)s」不存在")
                % {"jurisdiction_id": jurisdiction_id},
            )
        if client_city is not None:
            raise Open311Error(403, _("该 api_key 不属于此 jurisdiction_id"))
        return city
    if client_city is not None:
        return client_city
    city = City.objects.order_by("pk").first()
    if city is None:
        raise Open311Error(404, _("尚未设置城市"))
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
        raise Open311Error(
            404, _("service_code「%(service_code)s」不存在") % {"service_code": service_code}
        )
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
    """A start_date / end_date parameter; a date alone is the start (or, for an end, the end)
    of that day. Impossible or out-of-range values answer 400."""
    value = (value or "").strip()
    if not value:
        return None
    when = parse_iso(value.replace(" ", "+", 1) if "T" in value else value, end=end)
    if when is None:
        raise Open311Error(
            400,
            _(
                "%(name)s「%(value)s」不是有效的 ISO 8601 日期时间"
                "（%(min_year)s–%(max_year)s 年），如 2026-11-25T09:30:00+08:00"
            )
            % {"name": name, "value": value[:40], "min_year": MIN_YEAR, "max_year": MAX_YEAR},
        )
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
        raise Open311Error(400, _("end_date 不能早于 start_date"))
    if end - start > DEFAULT_WINDOW + timedelta(days=1):
        raise Open311Error(400, _("start_date 与 end_date 之间不能超过 90 天"))
    return start, end


def values(params: Any, name: str) -> list[str]:
    """Every value of a parameter, repeated (``status=open&status=closed``) or comma-separated
    (``status=open,closed``), in order, without repeats."""
    raw = params.getlist(name) if hasattr(params, "getlist") else [params.get(name, "")]
    out: list[str] = []
    for item in raw:
        for v in str(item or "").split(","):
            v = v.strip()
            if v and v not in out:
                out.append(v)
    return out


@dataclass(frozen=True)
class RequestId:
    """A parsed service_request_id: a case (``report`` False) or a merged Open311 report."""

    text: str
    pk: int
    report: bool


def parse_ids(numbers: list[str]) -> list[RequestId]:
    """The well-formed ids (others match nothing); an id beyond 64 bits answers 400."""
    out = []
    for number in numbers:
        m = _NUMBER.match(number)
        if m is None:
            continue
        pk = int(m.group(3))
        if pk > MAX_ID:
            raise Open311Error(
                400, _("service_request_id「%(number)s」超出范围") % {"number": number[:40]}
            )
        out.append(RequestId(number, pk, bool(m.group(1))))
    return out


@dataclass
class Item:
    """One service request as answered: a case, or a merged report and its case."""

    number: str
    case: Case
    report: Report | None = None


def _cases(city: City) -> QuerySet[Case]:
    return Case.objects.filter(city=city).select_related("category", "unit")


def _by_ids(city: City, ids: list[RequestId]) -> dict[str, Item]:
    """The requests these ids name: public cases by number, Open311 reports by their R id."""
    found: dict[str, Item] = {}
    case_pks = [i.pk for i in ids if not i.report]
    if case_pks:
        qs = _cases(city).filter(pk__in=case_pks, source__in=public_sources(city))
        for case in qs:
            found[case.number] = Item(case.number, case)
    report_pks = [i.pk for i in ids if i.report]
    if report_pks:
        reports = Report.objects.filter(
            city=city, pk__in=report_pks, open311__isnull=False
        ).select_related("case__category", "case__unit")
        for report in reports:
            number = report_number(report)
            found[number] = Item(number, report.case, report)
    return found


def find_requests(city: City, params: Any) -> list[Item]:
    """GET requests: by service_request_id (the other filters are then ignored), or by
    service_code, status and the requested_datetime window; newest first, at most 1000."""
    ids = values(params, "service_request_id")
    if ids:
        found = _by_ids(city, parse_ids(ids))
        return [found[n] for n in ids if n in found][:MAX_RESULTS]
    qs = _cases(city).filter(source__in=public_sources(city))
    codes = values(params, "service_code")
    if codes:
        qs = qs.filter(category__code__in=codes)
    statuses = [s.lower() for s in values(params, "status")]
    if statuses:
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise Open311Error(
                400,
                _("status 只能是 open 或 closed，收到「%(value)s」")
                % {"value": "、".join(b[:20] for b in bad)},
            )
        states: set[str] = set()
        for s in statuses:
            states |= STATUSES[s]
        qs = qs.filter(state__in=states)
    start, end = window(params.get("start_date", ""), params.get("end_date", ""))
    qs = qs.filter(reported_at__gte=start, reported_at__lte=end)
    return [Item(c.number, c) for c in qs.order_by("-reported_at", "-id")[:MAX_RESULTS]]


def get_request(city: City, number: str) -> Item:
    found = _by_ids(city, parse_ids([number]))
    if number not in found:
        raise Open311Error(
            404, _("service_request_id「%(number)s」不存在") % {"number": number[:40]}
        )
    return found[number]


@dataclass
class _Extras:
    submissions: dict[int, Open311Submission]  # by report id
    first: dict[int, Open311Submission]  # by case id: the first Open311 submission


def _extras(items: list[Item]) -> _Extras:
    """The Open311 submissions of these requests (one query)."""
    by_report: dict[int, Open311Submission] = {}
    first: dict[int, Open311Submission] = {}
    case_ids = [i.case.pk for i in items if i.report is None]
    report_ids = [i.report.pk for i in items if i.report is not None]
    if items:
        rows = (
            Open311Submission.objects.filter(
                Q(report__case_id__in=case_ids) | Q(report_id__in=report_ids)
            )
            .order_by("id")
            .only("report_id", "media_url", "media_urls", "address_id", "report__case_id")
            .select_related("report")
        )
        for sub in rows:
            by_report[sub.report_id] = sub
            first.setdefault(sub.report.case_id, sub)
    return _Extras(by_report, first)


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


def request_rows(items: list[Item]) -> list[dict[str, Any]]:
    """The GeoReport v2 request rows. A merged report answers with its own text, place and
    media, and the progress (status, agency, dates) of the case it was merged into."""
    extras = _extras(items)
    calendars: dict[int, WorkCalendar] = {}
    rows = []
    for item in items:
        case = item.case
        cat = case.category
        source: Case | Report = item.report if item.report is not None else case
        sub = (
            extras.submissions.get(item.report.pk)
            if item.report is not None
            else extras.first.get(case.pk)
        )
        rows.append(
            {
                "service_request_id": item.number,
                "status": status_of(case.state),
                "status_notes": status_notes(case),
                "service_name": cat.name if cat else None,
                "service_code": cat.code if cat else None,
                "description": public_text(source.description),
                "agency_responsible": (
                    case.unit.name if case.unit is not None and case.dispatched_at else None
                ),
                "service_notice": (
                    f"已并入案件 {case.number}" if item.report is not None else None
                ),
                "requested_datetime": iso(source.reported_at),
                "updated_datetime": iso(case.updated_at),
                "expected_datetime": iso(expected(case, calendars)),
                "address": public_text(source.address) or None,
                "address_id": (sub.address_id or None) if sub is not None else None,
                "zipcode": None,
                "lat": source.lat,
                "long": source.lon,
                "media_url": (sub.media_url or None) if sub is not None else None,
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
        raise Open311Error(404, _("token「%(token)s」不存在") % {"token": token[:40]})
    submission = Open311Submission.objects.filter(report=report).only("merged").first()
    number = (
        report_number(report)
        if submission is not None and submission.merged
        else report.case.number
    )
    return {"service_request_id": number, "token": report.tracking_code}


# --- servicerequestupdates (extension) ------------------------------------------------------


def _event_resolution(event: CaseEvent, case: Case) -> str:
    if event.data.get("resolution"):
        return str(event.data["resolution"])
    if event.data.get("duplicate_of"):
        return Resolution.DUPLICATE
    return case.resolution


def update_rows(city: City, params: Any) -> list[dict[str, Any]]:
    """Every public step of the public cases in the window (by the time of the step; 90 days up
    to now by default), or of the ``service_request_id`` list: update_id, service_request_id,
    status after the step (FixMyStreet's extended statuses), updated_datetime, description,
    media_url.

    **Newest first**, at most 1000: nothing recent is ever dropped; a client that receives 1000
    rows reads further back with ``end_date`` = the oldest ``updated_datetime`` it received.
    A merged Open311 report gets the steps of its case from the merge on, under its own id."""
    ids = parse_ids(values(params, "service_request_id"))
    asked = bool(values(params, "service_request_id"))
    sources = public_sources(city)
    merged_reports = Report.objects.filter(city=city, open311__merged=True)
    case_filter = Q(case__source__in=sources) | Q(case_id__in=merged_reports.values("case_id"))
    if asked:  # the history of these requests: all of it unless a window is asked for
        report_cases = Report.objects.filter(
            city=city, pk__in=[i.pk for i in ids if i.report], open311__isnull=False
        ).values("case_id")
        case_filter &= Q(case_id__in=[i.pk for i in ids if not i.report]) | Q(
            case_id__in=report_cases
        )
    qs = CaseEvent.objects.filter(
        case_filter, case__city=city, action__in=PUBLIC_ACTIONS | {Action.MERGED}
    )
    if not asked or params.get("start_date") or params.get("end_date"):
        start, end = window(params.get("start_date", ""), params.get("end_date", ""))
        qs = qs.filter(at__gte=start, at__lte=end)
    events = list(
        qs.select_related("case")
        .order_by("-at", "-id")
        .only(
            "id",
            "at",
            "action",
            "from_state",
            "to_state",
            "note",
            "data",
            "case__id",
            "case__source",
            "case__state",
            "case__resolution",
            "case__reported_at",
        )[: MAX_RESULTS * 2]
    )
    # the merged Open311 reports of these cases, each answering under its own id
    aliases: dict[int, list[Report]] = {}
    for report in merged_reports.filter(case_id__in={e.case_id for e in events}).only(
        "id", "case_id", "reported_at"
    ):
        aliases.setdefault(report.case_id, []).append(report)
    wanted = {i.text for i in ids}
    intake_reports = [e.data.get("report") for e in events if e.action == Action.INTAKE]
    media = dict(
        Open311Submission.objects.filter(report_id__in=[r for r in intake_reports if r])
        .exclude(media_url="")
        .values_list("report_id", "media_url")
    )
    rows: list[dict[str, Any]] = []
    for e in events:
        state = e.to_state or e.from_state or State.REPORTED  # a merge: into an open case
        status = extended_status(state, _event_resolution(e, e.case))
        targets: list[tuple[str, str]] = []  # (service_request_id, update_id)
        if e.action != Action.MERGED and e.case.source in sources:
            targets.append((e.case.number, str(e.pk)))
        for report in aliases.get(e.case_id, []):
            own_merge = e.action == Action.MERGED and e.data.get("report") == report.pk
            if own_merge or (e.action != Action.MERGED and e.at >= report.reported_at):
                targets.append((report_number(report), f"{e.pk}-R{report.pk}"))
        if e.action == Action.MERGED:
            text = f"并单：已并入案件 {e.case.number}"
        else:
            text = f"{Action(e.action).label}：{public_state(state)}"
            if note := public_note(e):
                text += f"。{note}"
        for number, update_id in targets:
            if asked and number not in wanted:
                continue
            rows.append(
                {
                    "update_id": update_id,
                    "service_request_id": number,
                    "status": status,
                    "updated_datetime": iso(e.at),
                    "description": text,
                    "media_url": (
                        media.get(e.data.get("report")) if e.action == Action.INTAKE else None
                    ),
                }
            )
    return rows[:MAX_RESULTS]
