import io

import pytest
from PIL import Image

from chuangwen.api.open311 import services as o311
from chuangwen.cases import services as cases
from chuangwen.cases.models import Category
from chuangwen.org.actors import SYSTEM

# points inside the two grids of tests.factories.SmallCity
IN_A = (113.005, 28.005)
IN_B = (113.015, 28.005)


def jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 30)).save(buf, "JPEG")
    return buf.getvalue()


class Open311City:
    """SmallCity with the standard categories, a key, and Open311 attributes on 暴露垃圾."""

    def __init__(self, sc) -> None:
        self.sc = sc
        self.city = sc.city
        cases.load_categories(sc.city, acting_user=SYSTEM)
        self.garbage = Category.objects.get(city=sc.city, code="SJ0102")  # 暴露垃圾
        self.ads = Category.objects.get(city=sc.city, code="SJ0201")  # 非法小广告
        self.client, self.key = o311.create_client(sc.city, "12345 热线平台", acting_user=SYSTEM)
        o311.define_attribute(
            self.garbage,
            code="volume",
            description="垃圾大约有多少？",
            datatype="singlevaluelist",
            required=True,
            values=[{"key": "small", "name": "一袋以内"}, {"key": "large", "name": "成堆"}],
            acting_user=sc.office.user,
        )
        o311.define_attribute(
            self.garbage,
            code="kinds",
            description="垃圾种类",
            datatype="multivaluelist",
            values=[
                {"key": "household", "name": "生活垃圾"},
                {"key": "construction", "name": "建筑垃圾"},
                {"key": "bulky", "name": "大件垃圾"},
            ],
            acting_user=SYSTEM,
        )
        o311.define_attribute(
            self.garbage, code="bags", description="袋数", datatype="number", acting_user=SYSTEM
        )
        o311.define_attribute(
            self.garbage,
            code="seen_at",
            description="发现时间",
            datatype="datetime",
            acting_user=SYSTEM,
        )

    def __getattr__(self, name):
        return getattr(self.sc, name)


@pytest.fixture
def oc(small_city):
    return Open311City(small_city)
