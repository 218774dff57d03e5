"""Every write of the 六联 activities (the pairs themselves are written by org.services).

Either party of a pair (a liaison of the unit or of the community/village, or of a unit above
them) and the office record activities; leaders read only.
"""

from collections.abc import Sequence
from datetime import date
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.cases.photos import CheckedPhoto, check_photo
from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from chuangwen.org.actors import actor_scope, actor_user, require_office
from chuangwen.org.choices import Mechanism
from chuangwen.org.models import City, Pair

from .models import MAX_PARTICIPANTS, PairActivity, PairActivityPhoto, PairSettings

MAX_PHOTOS = 9
MAX_TITLE = 200
MAX_RESULT = 2000
EARLIEST = date(2000, 1, 1)
ACTIVITY_FIELDS = ["pair", "kind", "held_on", "title", "participants", "result"]


def can_record(actor: Any, pair: Pair) -> bool:
    """The actor may record activities of the pair (either party's subtree, or the office)."""
    scope = actor_scope(actor)
    if scope is None:
        return True
    if scope.city_id != pair.city_id or scope.is_anonymous:
        return False
    return scope.can_write_unit(pair.unit) or scope.can_write_unit(pair.community)


@transaction.atomic
def record_activity(
    pair: Pair,
    *,
    kind: str,
    held_on: date,
    title: str,
    participants: int,
    result: str = "",
    photos: Sequence[IO[bytes] | bytes] = (),
    acting_user: Any,
) -> PairActivity:
    """Record one 六联 activity of ``pair`` with its photos (validated images only)."""
    pair = Pair.objects.select_for_update().select_related("unit", "community").get(pk=pair.pk)
    if not can_record(acting_user, pair):
        raise PermissionDenied(_("只有结对双方或创建办可以记录六联活动"))
    if kind not in Mechanism.values:
        raise InvalidInput(
            _(
                "未知的六联类别「%(kind)s」，应为文明联创、卫生联洁、治安联防、应急联动、"
                "困难联帮或致富联带之一"
            )
            % {"kind": str(kind)[:40]},
            code="bad_kind",
        )
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("请填写活动名称"), code="title_required")
    if len(title) > MAX_TITLE:
        raise InvalidInput(_("活动名称不能超过 200 字"), code="title_too_long")
    result = (result or "").strip()
    if len(result) > MAX_RESULT:
        raise InvalidInput(_("活动成效不能超过 2000 字"), code="result_too_long")
    if not isinstance(participants, int) or not 1 <= participants <= MAX_PARTICIPANTS:
        raise InvalidInput(_("参与人数应为 1 至 100000 之间的整数"), code="bad_participants")
    if not isinstance(held_on, date):
        raise InvalidInput(_("请填写活动日期"), code="date_required")
    if held_on > timezone.localdate():
        raise InvalidInput(_("活动日期不能晚于今天"), code="future_date")
    if held_on < EARLIEST or (pair.started_on is not None and held_on < pair.started_on):
        raise InvalidInput(_("活动日期早于结对开始日期"), code="bad_date")
    if pair.ended_on is not None and held_on > pair.ended_on:
        raise InvalidTransition(
            _("结对已于 %(day)s 结束，不能记录此后的活动") % {"day": pair.ended_on.isoformat()},
            code="pair_ended",
        )
    if len(photos) > MAX_PHOTOS:
        raise InvalidInput(_("每次活动最多 9 张照片"), code="too_many_photos")
    checked = [check_photo(p) for p in photos]  # every photo checked before anything is written
    activity = PairActivity.objects.create(
        city_id=pair.city_id,
        pair=pair,
        kind=kind,
        held_on=held_on,
        title=title,
        participants=participants,
        result=result,
        recorded_by=actor_user(acting_user),
    )
    _save_photos(activity, checked)
    audit.record(
        "volunteers.pair_activity.recorded",
        activity,
        actor=acting_user,
        after={**audit.snapshot(activity, ACTIVITY_FIELDS), "photos": len(checked)},
        summary=f"{pair} {activity.get_kind_display()} {title}"[:300],
    )
    return activity


def _save_photos(activity: PairActivity, checked: Sequence[CheckedPhoto]) -> None:
    for photo in checked:
        PairActivityPhoto(activity=activity, width=photo.width, height=photo.height).store(photo)


@transaction.atomic
def add_activity_photos(
    activity: PairActivity, *, photos: Sequence[IO[bytes] | bytes], acting_user: Any
) -> PairActivity:
    """More photos of a recorded activity (up to 9 in all); every one checked first."""
    activity = PairActivity.objects.select_for_update().select_related("pair").get(pk=activity.pk)
    if not can_record(acting_user, activity.pair):
        raise PermissionDenied(_("只有结对双方或创建办可以记录六联活动"))
    if not photos:
        raise InvalidInput(_("请选择照片"), code="photo_required")
    if activity.photos.count() + len(photos) > MAX_PHOTOS:
        raise InvalidInput(_("每次活动最多 9 张照片"), code="too_many_photos")
    checked = [check_photo(p) for p in photos]
    _save_photos(activity, checked)
    audit.record(
        "volunteers.pair_activity.photos_added",
        activity,
        actor=acting_user,
        after={"photos": len(checked)},
        summary=str(activity)[:300],
    )
    return activity


@transaction.atomic
def set_inactive_months(city: City, *, months: int, acting_user: Any) -> PairSettings:
    """The office sets after how many months without an activity a running pair is flagged."""
    require_office(acting_user, city)
    if not isinstance(months, int) or not 1 <= months <= 24:
        raise InvalidInput(_("月数应为 1 至 24 之间的整数"), code="bad_months")
    row, _created = PairSettings.objects.select_for_update().get_or_create(city=city)
    before = row.inactive_months
    if before != months:
        row.inactive_months = months
        row.save(update_fields=["inactive_months", "updated_at"])
        audit.record(
            "volunteers.pair_settings.updated",
            row,
            actor=acting_user,
            before={"inactive_months": before},
            after={"inactive_months": months},
            summary=_("不活跃结对：%(n)d 个月无活动") % {"n": months},
        )
    return row
