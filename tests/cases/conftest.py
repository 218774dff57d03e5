import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from chuangwen.cases import services
from chuangwen.cases.choices import Channel, Source
from chuangwen.cases.models import Category
from chuangwen.org.actors import SYSTEM

# points inside the two grids of tests.factories.SmallCity
IN_A = (113.005, 28.005)
IN_B = (113.015, 28.005)


def jpeg(lon: float | None = None, lat: float | None = None, size=(64, 48)) -> bytes:
    """A small JPEG, with an EXIF GPS position when lon/lat are given."""
    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if lon is not None and lat is not None:

        def dms(v: float):
            d = int(v)
            m = int((v - d) * 60)
            s = round(((v - d) * 60 - m) * 60, 4)
            return (float(d), float(m), float(s))

        gps = exif.get_ifd(0x8825)
        gps[1], gps[2], gps[3], gps[4] = "N", dms(lat), "E", dms(lon)
        exif[0x010F] = "TestCam"
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes())
    return buf.getvalue()


class CaseCity:
    """SmallCity plus the standard categories, with handles on a few of them."""

    def __init__(self, sc) -> None:
        self.sc = sc
        self.city = sc.city
        services.load_categories(sc.city, acting_user=SYSTEM)
        self.event = Category.objects.get(city=sc.city, code="SJ0102")  # 暴露垃圾
        self.other_event = Category.objects.get(city=sc.city, code="SJ0201")  # 非法小广告
        self.component = Category.objects.get(city=sc.city, code="BJ0112")  # 路灯
        self.component.department = sc.dept
        self.component.save()
        self.event_with_dept = Category.objects.get(city=sc.city, code="SJ0303")  # 道路遗撒
        self.event_with_dept.department = sc.dept
        self.event_with_dept.save()

    def __getattr__(self, name):
        return getattr(self.sc, name)

    def intake(self, text="路边有一堆暴露垃圾无人清理", point=IN_A, category=None, **kw):
        user = kw.pop("acting_user", SYSTEM)
        channel = kw.pop("channel", Channel.FORM)
        data = services.IntakeData(
            source=kw.pop("source", Source.INSPECTION),
            description=text,
            category=category or self.event,
            lon=point[0] if point else None,
            lat=point[1] if point else None,
            **kw,
        )
        return services.intake_case(self.city, data, acting_user=user, channel=channel)

    def dispatched(self, **kw):
        case = self.intake(**kw).case
        services.register_case(case, acting_user=self.office.user)
        return services.dispatch_case(case, acting_user=self.office.user)

    def handled(self, liaison=None, **kw):
        user = (liaison or self.liaison_a).user
        case = self.dispatched(**kw)
        services.accept_case(case, acting_user=user)
        return services.handle_case(case, note="已清理完毕", acting_user=user)


@pytest.fixture
def cc(small_city):
    return CaseCity(small_city)


@pytest.fixture
def past():
    return lambda **kw: timezone.now() - timedelta(**kw)
