"""问政 (televised accountability, part B): episodes, the problems they exposed and the
commitments officials made on air, followed up until done and shown on the public exposure
board (曝光台).

- An exposed problem becomes a case with source 媒体曝光 through the cases intake service,
  registered and dispatched to the unit questioned with the deadline given on air.
- A commitment says what and by when: one without a deadline is refused.
- The unit reports progress; only the office confirms a commitment done; a later episode may
  review it again (兑现 / 部分兑现 / 未兑现), which reopens it when it was not kept.

Re-exported from ``chuangwen.citizens.services``.
"""

import datetime as dt
from collections.abc import Sequence
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.cases import services as case_services
from chuangwen.cases.choices import Source
from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from chuangwen.org.actors import actor_scope, actor_user, require_office, require_unit
from chuangwen.org.models import City, Unit

from .choices import COMMITMENT_TRANSITIONS, CommitmentStatus, ReviewVerdict
from .models import Commitment, CommitmentUpdate, Episode, Exposure
from .votes import MAX_TEXT, MAX_TITLE, clean_text

OFFICE_WENZHENG = _("只有创建办可以登记问政节目、曝光问题和承诺")
DEADLINE_HOUR = dt.time(18, 0)  # a case deadline given as a date: that day, end of office hours


def _unit_of_city(unit: Unit | None, city_id: int) -> Unit:
    if unit is None or unit.city_id != city_id or not unit.active:
        raise InvalidInput(_("请选择本市有效的单位"), code="bad_unit")
    return unit


@transaction.atomic
def create_episode(
    city: City,
    *,
    aired_on: dt.date,
    programme: str,
    topic: str,
    note: str = "",
    acting_user: Any,
) -> Episode:
    require_office(acting_user, city, OFFICE_WENZHENG)
    if aired_on is None:
        raise InvalidInput(_("请填写播出日期"), code="required")
    if aired_on > timezone.localdate() + dt.timedelta(days=60):
        raise InvalidInput(_("播出日期太远，请检查"), code="bad_date")
    if aired_on < dt.date(2000, 1, 1):
        raise InvalidInput(_("播出日期不合理，请检查"), code="bad_date")
    episode = Episode.objects.create(
        city=city,
        aired_on=aired_on,
        programme=clean_text(programme, 100, _("栏目"), required=True),
        topic=clean_text(topic, MAX_TITLE, _("本期主题"), required=True),
        note=clean_text(note, MAX_TEXT, _("说明")),
        created_by=actor_user(acting_user),
    )
    audit.record(
        "citizens.episode.created",
        episode,
        actor=acting_user,
        after={"aired_on": aired_on, "programme": episode.programme, "topic": episode.topic},
        summary=str(episode),
    )
    return episode


@transaction.atomic
def expose_problem(
    episode: Episode,
    *,
    title: str,
    description: str,
    unit: Unit,
    deadline: dt.date,
    address: str = "",
    lon: float | None = None,
    lat: float | None = None,
    photos: Sequence[IO[bytes] | bytes] = (),
    acting_user: Any,
) -> Exposure:
    """A problem shown on air: a 媒体曝光 case (through intake), registered and dispatched to
    the unit questioned, to be handled by ``deadline``."""
    require_office(acting_user, episode.city_id, OFFICE_WENZHENG)
    unit = _unit_of_city(unit, episode.city_id)
    title = clean_text(title, MAX_TITLE, _("问题"), required=True)
    description = clean_text(description, MAX_TEXT, _("问题描述"))
    if deadline is None:
        raise InvalidInput(_("请填写整改时限"), code="deadline_required")
    due = dt.datetime.combine(deadline, DEADLINE_HOUR, tzinfo=timezone.get_current_timezone())
    if due <= timezone.now():
        raise InvalidInput(_("整改时限必须晚于现在"), code="bad_deadline")
    city = City.objects.get(pk=episode.city_id)
    intro = _("【%(p)s %(d)s 曝光】%(t)s") % {
        "p": episode.programme,
        "d": f"{episode.aired_on:%Y-%m-%d}",
        "t": title,
    }
    result = case_services.intake_case(
        city,
        case_services.IntakeData(
            source=Source.MEDIA,
            description=f"{intro}\n{description}".strip(),
            lon=lon,
            lat=lat,
            address=address,
            photos=photos,
        ),
        acting_user=acting_user,
    )
    case = case_services.register_case(result.case, note=intro, acting_user=acting_user)
    case = case_services.dispatch_case(
        case, unit=unit, deadline=due, note=intro, acting_user=acting_user
    )
    exposure = Exposure.objects.create(
        city_id=episode.city_id, episode=episode, title=title, unit=unit, case=case
    )
    audit.record(
        "citizens.exposure.created",
        exposure,
        actor=acting_user,
        after={"episode": episode.pk, "unit": unit.pk, "case": case.pk},
        summary=title,
    )
    return exposure


@transaction.atomic
def make_commitment(
    episode: Episode,
    *,
    unit: Unit,
    official: str,
    content: str,
    due_on: dt.date | None,
    exposure: Exposure | None = None,
    acting_user: Any,
) -> Commitment:
    """Record what an official promised on air, and by when (a promise without a date is not
    a commitment the public can hold anyone to: refused)."""
    require_office(acting_user, episode.city_id, OFFICE_WENZHENG)
    unit = _unit_of_city(unit, episode.city_id)
    if due_on is None:
        raise InvalidInput(
            _("承诺必须写明完成时限（哪一天之前做到），没有时限的承诺不予登记"),
            code="deadline_required",
        )
    if due_on < episode.aired_on:
        raise InvalidInput(_("承诺完成时限不能早于播出日期"), code="bad_deadline")
    if due_on > episode.aired_on + dt.timedelta(days=3 * 366):
        raise InvalidInput(_("承诺完成时限超过三年，请检查"), code="bad_deadline")
    if exposure is not None and exposure.episode_id != episode.pk:
        raise InvalidInput(_("曝光问题不属于本期节目"), code="bad_exposure")
    commitment = Commitment.objects.create(
        city_id=episode.city_id,
        episode=episode,
        exposure=exposure,
        unit=unit,
        unit_path=unit.path,
        official=clean_text(official, 100, _("表态人职务"), required=True),
        content=clean_text(content, MAX_TEXT, _("承诺内容"), required=True),
        due_on=due_on,
    )
    audit.record(
        "citizens.commitment.made",
        commitment,
        actor=acting_user,
        after={"episode": episode.pk, "unit": unit.pk, "due_on": due_on},
        summary=commitment.content[:100],
    )
    return commitment


def _move(commitment: Commitment, to: str) -> None:
    if to not in COMMITMENT_TRANSITIONS[commitment.status]:
        raise InvalidTransition(
            _("承诺当前状态为「%(s)s」，不能改为「%(t)s」")
            % {"s": CommitmentStatus(commitment.status).label, "t": CommitmentStatus(to).label}
        )


@transaction.atomic
def follow_up(
    commitment: Commitment, *, text: str, done: bool = False, acting_user: Any
) -> CommitmentUpdate:
    """跟踪: the unit (or the office) reports progress; ``done`` — confirmed by the office
    only — marks the commitment kept."""
    commitment = Commitment.objects.select_for_update().select_related("unit").get(pk=commitment.pk)
    require_unit(acting_user, commitment.unit, _("只有承诺单位或创建办可以跟踪此承诺"))
    if done:
        scope = actor_scope(acting_user)
        if scope is not None and not (scope.write_all and scope.city_id == commitment.city_id):
            raise PermissionDenied(_("承诺是否兑现由创建办确认"), code="office_confirms")
    to = CommitmentStatus.DONE if done else CommitmentStatus.IN_PROGRESS
    _move(commitment, to)
    update = _update(commitment, to, text, acting_user=acting_user)
    audit.record(
        "citizens.commitment.followed_up",
        commitment,
        actor=acting_user,
        after={"status": to},
        summary=update.text[:100],
    )
    return update


def _update(
    commitment: Commitment,
    to: str,
    text: str,
    *,
    episode: Episode | None = None,
    verdict: str = "",
    acting_user: Any,
) -> CommitmentUpdate:
    text = clean_text(text, MAX_TEXT, _("进展/结论"), required=True)
    commitment.status = to
    if to == CommitmentStatus.DONE:
        commitment.done_at = commitment.done_at or timezone.now()
    else:
        commitment.done_at = None
    commitment.save(update_fields=["status", "done_at", "updated_at"])
    return CommitmentUpdate.objects.create(
        commitment=commitment,
        episode=episode,
        verdict=verdict,
        text=text,
        status_after=to,
        by=actor_user(acting_user),
    )


@transaction.atomic
def review_commitment(
    commitment: Commitment,
    *,
    episode: Episode,
    verdict: str,
    text: str,
    acting_user: Any,
) -> CommitmentUpdate:
    """A later episode looks at the commitment again: kept → done; partly or not kept → back
    to 推进中 (also when it had been marked done)."""
    require_office(acting_user, commitment.city_id, OFFICE_WENZHENG)
    commitment = (
        Commitment.objects.select_for_update().select_related("episode").get(pk=commitment.pk)
    )
    if verdict not in ReviewVerdict.values:
        raise InvalidInput(_("复查结论无效"), code="bad_verdict")
    if (
        episode.city_id != commitment.city_id
        or episode.pk == commitment.episode_id
        or episode.aired_on < commitment.episode.aired_on
    ):
        raise InvalidInput(_("复查须在做出承诺之后的节目中进行"), code="bad_episode")
    to = (
        CommitmentStatus.DONE
        if verdict == ReviewVerdict.FULFILLED
        else CommitmentStatus.IN_PROGRESS
    )
    update = _update(
        commitment, to, text, episode=episode, verdict=verdict, acting_user=acting_user
    )
    audit.record(
        "citizens.commitment.reviewed",
        commitment,
        actor=acting_user,
        after={"episode": episode.pk, "verdict": verdict, "status": to},
        summary=update.text[:100],
    )
    return update
