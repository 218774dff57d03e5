"""Objections raised during a 公示 — of a good deed, a moral-model nominee or a civility
selection — and their handling. Taken only while the notice runs (the last day included);
an upheld objection stops what was posted."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, NotFound
from chuangwen.core.text import is_mobile
from chuangwen.org.actors import actor_user, check_actor, require_office

from ...models import GoodDeed, MoralModel, PublicObjection, Selection
from ..choices import DeedStatus, HonourStatus, ObjectionStatus, SelectionStatus
from .bank import require_council
from .common import clean_text


def notice_open(target: Any) -> bool:
    """Whether ``target`` is in 公示 today (objections are taken)."""
    today = timezone.localdate()
    if isinstance(target, GoodDeed):
        return (
            target.status == DeedStatus.NOTICE
            and target.notice_until is not None
            and (today <= target.notice_until)
        )
    if isinstance(target, MoralModel | Selection):
        in_notice = target.status in (HonourStatus.NOTICE, SelectionStatus.NOTICE)
        return in_notice and target.notice_ends is not None and today <= target.notice_ends
    return False


@transaction.atomic
def file_objection(
    target: GoodDeed | MoralModel | Selection,
    *,
    text: str,
    contact_phone: str,
    contact_name: str = "",
    acting_user: Any,
) -> PublicObjection:
    """Anyone (also without an account) may object while the notice runs; after it has ended
    the objection is refused."""
    check_actor(acting_user)
    if not notice_open(target):
        raise InvalidInput(_("公示期已结束（或未在公示），不再受理异议"), code="notice_closed")
    text = clean_text(text, _("异议内容"), 1000)
    phone = clean_text(contact_phone, _("联系电话"), 20)
    if not is_mobile(phone):
        raise InvalidInput(_("请填写正确的 11 位手机号"), code="bad_phone")
    field = {GoodDeed: "deed", MoralModel: "honour", Selection: "selection"}[type(target)]
    objection = PublicObjection.objects.create(
        city_id=target.city_id, text=text, contact_phone=phone,
        contact_name=clean_text(contact_name, _("联系人"), 50, required=False),
        **{field: target},
    )  # fmt: skip
    audit.record("volunteers.objection.filed", objection, actor=acting_user, summary=text[:100])
    return objection


@transaction.atomic
def handle_objection(
    objection: PublicObjection, *, uphold: bool, note: str, acting_user: Any
) -> PublicObjection:
    """Decide an objection: upheld, the posted deed, nominee or selection does not go ahead
    (rejected / not awarded); dismissed, it goes on. A deed's objections are its bank council's,
    the others the office's."""
    objection = (
        PublicObjection.objects.select_for_update(of=("self",))  # (the targets: outer joins)
        .select_related("deed__bank", "honour", "selection")
        .get(pk=objection.pk)
    )
    if objection.deed is not None:
        require_council(acting_user, objection.deed.bank)
    else:
        require_office(acting_user, objection.city_id)
    if objection.status != ObjectionStatus.OPEN:
        raise InvalidInput(_("该异议已处理"), code="handled")
    note = clean_text(note, _("处理意见"), 300)
    if uphold:
        if objection.deed is not None and objection.deed.status == DeedStatus.NOTICE:
            objection.deed.status = DeedStatus.REJECTED
            objection.deed.review_note = note
            objection.deed.save(update_fields=["status", "review_note", "updated_at"])
        elif objection.honour is not None and objection.honour.status == HonourStatus.NOTICE:
            objection.honour.status = HonourStatus.REJECTED
            objection.honour.review_note = note
            objection.honour.save(update_fields=["status", "review_note", "updated_at"])
        elif objection.selection is not None and (
            objection.selection.status == SelectionStatus.NOTICE
        ):
            objection.selection.status = SelectionStatus.NOT_AWARDED
            objection.selection.note = note
            objection.selection.save(update_fields=["status", "note", "updated_at"])
        else:
            raise NotFound()
    objection.status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
    objection.handled_by, objection.handled_note = actor_user(acting_user), note
    objection.save(update_fields=["status", "handled_by", "handled_note", "updated_at"])
    audit.record(
        "volunteers.objection.handled", objection, actor=acting_user,
        after={"uphold": uphold}, summary=note,
    )  # fmt: skip
    return objection
