"""Moral models and good people (道德模范, 身边好人): nomination by a unit or a citizen,
screening, review, public notice (公示) with objections, publication on the 好人榜."""

import datetime as dt
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.cases.photos import check_photo
from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput
from chuangwen.core.services import notify
from chuangwen.core.text import is_mobile
from chuangwen.org.actors import actor_user, check_actor, require_office, require_unit
from chuangwen.org.choices import Role
from chuangwen.org.models import City, Membership, Unit

from ...models import MoralModel
from ..choices import (
    HONOUR_TRANSITIONS,
    HonourCategory,
    HonourKind,
    HonourLevel,
    HonourStatus,
    NominatedBy,
    ObjectionStatus,
)
from .common import check_transition, clean_text

MIN_NOTICE_DAYS, MAX_NOTICE_DAYS = 5, 30


def clean_year(year: Any) -> int:
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise InvalidInput(_("年度无效"), code="bad_year") from None
    if not 2000 <= y <= 2100:
        raise InvalidInput(_("年度必须在 2000 到 2100 之间"), code="bad_year")
    return y


@transaction.atomic
def nominate_honour(
    city: City,
    *,
    kind: str,
    category: str,
    year: Any,
    name: str,
    title: str,
    story: str,
    nominated_by: str,
    level: str = HonourLevel.CITY,
    unit: Unit | None = None,
    nominator_unit: Unit | None = None,
    nominator_name: str = "",
    nominator_phone: str = "",
    photo: IO[bytes] | bytes | None = None,
    acting_user: Any,
) -> MoralModel:
    """A nomination: by a unit (its liaison, for their unit) or by a citizen on the public page
    (name and mobile of the nominator required)."""
    check_actor(acting_user)
    if kind not in HonourKind.values or category not in HonourCategory.values:
        raise InvalidInput(_("请选择类别和类型"), code="bad_kind")
    if level not in HonourLevel.values:
        raise InvalidInput(_("级别无效"), code="bad_level")
    for u in (unit, nominator_unit):
        if u is not None and u.city_id != city.pk:
            raise InvalidInput(_("单位不属于本市"), code="other_city")
    if nominated_by == NominatedBy.UNIT:
        if nominator_unit is None:
            raise InvalidInput(_("请选择推荐单位"), code="required")
        require_unit(acting_user, nominator_unit, _("只能以您所在的单位名义推荐"))
    elif nominated_by == NominatedBy.CITIZEN:
        nominator_name = clean_text(nominator_name, _("推荐人姓名"), 50)
        nominator_phone = clean_text(nominator_phone, _("推荐人手机号"), 20)
        if not is_mobile(nominator_phone):
            raise InvalidInput(_("请填写正确的 11 位手机号"), code="bad_phone")
    else:
        raise InvalidInput(_("推荐方式无效"), code="bad_source")
    honour = MoralModel(
        city=city, kind=kind, category=category, level=level, year=clean_year(year),
        name=clean_text(name, _("被推荐人姓名"), 50), unit=unit,
        title=clean_text(title, _("事迹标题"), 200), story=clean_text(story, _("事迹"), 5000),
        nominated_by=nominated_by, nominator_unit=nominator_unit,
        nominator_name=nominator_name, nominator_phone=nominator_phone,
        created_by=actor_user(acting_user),
    )  # fmt: skip
    if photo is not None:
        checked = check_photo(photo)
        honour.photo.save(checked.public.name or "photo.jpg", checked.public, save=False)
    honour.save()
    audit.record(
        "volunteers.moral_model.nominated", honour, actor=acting_user,
        after={"kind": kind, "nominated_by": nominated_by}, summary=honour.name,
    )  # fmt: skip
    offices = Membership.objects.filter(unit__city=city, role=Role.OFFICE_ADMIN).values_list(
        "person__user_id", flat=True
    )
    notify(
        offices,
        _("新的%(kind)s推荐：%(name)s") % {"kind": HonourKind(kind).label, "name": honour.name},
        url=f"/volunteers/models/{honour.pk}/",
        topic="moral",
    )
    return honour


def _move(honour: MoralModel, target: str, acting_user: Any, note: str = "") -> MoralModel:
    require_office(acting_user, honour.city_id)
    honour = MoralModel.objects.select_for_update().get(pk=honour.pk)
    check_transition(HONOUR_TRANSITIONS, honour.status, target, HonourStatus)
    honour.status = target
    if note:
        honour.review_note = clean_text(note, _("审核意见"), 300)
    return honour


@transaction.atomic
def review_honour(
    honour: MoralModel, *, target: str, note: str = "", acting_user: Any
) -> MoralModel:
    """A review stage: 初审 (nominated → screened), 评审 (screened → approved), or not passed
    (→ rejected, with a reason) at any stage before publication."""
    if target not in (HonourStatus.SCREENED, HonourStatus.APPROVED, HonourStatus.REJECTED):
        raise InvalidInput(_("审核结果无效"), code="bad_target")
    if target == HonourStatus.REJECTED and not (note or "").strip():
        raise InvalidInput(_("请填写未通过的理由"), code="reason_required")
    before = honour.status
    honour = _move(honour, target, acting_user, note)
    honour.save(update_fields=["status", "review_note", "updated_at"])
    audit.record(
        "volunteers.moral_model.reviewed", honour, actor=acting_user,
        before={"status": before}, after={"status": target}, summary=honour.name,
    )  # fmt: skip
    return honour


@transaction.atomic
def start_honour_notice(honour: MoralModel, *, days: Any, acting_user: Any) -> MoralModel:
    """Post the approved nominee publicly for ``days`` days (from today, inclusive)."""
    try:
        n = int(days)
    except (TypeError, ValueError):
        raise InvalidInput(_("公示天数无效"), code="bad_days") from None
    if not MIN_NOTICE_DAYS <= n <= MAX_NOTICE_DAYS:
        raise InvalidInput(
            _("公示期为 %(a)d 到 %(b)d 天") % {"a": MIN_NOTICE_DAYS, "b": MAX_NOTICE_DAYS},
            code="bad_days",
        )
    honour = _move(honour, HonourStatus.NOTICE, acting_user)
    today = timezone.localdate()
    honour.notice_starts, honour.notice_ends = today, today + dt.timedelta(days=n - 1)
    honour.save(update_fields=["status", "notice_starts", "notice_ends", "updated_at"])
    audit.record(
        "volunteers.moral_model.notice", honour, actor=acting_user,
        after={"notice_ends": honour.notice_ends}, summary=honour.name,
    )  # fmt: skip
    return honour


@transaction.atomic
def publish_honour(honour: MoralModel, *, acting_user: Any) -> MoralModel:
    """Publish on the 好人榜 once the notice has ended without an open objection."""
    honour = _move(honour, HonourStatus.PUBLISHED, acting_user)
    if honour.notice_ends is None or timezone.localdate() <= honour.notice_ends:
        raise InvalidInput(_("公示期尚未结束，不能发布"), code="in_notice")
    if honour.objections.filter(status=ObjectionStatus.OPEN).exists():
        raise InvalidInput(_("尚有未处理的公示异议，请先处理"), code="open_objection")
    honour.published_at = timezone.now()
    honour.save(update_fields=["status", "published_at", "updated_at"])
    audit.record("volunteers.moral_model.published", honour, actor=acting_user, summary=honour.name)
    return honour
