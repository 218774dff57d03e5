"""The 12345 hotline work-order import from Excel (all or nothing)."""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core.errors import InvalidInput
from chuangwen.core.geo import to_wgs84
from chuangwen.core.text import is_mobile
from chuangwen.core.xlsx import ErrorCollector, max_lengths, read_rows
from chuangwen.org.actors import require_office
from chuangwen.org.models import City

from .. import registry
from ..choices import Channel, Source
from ..models import Report
from .intake import IntakeData, IntakeResult, _category_map, intake_cases

HOTLINE_REQUIRED = ["工单编号", "诉求内容"]
HOTLINE_OPTIONAL = [
    "来电时间",
    "来电人",
    "联系电话",
    "问题地址",
    "经度",
    "纬度",
    "类别编码",
    "诉求类型",  # 投诉/求助/咨询/建议 …: a kind with a registered handler (建议) goes there
]


@dataclass
class HotlineImport:
    """What one 12345 import made: the cases (new or merged) and, by 诉求类型, the number of
    orders handed to a registered handler (e.g. 建议 → suggestions) instead."""

    cases: list[IntakeResult] = field(default_factory=list)
    handed: dict[str, int] = field(default_factory=dict)

    @property
    def merged(self) -> int:
        return sum(r.merged for r in self.cases)

    @property
    def orders(self) -> int:
        return len(self.cases) + sum(self.handed.values())


def import_hotline_orders(
    city: City, file: IO[bytes] | bytes, *, acting_user: Any
) -> list[IntakeResult]:
    """The cases of ``import_hotline`` (orders handed to a handler are not in the list)."""
    return import_hotline(city, file, acting_user=acting_user).cases


def import_hotline(city: City, file: IO[bytes] | bytes, *, acting_user: Any) -> HotlineImport:
    """12345 work orders from Excel; all or nothing, every bad cell reported.

    Columns: 工单编号* (unique), 诉求内容*, 来电时间 (yyyy-mm-dd hh:mm), 来电人, 联系电话,
    问题地址, 经度, 纬度 (WGS-84; both or neither), 类别编码 (e.g. SJ0102), 诉求类型. A row needs
    coordinates or an address. 工单编号 already imported is an error. Rows whose 诉求类型 has
    a registered handler (``cases.registry``: citizens takes 建议) go to it, in the same
    transaction, instead of becoming cases.
    """
    require_office(acting_user, city)
    errors = ErrorCollector()
    categories = _category_map(city.pk)
    items: list[IntakeData] = []
    handed: dict[str, list[registry.HotlineOrder]] = {}
    seen: dict[str, int] = {}
    rows = list(read_rows(file, HOTLINE_REQUIRED, HOTLINE_OPTIONAL))
    ids = [str(r.get("工单编号") or "") for _n, r in rows]
    known = set(
        Report.objects.filter(city=city, source=Source.HOTLINE, external_id__in=ids).values_list(
            "external_id", flat=True
        )
    )
    now = timezone.now()
    limits = max_lengths(
        Report,
        工单编号="external_id",
        来电人="reporter_name",
        联系电话="reporter_phone",
        问题地址="address",
    )
    for number, row in rows:
        errors.check_lengths(number, row, limits)
        order = str(row.get("工单编号") or "").strip()
        text = str(row.get("诉求内容") or "").strip()
        if not order:
            errors.add(number, "工单编号", _("不能为空"))
        elif order in seen:
            errors.add(number, "工单编号", _("与第 %(n)d 行重复") % {"n": seen[order]})
        elif order in known:
            errors.add(number, "工单编号", _("已导入过"))
        seen.setdefault(order, number)
        if not text:
            errors.add(number, "诉求内容", _("不能为空"))
        when = row.get("来电时间")
        if isinstance(when, str):
            try:
                when = datetime.strptime(when[:16], "%Y-%m-%d %H:%M")
            except ValueError:
                errors.add(number, "来电时间", _("格式应为 yyyy-mm-dd hh:mm"))
                when = None
        if isinstance(when, datetime):
            when = timezone.make_aware(when) if timezone.is_naive(when) else when
            if when > now:
                errors.add(number, "来电时间", _("不能晚于当前时间"))
        elif when is not None:
            errors.add(number, "来电时间", _("格式应为 yyyy-mm-dd hh:mm"))
            when = None
        kind = str(row.get("诉求类型") or "").strip()
        lon, lat = row.get("经度"), row.get("纬度")
        if (lon is None) != (lat is None):
            errors.add(number, "经度", _("经度和纬度须同时填写"))
        elif lon is not None:
            try:
                to_wgs84(lon, lat)
            except InvalidInput as exc:
                errors.add(number, "经度", str(exc.message))
        address = str(row.get("问题地址") or "").strip()
        if lon is None and not address and registry.hotline_handler(kind) is None:
            errors.add(number, "问题地址", _("没有坐标时必须填写地址"))
        code = str(row.get("类别编码") or "").strip()
        if code and code not in categories:
            errors.add(number, "类别编码", _("类别「%(c)s」不存在") % {"c": code})
        phone = re.sub(r"[\s-]", "", str(row.get("联系电话") or ""))
        if phone and not (is_mobile(phone) or re.fullmatch(r"\d{7,12}", phone)):
            errors.add(number, "联系电话", _("格式不正确"))
        if registry.hotline_handler(kind) is not None:
            handed.setdefault(kind, []).append(
                registry.HotlineOrder(
                    external_id=order,
                    text=text,
                    reported_at=when if isinstance(when, datetime) else None,
                    name=str(row.get("来电人") or ""),
                    phone=phone,
                    address=address,
                    lon=float(lon) if isinstance(lon, int | float) else None,
                    lat=float(lat) if isinstance(lat, int | float) else None,
                )
            )
            continue
        items.append(
            IntakeData(
                source=Source.HOTLINE,
                description=text,
                category=code or None,
                lon=lon,
                lat=lat,
                address=address,
                external_id=order,
                reporter_name=str(row.get("来电人") or ""),
                reporter_phone=phone,
                reported_at=when if isinstance(when, datetime) else None,
            )
        )
    if not rows:
        errors.add(None, "", _("文件中没有工单"))
    errors.raise_if_any()
    out = HotlineImport()
    with transaction.atomic():
        for kind, orders in handed.items():
            handler = registry.hotline_handler(kind)
            if handler is not None:
                out.handed[kind] = handler(city, orders, acting_user=acting_user)
        if items:
            out.cases = intake_cases(city, items, acting_user=acting_user, channel=Channel.HOTLINE)
    return out
