"""Rendering GeoReport v2 documents as XML or JSON, from the same plain data.

A list document is a root element with one child per item in XML (``<services><service>…``)
and a JSON array; a single document (``service_definition``, ``discovery``) is a root element
and a JSON object. Nested lists use the singular element names of the spec.
"""

import json
import xml.etree.ElementTree as ET
from datetime import datetime, time, timedelta
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'

# dates outside these years are refused (a client's typo, or arithmetic that would overflow)
MIN_YEAR, MAX_YEAR = 1990, 2099

# container element → element of each item inside it
ITEM_NAMES = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def iso(value: datetime | None) -> str | None:
    """ISO 8601 with the offset of the local time zone: 2026-11-25T19:34:07+08:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def report_number(report: Any) -> str:
    """The service_request_id of a report merged into an existing case (并单): R + the date of
    the report + its id, next to the case numbers (date + case id)."""
    return f"R{timezone.localtime(report.reported_at):%Y%m%d}{report.pk:07d}"


def parse_iso(value: str, *, end: bool = False) -> datetime | None:
    """An ISO 8601 date-time (naive: local time) or a date (its first moment, or with ``end``
    its last), aware; ``None`` when it is not one, is impossible (2026-02-30, offset +99:00) or
    lies outside MIN_YEAR–MAX_YEAR."""
    value = (value or "").strip()
    try:
        # a date alone first: parse_datetime would take it as midnight
        day = parse_date(value) if len(value) <= 10 else None
        if day is not None:
            when = datetime.combine(day, time.min)
            if end:
                when += timedelta(days=1) - timedelta(microseconds=1)
        else:
            parsed = parse_datetime(value)
            if parsed is None:
                return None
            when = parsed
        if timezone.is_naive(when):
            when = timezone.make_aware(when)
        if not MIN_YEAR <= when.year <= MAX_YEAR:
            return None
    except (ValueError, OverflowError):
        return None
    return when


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        item = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(data: Any, root: str, item: str | None = None) -> str:
    element = ET.Element(root)
    if item is not None:
        for row in data:
            _fill(ET.SubElement(element, item), row)
    else:
        _fill(element, data)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode")


def render(
    fmt: str, data: Any, root: str, item: str | None = None, status: int = 200
) -> HttpResponse:
    body = json.dumps(data, ensure_ascii=False) if fmt == "json" else to_xml(data, root, item)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def render_errors(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """``<errors><error><code/><description/></error></errors>``; the code is the HTTP status."""
    rows = [{"code": status, "description": d} for d in descriptions]
    return render(fmt, rows, "errors", "error", status=status)
