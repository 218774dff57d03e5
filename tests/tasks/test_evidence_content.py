"""Evidence and photos are checked as a whole, not by their first bytes, and served inert."""

import io
import zipfile

import pytest

from chuangwen.cases.photos import check_photo
from chuangwen.core import xlsx
from chuangwen.core.errors import InvalidInput
from chuangwen.core.views import stored_file
from chuangwen.tasks import services
from chuangwen.tasks.evidence import check_file
from chuangwen.tasks.models import Evidence

from .conftest import PDF_BYTES, docx_bytes, jpeg_bytes, png_bytes

HTML = b"<html><script>alert(document.cookie)</script></html>"


def _xlsx_bytes() -> bytes:
    return xlsx.write_workbook([xlsx.Sheet("s", ["a"], [["1"]])])


def _bomb_docx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"<w:document>" + b" " * 20_000_000 + b"</w:document>")
    return buf.getvalue()


def _corrupt_docx() -> bytes:
    data = bytearray(docx_bytes())
    at = data.index(b"word/document.xml") + 40  # inside the compressed main part
    data[at : at + 64] = b"\x00" * 64
    return bytes(data)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("a.jpg", b"\xff\xd8\xff\xe0" + HTML),  # a JPEG header on an HTML page
        ("a.png", b"\x89PNG\r\n\x1a\n" + HTML),
        ("a.jpg", jpeg_bytes()[:200]),  # truncated
        ("a.pdf", b"%PDF-1.4\n" + HTML),
        ("a.docx", _corrupt_docx()),
        ("a.docx", _bomb_docx()),
        ("a.xlsx", _xlsx_bytes()[:-300] + b"\x00" * 300),
    ],
)
def test_a_file_that_only_starts_like_its_type_is_refused(name, data):
    with pytest.raises(InvalidInput) as info:
        check_file(name, data)
    assert info.value.code in {"bad_file_content", "bad_file_type"}
    assert name in info.value.message


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.jpg", jpeg_bytes(), "jpeg"),
        ("a.png", png_bytes(), "png"),
        ("a.pdf", PDF_BYTES, "pdf"),
        ("a.docx", docx_bytes(), "docx"),
        ("a.xlsx", _xlsx_bytes(), "xlsx"),
    ],
)
def test_whole_files_of_every_kind_are_accepted(name, data, kind):
    assert check_file(name, data).kind == kind


def test_a_case_photo_with_an_html_body_is_refused():
    with pytest.raises(InvalidInput):
        check_photo(b"\xff\xd8\xff\xe0" + HTML)
    with pytest.raises(InvalidInput):
        check_photo(jpeg_bytes()[:200])


def test_evidence_downloads_are_attachments_never_sniffed(tc, client_for):
    task = tc.task()
    services.report_progress(
        task, text="x", files=[("说明.pdf", PDF_BYTES)], acting_user=tc.liaison_a.user
    )
    ev = Evidence.objects.get()
    r = client_for(tc.liaison_a).get(f"/tasks/evidence/{ev.pk}/")
    assert r.status_code == 200
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Content-Disposition"].startswith("attachment")
    # the header is the helper's own, not left to a middleware setting
    response = stored_file(ev.file, "x.pdf")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    response.close()
