"""Evidence files: the type is decided by the content (magic bytes), never by the name.

Accepted: JPEG, PNG, PDF, Word (.docx) and Excel (.xlsx) — the Office files are ZIP packages
recognised by their main part — at most ``MAX_EVIDENCE_BYTES`` each.
"""

import hashlib
import io
import zipfile
from dataclasses import dataclass

from chuangwen.core.errors import InvalidInput

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


def check_file(name: str, data: bytes) -> CheckedFile:
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()[:200] or "file"
    if not data:
        raise InvalidInput(f"文件「{name}」是空文件", code="empty_file")
    if len(data) > MAX_EVIDENCE_BYTES:
        raise InvalidInput(
            f"文件「{name}」超过 {MAX_EVIDENCE_BYTES // (1024 * 1024)} MB 上限", code="too_large"
        )
    kind = sniff(data)
    if kind is None:
        raise InvalidInput(
            f"文件「{name}」不是允许的类型（仅限 JPEG、PNG 照片，PDF，Word .docx，Excel .xlsx）",
            code="bad_file_type",
        )
    return CheckedFile(name=name, data=data, kind=kind, sha256=hashlib.sha256(data).hexdigest())
