"""Every write of the Open311 endpoint: keys, service attributes, and filing a request.

Filing goes through ``chuangwen.cases.services.intake_case`` (source ``open311``, the system as
actor); this module only turns the GeoReport v2 form into an ``IntakeData``, validates the
``attribute[…]`` answers against the category's ``ServiceAttribute`` rows and keeps what the
case model has no place for (attributes, media_url, device and account ids).
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.api.models import (
    LIST_DATATYPES,
    Datatype,
    Open311Client,
    Open311Settings,
    Open311Submission,
    Open311Update,
    ServiceAttribute,
    check_values,
)
from chuangwen.cases import services as cases
from chuangwen.cases.choices import Channel, Source
from chuangwen.cases.models import AddressEntry, Case, Category, Report
from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, ServiceError
from chuangwen.org.actors import PUBLIC
from chuangwen.org.models import City
from chuangwen.org.services import require_office

from .serializers import parse_iso, report_number

MAX_MEDIA = 20  # media_url values kept per request or update
ATTRIBUTE_KEY = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
ATTRIBUTE_FIELDS = [
    "code",
    "variable",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
    "active",
]


class Open311Error(Exception):
    """One or more GeoReport v2 errors with the HTTP status they answer with."""

    def __init__(self, status: int, *descriptions: str):
        self.status = status
        self.descriptions = [str(d) for d in descriptions]
        super().__init__("; ".join(self.descriptions))

    @classmethod
    def from_service_error(cls, exc: ServiceError) -> "Open311Error":
        status = exc.status if exc.status in (400, 403, 404, 409, 503) else 400  # 503: Busy, retry
        return cls(status, str(exc.message))


# --- keys -----------------------------------------------------------------------------------


@transaction.atomic
def create_client(city: City, name: str, *, acting_user: Any) -> tuple[Open311Client, str]:
    """A new key for a system of ``city``; the raw key is returned once and never stored."""
    require_office(acting_user, city)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("接入方名称不能为空，且不超过 100 字"), code="required")
    if Open311Client.objects.filter(name=name).exists():
        raise InvalidInput(_("接入方「%(name)s」已存在") % {"name": name}, code="duplicate_name")
    raw = Open311Client.generate()
    client = Open311Client.objects.create(city=city, name=name, digest=Open311Client.hash(raw))
    audit.record(
        "api.open311_client.created",
        client,
        actor=acting_user,
        city=city,
        after={"name": name},
        summary=name,
    )
    return client, raw


@transaction.atomic
def revoke_client(client: Open311Client, *, acting_user: Any) -> Open311Client:
    client = Open311Client.objects.select_for_update().get(pk=client.pk)
    require_office(acting_user, client.city)
    if client.active:
        client.active, client.revoked_at = False, timezone.now()
        client.save(update_fields=["active", "revoked_at", "updated_at"])
        audit.record(
            "api.open311_client.revoked",
            client,
            actor=acting_user,
            city=client.city,
            before={"active": True},
            after={"active": False},
            summary=client.name,
        )
    return client


def client_for_key(raw: str) -> Open311Client | None:
    """The active client of an api_key (last use noted at most every five minutes)."""
    raw = (raw or "").strip()
    if not raw or len(raw) > 200:
        return None
    client = (
        Open311Client.objects.select_related("city")
        .filter(digest=Open311Client.hash(raw), active=True)
        .first()
    )
    if client is not None:
        now = timezone.now()
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 300:
            Open311Client.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


# --- service attributes ---------------------------------------------------------------------


@transaction.atomic
def define_attribute(
    category: Category,
    *,
    code: str,
    description: str,
    datatype: str = Datatype.STRING,
    required: bool = False,
    variable: bool = True,
    datatype_description: str = "",
    order: int | None = None,
    values: Iterable[Mapping[str, Any]] = (),
    acting_user: Any,
) -> ServiceAttribute:
    """Add (or redefine) one Open311 attribute of a category."""
    require_office(acting_user, category.city)
    if datatype not in Datatype.values:
        raise InvalidInput(
            _("数据类型「%(datatype)s」无效") % {"datatype": datatype}, code="bad_datatype"
        )
    if not (description or "").strip():
        raise InvalidInput(_("属性的问题说明不能为空"), code="required")
    if order is None:
        last = (
            ServiceAttribute.objects.filter(category=category)
            .exclude(code=code)
            .order_by("-order")
            .values_list("order", flat=True)
            .first()
        )
        order = (last or 0) + 1
    row = ServiceAttribute.objects.filter(category=category, code=code).first()
    before = audit.snapshot(row, ATTRIBUTE_FIELDS) if row is not None else None
    row = row or ServiceAttribute(category=category, code=code)
    row.description = description.strip()
    row.datatype = datatype
    row.required = required
    row.variable = variable
    row.datatype_description = (datatype_description or "").strip()
    row.order = order
    row.values = [dict(v) for v in values]
    row.active = True
    try:
        row.full_clean(exclude=["category"])
    except ValidationError as exc:
        messages = [m for msgs in exc.message_dict.values() for m in msgs]
        raise InvalidInput("；".join(messages), code="bad_attribute") from exc
    row.save()
    record_attribute_change(row, before, acting_user=acting_user)
    return row


def record_attribute_change(
    row: ServiceAttribute, before: dict[str, Any] | None, *, acting_user: Any
) -> None:
    """The audit row of an attribute change (also written by the admin)."""
    after = audit.snapshot(row, ATTRIBUTE_FIELDS)
    if before is not None:
        before, after = audit.changes(before, after)
    audit.record(
        "api.open311_attribute.saved",
        row,
        actor=acting_user,
        city=row.category.city,
        before=before,
        after=after,
        summary=f"{row.category.code} {row.code}",
    )


# --- filing a request -----------------------------------------------------------------------


@dataclass
class Filed:
    """What the POST answers: the case's number, a notice, the client's account_id."""

    service_request_id: str
    service_notice: str
    account_id: str | None
    result: cases.IntakeResult
    submission: Open311Submission


def _single(form: Mapping[str, Any], name: str, limit: int = 300) -> str:
    value = form.get(name)
    if isinstance(value, list):
        value = value[-1] if value else ""
    return str(value or "").strip()[:limit]


def _description(form: Mapping[str, Any], errors: list[str], *, required: bool) -> str:
    """The ``description`` field, stripped; too long (or missing where required) is an error."""
    description = str(form.get("description") or "").strip()
    if required and not description:
        errors.append("description 不能为空")
    elif len(description) > cases.MAX_DESCRIPTION:
        errors.append(f"description 不能超过 {cases.MAX_DESCRIPTION} 字")
    return description


def _email(form: Mapping[str, Any], errors: list[str]) -> str:
    """The optional ``email`` field; a malformed address is an error."""
    email = _single(form, "email", 100)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"email「{email}」格式不正确")
    return email


def _values(form: Any, name: str, limit: int) -> list[str]:
    """Every non-empty value of a repeatable field (``media_url`` sent once per photo)."""
    raw = form.getlist(name) if hasattr(form, "getlist") else [form.get(name)]
    return [str(v).strip()[:limit] for v in raw if v is not None and str(v).strip()]


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NO_NAME = {"", "-", "–", "—", "_", "*"}


def full_name(first_name: str, last_name: str) -> str:
    """A person's name from GeoReport's first_name / last_name. Chinese: family name first,
    no space (李 + 小明 → 李小明); otherwise "first last". FixMyStreet fills a missing part with
    "-", and splits a typed name at its first space, so ``first_name`` may hold all of it."""
    first = "" if first_name.strip() in _NO_NAME else first_name.strip()
    last = "" if last_name.strip() in _NO_NAME else last_name.strip()
    if _CJK.search(first + last):
        return re.sub(r"\s+", "", last + first)
    return " ".join(p for p in (first, last) if p)


def check_attributes(
    definitions: Iterable[ServiceAttribute], answers: Mapping[str, list[str]]
) -> tuple[dict[str, Any], list[str]]:
    """Validate the ``attribute[code]`` answers: required, datatype, list values; answers to
    codes the service does not ask (FixMyStreet always sends ``attribute[uprn]``) are kept as
    sent. Returns (clean answers, error descriptions in Chinese)."""
    defs = {d.code: d for d in definitions if d.active and d.variable}
    errors: list[str] = []
    clean: dict[str, Any] = {}
    for code, given in answers.items():  # not asked here (FixMyStreet's uprn …): kept as sent
        if code not in defs:
            kept = [v.strip()[:2000] for v in given if v is not None and v.strip()][:20]
            if kept:
                clean[code] = kept if len(kept) > 1 else kept[0]
    for code, d in sorted(defs.items(), key=lambda kv: kv[1].order):
        given = [v.strip() for v in answers.get(code, []) if v is not None and v.strip() != ""]
        label = f"attribute[{code}]（{d.description}）"
        if not given:
            if d.required:
                errors.append(f"{label}：必须填写")
            continue
        if d.datatype != Datatype.MULTI and len(given) > 1:
            errors.append(f"{label}：只能填写一个值")
            continue
        if d.datatype in LIST_DATATYPES:
            keys = {v["key"] for v in check_values(d.datatype, d.values)}
            bad = [v for v in given if v not in keys]
            if bad:
                errors.append(
                    f"{label}：「{'、'.join(bad)}」不是可选值（可选：{'、'.join(sorted(keys))}）"
                )
                continue
            clean[code] = given if d.datatype == Datatype.MULTI else given[0]
            continue
        value = given[0]
        if d.datatype == Datatype.NUMBER:
            try:
                number = float(value)
            except ValueError:
                errors.append(f"{label}：必须是数字")
                continue
            if number != number or number in (float("inf"), float("-inf")):
                errors.append(f"{label}：必须是数字")
                continue
        elif d.datatype == Datatype.DATETIME:
            if parse_iso(value) is None:
                errors.append(f"{label}：必须是 ISO 8601 日期时间，如 2026-11-25T09:30:00+08:00")
                continue
        elif d.datatype == Datatype.STRING and ("\n" in value or "\r" in value):
            errors.append(f"{label}：单行文本不能换行")
            continue
        if len(value) > 2000:
            errors.append(f"{label}：不能超过 2000 字")
            continue
        clean[code] = value
    return clean, errors


def attribute_answers(form: Any) -> dict[str, list[str]]:
    """``attribute[code]=v`` and ``attribute[code][]=v1&attribute[code][]=v2`` → {code: [v…]}."""
    answers: dict[str, list[str]] = {}
    for key in form:
        m = ATTRIBUTE_KEY.match(key)
        if m is None:
            continue
        values = form.getlist(key) if hasattr(form, "getlist") else [form[key]]
        answers.setdefault(m.group(1), []).extend(str(v) for v in values)
    return answers


def _coordinate(form: Mapping[str, Any], name: str, errors: list[str]) -> float | None:
    raw = _single(form, name, 50)
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        errors.append(f"{name} 必须是数字（WGS-84 十进制度）")
        return None
    if value != value:
        errors.append(f"{name} 必须是数字（WGS-84 十进制度）")
        return None
    return value


def _media_urls(form: Any, errors: list[str]) -> list[str]:
    urls = _values(form, "media_url", 500)[:MAX_MEDIA]
    check = URLValidator(schemes=["http", "https"])
    for url in urls:
        try:
            check(url)
        except ValidationError:
            errors.append("media_url 必须是 http 或 https 链接")
            break
    return urls


def file_request(client: Open311Client, form: Any) -> Filed:
    """POST requests: validate the GeoReport v2 form, take the report in through the case
    loop and keep the Open311 extras. Raises Open311Error (400) listing every problem."""
    city = client.city
    errors: list[str] = []
    service_code = _single(form, "service_code", 50)
    category = None
    definitions: list[ServiceAttribute] = []
    if not service_code:
        errors.append("service_code 不能为空")
    else:
        category = Category.objects.filter(city=city, code=service_code, active=True).first()
        if category is None:
            raise Open311Error(
                404, _("service_code「%(service_code)s」不存在") % {"service_code": service_code}
            )
        definitions = list(category.open311_attributes.all())
    lat = _coordinate(form, "lat", errors)
    lon = _coordinate(form, "long", errors)
    if (lat is None) != (lon is None) and not any(e.startswith(("lat", "long")) for e in errors):
        errors.append("lat 和 long 必须同时提供")
    address = _single(form, "address_string", 300)
    address_id = _single(form, "address_id", 64)
    entry = None
    if address_id:
        entry = (
            AddressEntry.objects.filter(city=city, pk=int(address_id)).first()
            if address_id.isdigit()
            else None
        )
        if entry is None:
            errors.append(f"address_id「{address_id}」不存在")
    if lat is None and lon is None and not address and not address_id:
        errors.append("必须提供位置：lat 和 long，或 address_string，或 address_id")
    description = _description(form, errors, required=False)
    email = _email(form, errors)
    media_urls = _media_urls(form, errors)
    answers = attribute_answers(form)
    attributes: dict[str, Any] = {}
    if category is not None:
        attributes, attribute_errors = check_attributes(definitions, answers)
        errors.extend(attribute_errors)
    if errors:
        raise Open311Error(400, *errors)

    if lat is None and entry is not None:
        lon, lat = entry.lon, entry.lat
    if not address and entry is not None:
        address = entry.keyword
    name = full_name(_single(form, "first_name", 50), _single(form, "last_name", 50))
    data = cases.IntakeData(
        source=Source.OPEN311,
        description=description,
        category=category,
        lon=lon,
        lat=lat,
        crs="wgs84",
        address=address,
        reporter_name=name,
        reporter_phone=_single(form, "phone", 30),
        reporter_email=email,
    )
    account_id = _single(form, "account_id", 100)
    try:
        with transaction.atomic():
            result = cases.intake_case(city, data, acting_user=PUBLIC, channel=Channel.OPEN311)
            submission = Open311Submission.objects.create(
                report=result.report,
                client=client,
                attributes=attributes,
                media_url=media_urls[0] if media_urls else "",
                media_urls=media_urls,
                merged=result.merged,
                address_id=address_id,
                # the spec's device_id; FixMyStreet sends ``deviceid``
                device_id=_single(form, "device_id", 100) or _single(form, "deviceid", 100),
                account_id=account_id,
            )
            audit.record(
                "api.open311.request_filed",
                result.report,
                actor=None,
                city=city,
                after={
                    "client": client.name,
                    "case": result.case.pk,
                    "merged": result.merged,
                    "service_code": service_code,
                },
                summary=f"{client.name} {result.case.number}",
            )
    except ServiceError as exc:
        raise Open311Error.from_service_error(exc) from exc
    case = result.case
    number = case.number
    notice = f"已受理，查询码 {result.report.tracking_code}"
    if result.merged:  # the report's own id, answering with the case's progress
        number = report_number(result.report)
        notice = (
            f"同一问题已有案件 {case.number}，本次上报已并入；查询码 {result.report.tracking_code}"
        )
    return Filed(
        service_request_id=number,
        service_notice=notice,
        account_id=account_id or None,
        result=result,
        submission=submission,
    )


# --- citizens' updates (servicerequestupdates POST) -----------------------------------------


def _request_target(city: City, number: str) -> tuple[Case, Report | None]:
    """The case (and, for an R id, the merged report) a client's service_request_id names."""
    from .selectors import get_request  # the one parser of request ids

    item = get_request(city, number)
    return item.case, item.report


def post_update(client: Open311Client, form: Any) -> tuple[Open311Update, bool]:
    """POST servicerequestupdates: a citizen's comment on a request, as FixMyStreet sends it
    (service_request_id, update_id, status, description, first/last name, email, phone,
    media_url, updated_datetime, attribute[…]). Kept with the case for the office and audited;
    the case's state is the office's to change, never the client's. The same ``update_id``
    posted again answers the update already kept. Returns (update, created)."""
    errors: list[str] = []
    number = _single(form, "service_request_id", 40)
    if not number:
        errors.append("service_request_id 不能为空")
    description = _description(form, errors, required=True)
    email = _email(form, errors)
    raw_when = _single(form, "updated_datetime", 40)
    when = parse_iso(raw_when) if raw_when else None
    if raw_when and when is None:
        errors.append("updated_datetime 必须是 ISO 8601 日期时间，如 2026-11-25T09:30:00+08:00")
    media_urls = _media_urls(form, errors)
    if errors:
        raise Open311Error(400, *errors)
    case, report = _request_target(client.city, number)
    external_id = _single(form, "update_id", 100)
    try:
        with transaction.atomic():
            if external_id:
                kept = Open311Update.objects.filter(client=client, external_id=external_id).first()
                if kept is not None:
                    return kept, False
            update = Open311Update.objects.create(
                client=client,
                case=case,
                report=report,
                service_request_id=number,
                external_id=external_id,
                status=_single(form, "status", 40).lower(),
                description=description,
                name=full_name(_single(form, "first_name", 50), _single(form, "last_name", 50)),
                email=email,
                phone=_single(form, "phone", 30),
                media_urls=media_urls,
                attributes={
                    k: v[0] if len(v) == 1 else v for k, v in attribute_answers(form).items()
                },
                updated_at_client=when,
            )
            audit.record(
                "api.open311.update_received",
                case,
                actor=None,
                city=client.city,
                after={
                    "client": client.name,
                    "update": update.pk,
                    "service_request_id": number,
                    "external_id": external_id,
                },
                summary=f"{client.name} {number}",
            )
    except ServiceError as exc:
        raise Open311Error.from_service_error(exc) from exc
    return update, True


# --- settings of the public feed ------------------------------------------------------------


@transaction.atomic
def set_public_sources(city: City, sources: Iterable[str], *, acting_user: Any) -> Open311Settings:
    """Which case sources the public Open311 feed lists (the office's choice; audited)."""
    if not getattr(acting_user, "is_superuser", False):  # the platform admin on the admin site
        require_office(acting_user, city)
    chosen = [s for s in Source.values if s in set(sources)]
    unknown = sorted(set(sources) - set(Source.values))
    if unknown:
        raise InvalidInput(
            _("案件来源「%(unknown)s」无效") % {"unknown": "、".join(unknown)}, code="bad_source"
        )
    row, _created = Open311Settings.objects.select_for_update().get_or_create(city=city)
    before = list(row.public_sources) if not _created else None
    row.public_sources = chosen
    row.save()
    audit.record(
        "api.open311_settings.saved",
        row,
        actor=acting_user,
        city=city,
        before={"public_sources": before} if before is not None else None,
        after={"public_sources": chosen},
        summary="、".join(str(Source(s).label) for s in chosen) or "（不公开）",
    )
    return row
