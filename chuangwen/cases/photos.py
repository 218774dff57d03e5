"""Photo intake: validate with Pillow, read the EXIF location, keep the original as evidence
and make a re-encoded copy without any metadata for everything that is shown."""

import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from chuangwen.core.errors import InvalidInput

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
PUBLIC_MAX_SIDE = 1600
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
GPS_IFD = 0x8825
EXIF_IFD = 0x8769


@dataclass
class CheckedPhoto:
    original: ContentFile
    public: ContentFile
    width: int
    height: int
    size: int
    lon: float | None
    lat: float | None
    taken_at: datetime | None


def _read(file: IO[bytes] | bytes) -> bytes:
    if isinstance(file, bytes):
        data = file
    else:
        size = getattr(file, "size", None)
        if size is not None and size > MAX_PHOTO_BYTES:
            raise InvalidInput(_("照片不能超过 10 MB"), code="photo_too_large")
        data = file.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(_("照片不能超过 10 MB"), code="photo_too_large")
    if not data:
        raise InvalidInput(_("照片文件为空"), code="bad_photo")
    return data


def _ratio(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        num, den = value
        return float(num) / float(den)


def _dms(values: Any, ref: str) -> float | None:
    try:
        deg, minute, sec = (_ratio(v) for v in values)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = deg + minute / 60 + sec / 3600
    return -value if ref in ("S", "W") else value


def exif_location(image: Image.Image) -> tuple[float | None, float | None, datetime | None]:
    exif = image.getexif()
    lon = lat = None
    gps = exif.get_ifd(GPS_IFD) if exif else {}
    if gps and 2 in gps and 4 in gps:
        lat = _dms(gps[2], str(gps.get(1, "N")))
        lon = _dms(gps[4], str(gps.get(3, "E")))
        bad_lat = lat is not None and not -90 <= lat <= 90
        if bad_lat or (lon is not None and not -180 <= lon <= 180):
            lon = lat = None
    taken = None
    raw = (exif.get_ifd(EXIF_IFD).get(36867) if exif else None) or (exif.get(306) if exif else None)
    if raw:
        try:
            taken = timezone.make_aware(datetime.strptime(str(raw).strip(), "%Y:%m:%d %H:%M:%S"))
        except ValueError:
            taken = None
    return lon, lat, taken


def check_photo(file: IO[bytes] | bytes) -> CheckedPhoto:
    """Validate an uploaded image, or raise InvalidInput."""
    data = _read(file)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        fmt = image.format or ""
        if fmt not in ALLOWED_FORMATS:
            raise InvalidInput(_("只接受 JPEG、PNG 或 WebP 图片"), code="bad_photo")
        if image.width * image.height > MAX_PIXELS:
            raise InvalidInput(_("图片像素过大"), code="bad_photo")
        lon, lat, taken = exif_location(image)
        # the shown copy: orientation applied, re-encoded, no metadata carried over
        shown = ImageOps.exif_transpose(image)
        shown = shown.convert("RGB")
        shown.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE))
        buf = io.BytesIO()
        shown.save(buf, "JPEG", quality=82, optimize=True)
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise InvalidInput(_("无法识别的图片文件"), code="bad_photo") from None
    name = uuid.uuid4().hex
    return CheckedPhoto(
        original=ContentFile(data, name=f"orig-{name}.{ALLOWED_FORMATS[fmt]}"),
        public=ContentFile(buf.getvalue(), name=f"pub-{name}.jpg"),
        width=shown.width,
        height=shown.height,
        size=len(data),
        lon=lon,
        lat=lat,
        taken_at=taken,
    )
