import io

import pytest
from django.core.cache import cache
from openpyxl import Workbook

from chuangwen.cases import services as case_services
from chuangwen.cases.choices import State
from chuangwen.cases.models import Case, Category
from chuangwen.org.actors import SYSTEM

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
