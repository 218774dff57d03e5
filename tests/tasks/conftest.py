import datetime as dt
import io
import zipfile

import pytest
from PIL import Image

from chuangwen.indicators.models import Indicator
from chuangwen.indicators.services import load_evaluation_system
from chuangwen.org.actors import SYSTEM
from chuangwen.tasks import services


def jpeg_bytes(size=(32, 24)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (10, 120, 200)).save(buf, "JPEG")
    return buf.getvalue()


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 0)).save(buf, "PNG")
    return buf.getvalue()


def docx_bytes(text: str = "佐证材料") -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph(text)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def fake_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "not an office file")
    return buf.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class TaskCity:
    """SmallCity with the shipped evaluation system adopted, and handles on a few standards."""

    def __init__(self, sc) -> None:
        self.sc = sc
        self.system = load_evaluation_system(sc.city, activate=True, acting_user=SYSTEM)
        self.standards = list(
            Indicator.objects.filter(system=self.system, level="standard").order_by("path")
        )
        self.std = {s.code: s for s in self.standards}

    def __getattr__(self, name):
        return getattr(self.sc, name)

    def task(self, code="6.1.1", lead=None, supporting=(), deadline=None, **kw):
        return services.create_task(
            self.city,
            indicator=self.std[code],
            lead_unit=lead or self.sc.district_a,
            supporting_units=list(supporting),
            content=kw.pop("content", "按标准整治"),
            target=kw.pop("target", "达标率 100%"),
            deadline=deadline or dt.date.today() + dt.timedelta(days=30),
            acting_user=kw.pop("acting_user", self.sc.office.user),
            **kw,
        )


@pytest.fixture
def tc(small_city):
    return TaskCity(small_city)
