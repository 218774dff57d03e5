"""Part B fixtures: a SmallCity with a second office admin, rounds, campaigns, compounds."""

import io
import itertools
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from openpyxl import Workbook

from chuangwen.cases import services as case_services
from chuangwen.cases.choices import State
from chuangwen.cases.models import Case, Category
from chuangwen.citizens import services
from chuangwen.citizens.choices import CampaignKind, RoundKind, Sector
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role
from tests import factories

_phones = itertools.count(1)


def phone() -> str:
    """A fresh valid mobile number."""
    return f"139{next(_phones):08d}"


def voter(n: int | None = None, network: str = "10.0.0.1", **kw) -> services.Voter:
    k = n if n is not None else next(_phones)
    return services.Voter(
        phone=kw.pop("phone", f"137{k:08d}"),
        device=kw.pop("device", f"dev-{k}"),
        network=network,
        **kw,
    )


class CitizensCity:
    """SmallCity plus a second office admin (a budget change is never decided by its requester)."""

    def __init__(self) -> None:
        self.sc = factories.SmallCity()
        self.office2 = factories.person(self.city, self.sc.hq, Role.OFFICE_ADMIN, name="副主任")

    def __getattr__(self, name):
        return getattr(self.sc, name)

    def round(self, n=12, kind=RoundKind.TOP10, select_count=10, open_=True, **kw):
        r = services.create_round(
            self.city,
            kind=kind,
            title=kw.pop("title", "2026年群众最不满意的10件事"),
            closes_at=kw.pop("closes_at", timezone.now() + timedelta(days=7)),
            select_count=select_count,
            max_choices=kw.pop("max_choices", 10),
            acting_user=SYSTEM,
            **kw,
        )
        for i in range(n):
            services.add_candidate(
                r,
                title=f"问题{i + 1}",
                source_note=f"热点问题「问题{i + 1}」，群众留言 {20 - i} 条",
                acting_user=SYSTEM,
            )
        if open_:
            r = services.open_round(r, acting_user=SYSTEM)
        return r

    def campaign(self, **kw):
        return services.create_campaign(
            self.city,
            kind=kw.pop("kind", CampaignKind.SECTOR),
            sector=kw.pop("sector", Sector.FOOD),
            title=kw.pop("title", "食品安全专项整治"),
            lead_unit=kw.pop("lead_unit", self.dept),
            supporting_units=kw.pop("supporting_units", [self.district_a]),
            target_text=kw.pop("target_text", "农贸市场抽检合格率达到 98%"),
            target_value=kw.pop("target_value", "98"),
            target_unit=kw.pop("target_unit", "%"),
            starts_on=kw.pop("starts_on", date.today()),
            ends_on=kw.pop("ends_on", date.today() + timedelta(days=90)),
            acting_user=kw.pop("acting_user", SYSTEM),
            **kw,
        )


@pytest.fixture
def cc(db):
    return CitizensCity()


IN_A = (113.005, 28.005)  # inside SmallCity's grid_a


def make_case(city, state="reported", unit=None, point=IN_A, text="路边有一堆暴露垃圾"):
    """A case through the case services, taken to ``state`` (reported, dispatched,
    in_progress, closed)."""
    from chuangwen.cases import services as cases

    res = cases.intake_case(
        city,
        cases.IntakeData(description=text, lon=point[0], lat=point[1]),
        acting_user=SYSTEM,
    )
    case = res.case
    if state == "reported":
        return case
    case = cases.register_case(case, acting_user=SYSTEM)
    case = cases.dispatch_case(
        case,
        unit=unit,
        deadline=timezone.now() + timedelta(days=3),
        acting_user=SYSTEM,
    )
    if state == "dispatched":
        return case
    case = cases.accept_case(case, acting_user=SYSTEM)
    if state == "in_progress":
        return case
    return cases.close_case(case, resolution="unfixable", note="条件不具备", acting_user=SYSTEM)


def jpeg(color=(200, 30, 30)) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(buf, "JPEG")
    return buf.getvalue()


# --- suggestions, topics and the category model -------------------------------------------

# a small synthetic training set: three categories with their own words (never the data file)
TEMPLATES = {
    "SJ0102": [
        "{p}路边有一堆暴露垃圾没人清理",
        "{p}垃圾桶旁边垃圾堆积发臭",
        "{p}小区门口生活垃圾乱倒",
    ],
    "SJ0201": [
        "{p}电线杆上贴满非法小广告",
        "{p}墙上有人乱贴小广告办证",
        "{p}楼道里小广告牛皮癣很多",
    ],
    "BJ0112": ["{p}路灯晚上不亮一片漆黑", "{p}有一盏路灯坏了一直闪", "{p}路灯灯杆倾斜灯不亮"],
}
PLACES = ["人民路", "解放路", "五一大道", "芙蓉路", "建设路"]


def xlsx(headers, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


class VoiceCity:
    def __init__(self, sc) -> None:
        self.sc = sc
        self.city = sc.city
        case_services.load_categories(sc.city, acting_user=SYSTEM)
        lamp = Category.objects.get(city=sc.city, code="BJ0112")
        lamp.department = sc.dept
        lamp.save()

    def __getattr__(self, name):
        return getattr(self.sc, name)

    def closed_cases(self, per_template: int = 5) -> int:
        items = []
        for code, texts in TEMPLATES.items():
            for t in texts:
                for i in range(per_template):
                    items.append(
                        case_services.IntakeData(
                            source="inspection",
                            description=t.format(p=PLACES[i % len(PLACES)]) + f"（第{i}次）",
                            category=code,
                        )
                    )
        results = case_services.intake_cases(
            self.city, items, acting_user=SYSTEM, check_duplicates=False
        )
        Case.objects.filter(pk__in=[r.case.pk for r in results]).update(state=State.CLOSED)
        return len(results)


@pytest.fixture
def vc(small_city):
    cache.clear()
    return VoiceCity(small_city)
