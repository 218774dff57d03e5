"""The workflow transitions (立案, 不予立案, 派遣, 退回, 签收, 处置, 核查, 结案, 评价). Each locks
the case, checks scope (404 alike), role (403) and state (409), then finishes in one place:
the case row, one CaseEvent, one audit row, the state counts."""

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import IO, Any

from django.db import transaction
from django.db.models import Avg, F
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from chuangwen.core.geo import Coordinate, distance_m, to_wgs84
from chuangwen.org.actors import (
    OFFICE_ONLY,
    actor_scope,
    actor_user,
    is_public,
    office_allows,
)
from chuangwen.org.choices import Role
from chuangwen.org.models import Membership, Person, Unit
from chuangwen.org.scope import Scope

from ..choices import (
    MERGEABLE,
    TRANSITIONS,
    Action,
    ExtensionStatus,
    NoLocationPolicy,
    PhotoKind,
    Resolution,
    State,
    target_state,
)
from ..models import Case, CaseEvent, Category, Extension, Report
from ..photos import check_photo
from ..scope import can_see
from ..workdays import WorkCalendar
from .common import (
    CASE_FIELDS,
    _bump_counts,
    _covers,
    _grid_worker_users,
    _office_users,
    _paths_for_roles,
    _reporter_users,
    _unit_users,
    notify,
    save_photo,
)
from .configuration import duplicate_settings
from .intake import suggest_unit

VERIFY_MAX_DISTANCE_M = 500


def _begin(case: Case | int, action: str, acting_user: Any) -> tuple[Case, Scope | None, str]:
    """Lock the case and check it is visible to the actor (404 alike for missing and out of
    scope). The role and state checks follow in each service (``_allowed``)."""
    pk = case if isinstance(case, int) else case.pk
    locked = Case.objects.select_for_update().filter(pk=pk).first()
    if locked is None:
        raise NotFound()
    scope = actor_scope(acting_user)
    if scope is not None and not can_see(scope, locked):
        raise NotFound()
    return locked, scope, action


def _target(case: Case, action: str) -> str:
    try:
        return target_state(action, case.state)  # type: ignore[return-value]
    except KeyError:
        raise InvalidTransition(
            _("案件当前状态为「%(s)s」，不能执行「%(a)s」")
            % {"s": State(case.state).label, "a": Action(action).label}
        ) from None


# --- who may take each action: the checks the services run, and allowed_actions from them ---


# Each check takes the actor's scope (``None``: the system), so that a page can run them for
# many cases on the scope it has already read (``actions_for_scope``).


def _office(scope: Scope | None, case: Case) -> None:
    """The city's office (or the system)."""
    if not office_allows(scope, case.city_id):
        raise PermissionDenied(OFFICE_ONLY)


def _unit(scope: Scope | None, case: Case) -> None:
    """The responsible unit's liaisons (its subtree) act for the unit; the office may too."""
    if scope is None or (scope.write_all and scope.city_id == case.city_id):
        return
    if not _covers(_paths_for_roles(scope, {Role.UNIT_LIAISON}), case.unit_path):
        raise PermissionDenied(_("只有责任单位的联络员可以执行此操作"))


def _handler(scope: Scope | None, case: Case) -> None:
    """Handling (签收, 处置, 申请延期): the responsible unit's liaisons, or, once the case is
    passed down (下派), the handling unit's liaisons or the grid worker it went to."""
    if scope is None or (scope.write_all and scope.city_id == case.city_id):
        return
    if case.handler_id is not None and case.handler_id == scope.person_id:
        return
    liaisons = _paths_for_roles(scope, {Role.UNIT_LIAISON})
    if not _covers(liaisons, case.unit_path, case.handler_path):
        raise PermissionDenied(_("只有责任单位或承办单位的联络员可以执行此操作"))


def _verifier(scope: Scope | None, case: Case) -> None:
    """Verification: the office, an inspector over the case, or a grid worker of its area —
    never the person who reported the handling."""
    if scope is not None and not (scope.write_all and scope.city_id == case.city_id):
        inspectors = _paths_for_roles(scope, {Role.INSPECTOR})
        workers = _paths_for_roles(scope, {Role.GRID_WORKER})
        if not (
            _covers(inspectors, case.unit_path, case.area_path) or _covers(workers, case.area_path)
        ):
            raise PermissionDenied(_("只有督查员、网格员或创建办可以核查"))
    user_id = scope.user_id if scope is not None else None
    if user_id is not None and case.handled_by_id == user_id:
        raise PermissionDenied(_("核查人不能是处置人本人"), code="same_person")


def _photographer(scope: Scope | None, case: Case) -> None:
    """More photos: anyone who may see the case and write, except read-only leaders."""
    if scope is None:
        return
    if scope.read_only and not scope.person_id:
        raise PermissionDenied()
    if Role.LEADER in scope.roles and not scope.write_all:
        raise PermissionDenied(_("领导账号只读"))


def _extension_open(case: Case) -> None:
    """A unit may ask for more time only before the deadline, one request at a time."""
    if case.deadline is None or timezone.now() >= case.deadline:
        raise InvalidTransition(_("已超过处置时限，不能再申请延期"), code="too_late")
    if Extension.objects.filter(case=case, status=ExtensionStatus.PENDING).exists():
        raise InvalidTransition(_("已有待审批的延期申请"), code="pending_exists")


ROLE_CHECKS: dict[str, Callable[[Scope | None, Case], None]] = {
    Action.REGISTER: _office,
    Action.REJECT: _office,
    Action.DISPATCH: _office,
    Action.CLOSE: _office,
    Action.RETURN: _unit,
    Action.ASSIGN: _unit,
    Action.ACCEPT: _handler,
    Action.HANDLE: _handler,
    Action.VERIFY: _verifier,
    Action.REWORK: _verifier,
    Action.EXTENSION_REQUEST: _handler,
    Action.EXTENSION_APPROVE: _office,
    Action.EXTENSION_REFUSE: _office,
    Action.PHOTO: _photographer,
}


# conditions beyond the state table that decide whether an action can be taken at all
def _extension_pending(case: Case) -> None:
    if not Extension.objects.filter(case=case, status=ExtensionStatus.PENDING).exists():
        raise InvalidTransition(_("没有待审批的延期申请"), code="no_pending")


PRECONDITIONS: dict[str, Callable[[Case], None]] = {
    Action.EXTENSION_REQUEST: _extension_open,
    Action.EXTENSION_APPROVE: _extension_pending,
    Action.EXTENSION_REFUSE: _extension_pending,
}


def _state_allows(case: Case, action: str) -> str:
    """The state table (409) and the action's preconditions; the state the action leads to."""
    target = _target(case, action) if action in TRANSITIONS else case.state
    if action in PRECONDITIONS:
        PRECONDITIONS[action](case)
    return target


def _allowed(case: Case, action: str, acting_user: Any, scope: Scope | None) -> str:
    """The role check (403), then the state checks (409); returns the state the action leads
    to. The services run this, and ``allowed_actions`` runs the same two parts."""
    ROLE_CHECKS[action](scope, case)
    return _state_allows(case, action)


def allowed_actions(case: Case, *, acting_user: Any) -> set[str]:
    """The actions ``acting_user`` may take on ``case`` now: exactly those whose service would
    pass its role, state and precondition checks (the page offers these and no others). Input
    the actor still has to give (a reason, a photo, a place) is checked when they give it."""
    return actions_for_scope(case, actor_scope(acting_user))


def actions_for_scope(
    case: Case, scope: Scope | None, only: Collection[str] | None = None
) -> set[str]:
    """``allowed_actions`` for a scope already read (a page listing many cases reads it once);
    ``only`` limits the answer (and the checks run) to those actions."""
    if scope is not None and not can_see(scope, case):
        return set()
    permitted: dict[Any, bool] = {}  # each role check runs once
    out: set[str] = set()
    for action, check in ROLE_CHECKS.items():
        if only is not None and action not in only:
            continue
        if check not in permitted:
            try:
                check(scope, case)
                permitted[check] = True
            except PermissionDenied:
                permitted[check] = False
        if not permitted[check]:
            continue
        try:
            _state_allows(case, action)
        except InvalidTransition:
            continue
        out.add(action)
    return out


def _finish(
    case: Case,
    action: str,
    from_state: str,
    fields: Sequence[str],
    *,
    acting_user: Any,
    before: dict[str, Any],
    old_unit_id: int | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    audit_extra: dict[str, Any] | None = None,
) -> CaseEvent:
    case.save(update_fields=[*fields, "updated_at"])
    event = CaseEvent.objects.create(
        case=case,
        actor=actor_user(acting_user),
        action=action,
        from_state=from_state,
        to_state=case.state if case.state != from_state else "",
        note=note,
        data=data or {},
    )
    b, a = audit.changes(before, audit.snapshot(case, CASE_FIELDS))
    audit.record(
        f"cases.case.{action}",
        case,
        actor=acting_user,
        before=b,
        after={**a, **({"note": note} if note else {}), **(audit_extra or {})},
        summary=f"{case.number} {note}"[:300],
    )
    if from_state != case.state or old_unit_id != case.unit_id:
        _bump_counts(
            case.city_id,
            Counter({(old_unit_id or 0, from_state): -1, (case.unit_id or 0, case.state): 1}),
        )
    return event


def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if len(text) < 2:
        raise InvalidInput(_("请填写%(w)s") % {"w": what}, code="reason_required")
    return text[:1000]


@transaction.atomic
def register_case(
    case: Case | int,
    *,
    category: Category | None = None,
    note: str = "",
    acting_user: Any,
) -> Case:
    """立案: the office accepts the report as a case (optionally fixing its category)."""
    case, scope, _action = _begin(case, Action.REGISTER, acting_user)
    target = _allowed(case, Action.REGISTER, acting_user, scope)
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    fields = ["state", "registered_at"]
    if category is not None:
        if category.city_id != case.city_id:
            raise InvalidInput(_("类别不属于本城市"), code="bad_category")
        case.category = category
        unit_id, dept = suggest_unit(category, case.area_unit_id)
        if unit_id != case.unit_id:
            case.unit_id = unit_id
            case.unit_path = (
                dept.path
                if dept is not None
                else Unit.objects.filter(pk=unit_id or 0).values_list("path", flat=True).first()
                or ""
            )
            fields += ["unit", "unit_path"]
        fields.append("category")
    case.state, case.registered_at = target, timezone.now()
    _finish(
        case,
        Action.REGISTER,
        from_state,
        fields,
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=note,
    )
    return case


@transaction.atomic
def reject_case(
    case: Case | int,
    *,
    reason: str,
    duplicate_of: Case | None = None,
    acting_user: Any,
) -> Case:
    """不予立案: not a case, or a duplicate of another (its reports move to that case, so every
    reporter still hears the outcome)."""
    case, scope, _action = _begin(case, Action.REJECT, acting_user)
    target = _allowed(case, Action.REJECT, acting_user, scope)
    reason = _reason(reason, _("不予立案的理由"))
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    fields = ["state", "resolution", "closed_at"]
    data: dict[str, Any] = {}
    if duplicate_of is not None:
        if duplicate_of.pk == case.pk or duplicate_of.city_id != case.city_id:
            raise InvalidInput(_("重复案件的原案件无效"), code="bad_duplicate")
        original = Case.objects.select_for_update().get(pk=duplicate_of.pk)
        if original.state not in MERGEABLE and original.state not in (State.CLOSED, State.RATED):
            raise InvalidInput(_("原案件已不予立案，不能并入"), code="bad_duplicate")
        moved = Report.objects.filter(case=case).update(case=original)
        Case.objects.filter(pk=original.pk).update(report_count=F("report_count") + moved)
        CaseEvent.objects.create(
            case=original,
            actor=actor_user(acting_user),
            action=Action.MERGED,
            note=_("并单：案件 %(n)s 的 %(k)d 条上报并入") % {"n": case.number, "k": moved},
            data={"from_case": case.pk},
        )
        case.duplicate_of = original
        case.resolution = Resolution.DUPLICATE
        fields.append("duplicate_of")
        data["duplicate_of"] = original.pk
    else:
        case.resolution = Resolution.INVALID
    case.state, case.closed_at = target, timezone.now()
    _finish(
        case,
        Action.REJECT,
        from_state,
        fields,
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=reason,
        data=data,
    )
    notify(
        _reporter_users(case),
        case,
        _("您反映的问题 %(n)s 不予立案：%(r)s") % {"n": case.number, "r": reason},
    )
    return case


@transaction.atomic
def dispatch_case(
    case: Case | int,
    *,
    unit: Unit | None = None,
    category: Category | None = None,
    deadline: datetime | None = None,
    note: str = "",
    acting_user: Any,
) -> Case:
    """派遣 (and re-dispatch after a return): to the suggested unit unless another is named;
    the deadline comes from the category (working days on the Chinese calendar) unless given."""
    case, scope, _action = _begin(case, Action.DISPATCH, acting_user)
    target = _allowed(case, Action.DISPATCH, acting_user, scope)
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    if category is not None:
        if category.city_id != case.city_id:
            raise InvalidInput(_("类别不属于本城市"), code="bad_category")
        case.category = category
    cat = case.category
    if unit is None:
        if from_state == State.RETURNED:
            raise InvalidInput(_("退回的案件请改派给其他单位"), code="unit_required")
        if case.unit_id is None:
            unit_id, _dept = suggest_unit(cat, case.area_unit_id)
            if unit_id is None:
                raise InvalidInput(_("无法确定责任单位，请手工指定"), code="unit_required")
            case.unit_id = unit_id
        unit = Unit.objects.get(pk=case.unit_id)
    if unit.city_id != case.city_id or not unit.active:
        raise InvalidInput(_("责任单位无效"), code="bad_unit")
    now = timezone.now()
    if deadline is not None:
        if deadline <= now:
            raise InvalidInput(_("处置时限必须晚于当前时间"), code="bad_deadline")
        case.deadline_overridden = True
    elif cat is not None:
        deadline = WorkCalendar.for_city(case.city_id).deadline(
            now, cat.deadline_value, cat.deadline_unit, cat.deadline_working
        )
        case.deadline_overridden = False
    else:
        raise InvalidInput(_("请选择案件类别或指定处置时限"), code="deadline_required")
    case.unit, case.unit_path = unit, unit.path
    case.handler_unit, case.handler_path, case.handler = None, "", None  # a new dispatch
    case.deadline, case.dispatched_at, case.state = deadline, now, target
    _finish(
        case,
        Action.DISPATCH,
        from_state,
        [
            "state",
            "category",
            "unit",
            "unit_path",
            "handler_unit",
            "handler_path",
            "handler",
            "deadline",
            "deadline_overridden",
            "dispatched_at",
        ],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=note,
        data={"unit": unit.pk, "deadline": deadline.isoformat()},
    )
    notify(
        _unit_users(unit.pk, [Role.UNIT_LIAISON]),
        case,
        _("新派遣案件 %(n)s，请在 %(d)s 前处置")
        % {"n": case.number, "d": f"{timezone.localtime(deadline):%m-%d %H:%M}"},
    )
    return case


@transaction.atomic
def return_case(case: Case | int, *, reason: str, acting_user: Any) -> Case:
    """退回: the unit disputes the dispatch; the office re-dispatches."""
    case, scope, _action = _begin(case, Action.RETURN, acting_user)
    target = _allowed(case, Action.RETURN, acting_user, scope)
    reason = _reason(reason, _("退回理由"))
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    case.state = target
    _finish(
        case,
        Action.RETURN,
        from_state,
        ["state"],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=reason,
        data={"unit": case.unit_id},
    )
    notify(
        _office_users(case.city_id),
        case,
        _("案件 %(n)s 被退回：%(r)s") % {"n": case.number, "r": reason},
    )
    return case


@transaction.atomic
def assign_case(
    case: Case | int,
    *,
    unit: Unit | None = None,
    person: Person | None = None,
    note: str = "",
    acting_user: Any,
) -> Case:
    """下派: the responsible unit passes the handling down to one of its own units (a
    community) or to a grid worker in its area. It stays the responsible unit: the deadline,
    the counts and a return stay with it; passing down again replaces the handler."""
    case, scope, _action = _begin(case, Action.ASSIGN, acting_user)
    _allowed(case, Action.ASSIGN, acting_user, scope)
    if (unit is None) == (person is None):
        raise InvalidInput(_("请选择下派到的下级单位或网格员（二选一）"), code="handler_required")
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    if unit is not None:
        if (
            unit.city_id != case.city_id
            or not unit.active
            or unit.pk == case.unit_id
            or not unit.path.startswith(case.unit_path)
        ):
            raise InvalidInput(_("只能下派给责任单位的下级单位"), code="bad_unit")
        case.handler_unit, case.handler_path, case.handler = unit, unit.path, None
        recipients = _unit_users(unit.pk, [Role.UNIT_LIAISON])
        label = unit.name
    else:
        assert person is not None
        is_worker = Membership.objects.filter(
            person=person, role=Role.GRID_WORKER, unit__path__startswith=case.unit_path
        ).exists()
        if person.city_id != case.city_id or not person.active or not is_worker:
            raise InvalidInput(_("只能下派给责任单位辖区内的网格员"), code="bad_person")
        case.handler_unit, case.handler_path, case.handler = None, "", person
        recipients = [person.user_id]
        label = person.name
    _finish(
        case,
        Action.ASSIGN,
        from_state,
        ["handler_unit", "handler_path", "handler"],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=(f"{_('下派给')} {label}" + (f"：{note.strip()[:300]}" if note.strip() else "")),
        data={"unit": unit.pk if unit else None, "person": person.pk if person else None},
    )
    deadline = f"{timezone.localtime(case.deadline):%m-%d %H:%M}" if case.deadline else "—"
    notify(
        recipients,
        case,
        _("案件 %(n)s 已下派给您处置，请在 %(d)s 前处置") % {"n": case.number, "d": deadline},
    )
    return case


@transaction.atomic
def accept_case(case: Case | int, *, note: str = "", acting_user: Any) -> Case:
    """签收: the responsible unit starts handling."""
    case, scope, _action = _begin(case, Action.ACCEPT, acting_user)
    target = _allowed(case, Action.ACCEPT, acting_user, scope)
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    case.state = target
    _finish(
        case,
        Action.ACCEPT,
        from_state,
        ["state"],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=note,
    )
    return case


@transaction.atomic
def handle_case(
    case: Case | int,
    *,
    note: str,
    photos: Sequence[IO[bytes] | bytes] = (),
    acting_user: Any,
) -> Case:
    """处置反馈: the unit reports the problem handled, with after-photos."""
    case, scope, _action = _begin(case, Action.HANDLE, acting_user)
    target = _allowed(case, Action.HANDLE, acting_user, scope)
    note = _reason(note, _("处置情况"))
    checked = [check_photo(p) for p in photos]
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    case.state, case.handled_at, case.handled_by = target, timezone.now(), actor_user(acting_user)
    for photo in checked:
        save_photo(case, photo, PhotoKind.AFTER, user=actor_user(acting_user))
    _finish(
        case,
        Action.HANDLE,
        from_state,
        ["state", "handled_at", "handled_by"],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=note,
        data={"photos": len(checked), "on_time": not case.is_overdue},
    )
    notify(
        sorted({*_office_users(case.city_id), *_grid_worker_users(case)}),
        case,
        _("案件 %(n)s 已处置，待核查") % {"n": case.number},
    )
    return case


@transaction.atomic
def verify_case(
    case: Case | int,
    *,
    passed: bool,
    note: str = "",
    photos: Sequence[IO[bytes] | bytes] = (),
    lon: Coordinate = None,
    lat: Coordinate = None,
    no_location_reason: str = "",
    acting_user: Any,
) -> Case:
    """核查 on site by someone other than the handler, with a photo: passed → verified,
    failed → rework (back to the unit)."""
    action = Action.VERIFY if passed else Action.REWORK
    case, scope, _action = _begin(case, action, acting_user)
    target = _allowed(case, action, acting_user, scope)
    if not photos:
        raise InvalidInput(_("核查需要上传现场照片"), code="photo_required")
    if not passed:
        note = _reason(note, _("核查不通过的原因"))
    checked = [check_photo(p) for p in photos]
    where: tuple[float, float] | None = None
    if lon not in (None, "") and lat not in (None, ""):
        where = to_wgs84(lon, lat)
    else:
        where = next(
            ((p.lon, p.lat) for p in checked if p.lon is not None and p.lat is not None), None
        )
    data: dict[str, Any] = {}
    if where is None:
        # verification is on site: without a place the office's rule applies
        if duplicate_settings(case.city_id).verify_without_location == NoLocationPolicy.REFUSE:
            raise InvalidInput(
                _("核查须在现场定位（本市不允许无定位核查），请开启定位或上传带位置的照片"),
                code="location_required",
            )
        data["no_location_reason"] = _reason(no_location_reason, _("无定位核查的原因"))
    else:
        data.update(lon=where[0], lat=where[1])
    if where is not None and case.lon is not None:
        far = distance_m(where[0], where[1], case.lon, case.lat)  # type: ignore[arg-type]
        if far > VERIFY_MAX_DISTANCE_M:
            raise InvalidInput(
                _("核查位置距案件位置 %(d)d 米，需在现场核查") % {"d": far}, code="not_on_site"
            )
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    fields = ["state"]
    case.state = target
    if passed:
        case.verified_at = timezone.now()
        fields.append("verified_at")
    else:
        case.rework_count += 1
        fields.append("rework_count")
    for photo in checked:
        save_photo(case, photo, PhotoKind.VERIFY, user=actor_user(acting_user))
    _finish(
        case,
        action,
        from_state,
        fields,
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=note,
        data=data,
        audit_extra={k: v for k, v in data.items() if k == "no_location_reason"},
    )
    if passed:
        notify(
            _office_users(case.city_id),
            case,
            _("案件 %(n)s 已核查通过，待结案") % {"n": case.number},
        )
    else:
        notify(
            _unit_users(case.unit_id, [Role.UNIT_LIAISON]),
            case,
            _("案件 %(n)s 核查未通过，请返工：%(r)s") % {"n": case.number, "r": note},
        )
    return case


@transaction.atomic
def close_case(
    case: Case | int,
    *,
    resolution: str = Resolution.FIXED,
    note: str = "",
    acting_user: Any,
) -> Case:
    """结案. Only a verified case closes as fixed; a case closed as not ours or unfixable (from
    any open state after registration) never counts as fixed."""
    case, scope, _action = _begin(case, Action.CLOSE, acting_user)
    target = _allowed(case, Action.CLOSE, acting_user, scope)
    if resolution not in (Resolution.FIXED, Resolution.NOT_OURS, Resolution.UNFIXABLE):
        raise InvalidInput(_("结案结果无效"), code="bad_resolution")
    if case.state == State.VERIFIED and resolution != Resolution.FIXED:
        raise InvalidInput(_("已核查通过的案件只能以「已解决」结案"), code="bad_resolution")
    if case.state != State.VERIFIED:
        if resolution == Resolution.FIXED:
            raise InvalidTransition(_("案件未经核查，不能以「已解决」结案"))
        note = _reason(note, _("结案说明"))
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    case.state, case.resolution, case.closed_at = target, resolution, timezone.now()
    _finish(
        case,
        Action.CLOSE,
        from_state,
        ["state", "resolution", "closed_at"],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=note,
        data={"resolution": resolution},
    )
    notify(
        _reporter_users(case),
        case,
        _("您反映的问题 %(n)s 已办结（%(r)s），欢迎评价")
        % {"n": case.number, "r": Resolution(resolution).label},
    )
    return case


@transaction.atomic
def rate_report(
    report: Report | int, *, rating: int, comment: str = "", acting_user: Any
) -> Report:
    """满意度评价 by the reporter (their account; or ``PUBLIC``: whoever holds the report's
    tracking code, which the public page has checked), or the office on a 回访 call. The case
    becomes ``rated``."""
    pk = report if isinstance(report, int) else report.pk
    found = Report.objects.select_related("reporter").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    report = found
    scope = None if is_public(acting_user) else actor_scope(acting_user)
    if scope is not None and not (
        (scope.write_all and scope.city_id == report.city_id)
        or (scope.person_id is not None and report.reporter_id == scope.person_id)
    ):
        raise (
            NotFound()
            if scope.city_id != report.city_id
            else PermissionDenied(_("只有上报人本人可以评价"))
        )
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise InvalidInput(_("满意度必须是 1 到 5"), code="bad_rating")
    if report.rating is not None:
        raise InvalidTransition(_("该上报已评价过"))
    case = Case.objects.select_for_update().get(pk=report.case_id)
    target = _target(case, Action.RATE)
    before, old_unit, from_state = audit.snapshot(case, CASE_FIELDS), case.unit_id, case.state
    report.rating, report.rating_comment, report.rated_at = (
        rating,
        comment.strip()[:300],
        timezone.now(),
    )
    report.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    avg = Report.objects.filter(case=case, rating__isnull=False).aggregate(a=Avg("rating"))["a"]
    case.rating = round(avg) if avg is not None else rating
    case.state = target
    _finish(
        case,
        Action.RATE,
        from_state,
        ["state", "rating"],
        acting_user=acting_user,
        before=before,
        old_unit_id=old_unit,
        note=report.rating_comment,
        data={"report": report.pk, "rating": rating},
    )
    return report
