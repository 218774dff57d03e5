"""Deadline extensions (申请 / 审批) and extra photos on a case."""

from collections.abc import Sequence
from datetime import datetime
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, InvalidTransition, NotFound
from chuangwen.org.actors import actor_user

from ..choices import Action, ExtensionStatus, PhotoKind
from ..models import Case, CaseEvent, CasePhoto, Extension
from ..photos import check_photo
from .common import CASE_FIELDS, _office_users, notify, save_photo
from .workflow import _allowed, _begin, _finish, _reason


@transaction.atomic
def request_extension(
    case: Case | int, *, until: datetime, reason: str, acting_user: Any
) -> Extension:
    """The unit asks for more time, before the deadline passes."""
    case, scope, _action = _begin(case, Action.EXTENSION_REQUEST, acting_user)
    _allowed(case, Action.EXTENSION_REQUEST, acting_user, scope)
    reason = _reason(reason, _("延期理由"))
    if until <= case.deadline:  # type: ignore[operator]
        raise InvalidInput(_("申请的时限必须晚于当前时限"), code="bad_deadline")
    ext = Extension.objects.create(
        case=case,
        requested_by=actor_user(acting_user),
        old_deadline=case.deadline,
        requested_deadline=until,
        reason=reason,
    )
    _finish(
        case,
        Action.EXTENSION_REQUEST,
        case.state,
        [],
        acting_user=acting_user,
        before=audit.snapshot(case, CASE_FIELDS),
        old_unit_id=case.unit_id,
        note=reason,
        data={"extension": ext.pk, "until": until.isoformat()},
    )
    notify(_office_users(case.city_id), case, _("案件 %(n)s 申请延期") % {"n": case.number})
    return ext


@transaction.atomic
def decide_extension(
    extension: Extension | int,
    *,
    approve: bool,
    note: str = "",
    until: datetime | None = None,
    acting_user: Any,
) -> Extension:
    """The office approves (the deadline moves, optionally to another date) or refuses."""
    pk = extension if isinstance(extension, int) else extension.pk
    ext = Extension.objects.select_for_update().filter(pk=pk).first()
    if ext is None:
        raise NotFound()
    action = Action.EXTENSION_APPROVE if approve else Action.EXTENSION_REFUSE
    case, scope, _action = _begin(ext.case_id, action, acting_user)
    _allowed(case, action, acting_user, scope)
    if ext.status != ExtensionStatus.PENDING:
        raise InvalidTransition(_("该延期申请已审批"))
    if not approve:
        note = _reason(note, _("不同意的理由"))
    before = audit.snapshot(case, CASE_FIELDS)
    fields: list[str] = []
    if approve:
        new = until or ext.requested_deadline
        if case.deadline is not None and new <= case.deadline:
            raise InvalidInput(_("新的时限必须晚于当前时限"), code="bad_deadline")
        case.deadline, case.deadline_overridden = new, True
        fields = ["deadline", "deadline_overridden"]
    ext.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    ext.decided_by, ext.decided_at, ext.decision_note = (
        actor_user(acting_user),
        timezone.now(),
        note[:300],
    )
    ext.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    _finish(
        case,
        action,
        case.state,
        fields,
        acting_user=acting_user,
        before=before,
        old_unit_id=case.unit_id,
        note=note,
        data={"extension": ext.pk},
    )
    notify(
        [ext.requested_by_id] if ext.requested_by_id else [],
        case,
        (_("案件 %(n)s 延期申请已同意") if approve else _("案件 %(n)s 延期申请未同意"))
        % {"n": case.number},
    )
    return ext


@transaction.atomic
def add_photos(
    case: Case | int,
    photos: Sequence[IO[bytes] | bytes],
    *,
    kind: str = PhotoKind.BEFORE,
    acting_user: Any,
) -> list[CasePhoto]:
    """More before-photos from anyone who may see the case (e.g. an inspector on site)."""
    case, scope, _action = _begin(case, Action.PHOTO, acting_user)
    _allowed(case, Action.PHOTO, acting_user, scope)
    if kind not in PhotoKind.values:
        raise InvalidInput(_("照片类型无效"))
    checked = [check_photo(p) for p in photos]
    if not checked:
        raise InvalidInput(_("请选择照片"), code="photo_required")
    rows = [save_photo(case, p, kind, user=actor_user(acting_user)) for p in checked]
    CaseEvent.objects.create(
        case=case,
        actor=actor_user(acting_user),
        action=Action.PHOTO,
        data={"n": len(rows), "kind": kind},
    )
    return rows
