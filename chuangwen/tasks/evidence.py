"""Evidence files: the type is decided by the content (magic bytes), never by the name, and
the whole file is then checked to be what it claims (a JPEG header on an HTML page is refused).

Accepted: JPEG, PNG, PDF, Word (.docx) and Excel (.xlsx) — the Office files are ZIP packages
recognised by their main part — at most ``MAX_EVIDENCE_BYTES`` each. Images are fully decoded
with Pillow; PDFs must have a PDF's structure (header, objects, trailer, end marker); Office
packages must pass the ZIP-bomb limits and every part's checksum, and open with python-docx or
openpyxl.
"""

import hashlib
import io
import re
import warnings
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _
from PIL import Image

from chuangwen.core.errors import ImportFailed, InvalidInput
from chuangwen.core.xlsx import check_zip, open_workbook

from .choices import EvidenceKind

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
MAX_FILES_PER_REPORT = 20
EXTENSIONS = {
    EvidenceKind.JPEG: ".jpg",
    EvidenceKind.PNG: ".png",
    EvidenceKind.PDF: ".pdf",
    EvidenceKind.DOCX: ".docx",
    EvidenceKind.XLSX: ".xlsx",
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    data: bytes
    kind: str
    sha256: str

    @property
    def stored_name(self) -> str:
        """A safe file name: the digest prefix plus the extension of the detected type."""
        return f"{self.sha256[:16]}{EXTENSIONS[EvidenceKind(self.kind)]}"


def sniff(data: bytes) -> str | None:
    """The evidence kind of ``data`` by its content, or None when it is none of them."""
    if data.startswith(b"\xff\xd8\xff"):
        return EvidenceKind.JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return EvidenceKind.PNG
    if data.startswith(b"%PDF-"):
        return EvidenceKind.PDF
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        if "[Content_Types].xml" not in names:
            return None
        if "word/document.xml" in names:
            return EvidenceKind.DOCX
        if "xl/workbook.xml" in names:
            return EvidenceKind.XLSX
    return None


MAX_IMAGE_PIXELS = 60_000_000
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")


def _image_whole(data: bytes, fmt: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format != fmt or probe.width * probe.height > MAX_IMAGE_PIXELS:
                    return False
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except Exception:  # Pillow raises many types (and warnings made errors) for a bad image
        return False
    return True


def _pdf_whole(data: bytes) -> bool:
    tail = data[-2048:]
    return (
        _PDF_HEADER.match(data) is not None
        and b"%%EOF" in tail
        and (b"trailer" in data or b"startxref" in tail)
        and re.search(rb"\d+\s+\d+\s+obj", data) is not None
        and b"endobj" in data
    )


def _office_whole(data: bytes, kind: str) -> bool:
    try:
        check_zip(data, what="Office 文件")
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if zf.testzip() is not None:  # every part decompresses with the right checksum
                return False
        if kind == EvidenceKind.DOCX:
            from docx import Document

            Document(io.BytesIO(data))
        else:
            open_workbook(data).close()
    except ImportFailed:
        return False
    except Exception:  # python-docx and zipfile raise many types for a broken package
        return False
    return True


def is_whole(data: bytes, kind: str) -> bool:
    """Whether the whole of ``data`` is a file of ``kind``, not just its first bytes."""
    if kind == EvidenceKind.JPEG:
        return _image_whole(data, "JPEG")
    if kind == EvidenceKind.PNG:
        return _image_whole(data, "PNG")
    if kind == EvidenceKind.PDF:
        return _pdf_whole(data)
    return _office_whole(data, kind)


def check_file(name: str, data: bytes) -> CheckedFile:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "file"
    if not data:
        raise InvalidInput(_("文件「%(name)s」是空文件") % {"name": name}, code="empty_file")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise InvalidInput(
            _("文件「%(name)s」超过 %(value)s MB 上限")
            % {"name": name, "value": MAX_EVIDENCE_BYTES // (1024 * 1024)},
            code="too_large",
        )
    kind = sniff(data)
    if kind is None:
        raise InvalidInput(
            _("文件「%(name)s」不是允许的类型（仅限 JPEG、PNG 照片，PDF，Word .docx，Excel .xlsx）")
            % {"name": name},
            code="bad_file_type",
        )
    if not is_whole(data, kind):
        raise InvalidInput(
            _("文件「%(name)s」已损坏或内容与类型不符（看起来是 %(extensions)s，但不能完整读取）")
            % {"name": name, "extensions": EXTENSIONS[EvidenceKind(kind)]},
            code="bad_file_content",
        )
    return CheckedFile(name=name, data=data, kind=kind, sha256=hashlib.sha256(data).hexdigest())
