"""Moral models (nomination → review → 公示 → published), objection timing, civility
selections (checklist assessment → 公示 → award → 复查) and revocation proposals."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from chuangwen.cases import services as case_services
from chuangwen.cases.choices import Channel, Source
from chuangwen.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from chuangwen.indicators.models import SiteType
from chuangwen.org.actors import PUBLIC, SYSTEM
from chuangwen.volunteers.models import MoralModel, RevocationProposal, Selection
from chuangwen.volunteers.moral import services
from chuangwen.volunteers.moral.choices import (
    HonourCategory,
    HonourKind,
    HonourStatus,
    NominatedBy,
    ProposalStatus,
    RevocationSource,
    SelectionCategory,
    SelectionStatus,
)
from tests.inspections.helpers import mini_system

pytestmark = pytest.mark.django_db


def _nominate(sc, **kw) -> MoralModel:
    fields = dict(
        kind=HonourKind.GOOD_PERSON, category=HonourCategory.HELPING, year=2026, name="李爱民",
        title="十年照料孤寡老人", story="十年如一日照料邻居孤寡老人。",
        nominated_by=NominatedBy.CITIZEN, nominator_name="王五", nominator_phone="13912345678",
        unit=sc.community_a, acting_user=PUBLIC,
    )  # fmt: skip
    fields.update(kw)
    return services.nominate_honour(sc.city, **fields)


def _to_notice(sc, honour) -> MoralModel:
    office = sc.office.user
    honour = services.review_honour(honour, target=HonourStatus.SCREENED, acting_user=office)
    honour = services.review_honour(honour, target=HonourStatus.APPROVED, acting_user=office)
    return services.start_honour_notice(honour, days=7, acting_user=office)


def _end_notice(obj, field="notice_ends"):
    type(obj).objects.filter(pk=obj.pk).update(
        **{field: timezone.localdate() - dt.timedelta(days=1)}
    )
    obj.refresh_from_db()


def test_nomination_to_publication(small_city):
    sc = small_city
    honour = _nominate(sc)
    with pytest.raises(PermissionDenied):
        services.review_honour(honour, target=HonourStatus.SCREENED, acting_user=sc.liaison_a.user)
    with pytest.raises(InvalidTransition):  # stages in order
        services.start_honour_notice(honour, days=7, acting_user=sc.office.user)
    honour = _to_notice(sc, honour)
    assert honour.notice_ends == timezone.localdate() + dt.timedelta(days=6)
    with pytest.raises(InvalidInput, match="公示期尚未结束"):
        services.publish_honour(honour, acting_user=sc.office.user)
    _end_notice(honour)
    honour = services.publish_honour(honour, acting_user=sc.office.user)
    assert honour.status == HonourStatus.PUBLISHED and honour.published_at is not None


def test_a_unit_nominates_only_for_its_own_units(small_city):
    sc = small_city
    kw = dict(nominated_by=NominatedBy.UNIT, nominator_name="", nominator_phone="")
    honour = _nominate(sc, nominator_unit=sc.street_a, acting_user=sc.liaison_a.user, **kw)
    assert honour.nominator_unit == sc.street_a
    with pytest.raises(PermissionDenied):
        _nominate(sc, nominator_unit=sc.street_b, acting_user=sc.liaison_a.user, **kw)


def test_citizen_nomination_needs_a_mobile(small_city):
    with pytest.raises(InvalidInput, match="手机号"):
        _nominate(small_city, nominator_phone="12345")


def test_objection_during_notice_is_taken_after_it_is_refused(small_city):
    sc = small_city
    honour = _to_notice(sc, _nominate(sc))
    objection = services.file_objection(
        honour, text="事迹有夸大", contact_phone="13700000000", acting_user=PUBLIC
    )
    # the last day of the notice still takes objections
    type(honour).objects.filter(pk=honour.pk).update(notice_ends=timezone.localdate())
    honour.refresh_from_db()
    services.file_objection(
        honour, text="再补充一点", contact_phone="13700000000", acting_user=PUBLIC
    )
    _end_notice(honour)
    with pytest.raises(InvalidInput, match="公示期已结束"):
        services.file_objection(
            honour, text="晚了的异议", contact_phone="13700000000", acting_user=PUBLIC
        )
    assert honour.objections.count() == 2
    with pytest.raises(InvalidInput, match="未处理的公示异议"):
        services.publish_honour(honour, acting_user=sc.office.user)
    services.handle_objection(
        objection, uphold=True, note="经核实事迹不实", acting_user=sc.office.user
    )
    honour.refresh_from_db()
    assert honour.status == HonourStatus.REJECTED


def test_no_objection_before_notice(small_city):
    honour = _nominate(small_city)
    with pytest.raises(InvalidInput, match="公示期已结束（或未在公示）"):
        services.file_objection(honour, text="x", contact_phone="13700000000", acting_user=PUBLIC)


# --- selections ---------------------------------------------------------------------------------


@pytest.fixture
def kinds(small_city):
    mini_system(small_city.city)
    zd = SiteType.objects.get(city=small_city.city, code="ZD")
    office = SYSTEM
    community = services.create_selection_kind(
        small_city.city, category=SelectionCategory.COMMUNITY, name="文明社区", site_type=zd,
        pass_score=80, term_years=3, notice_days=7, acting_user=office,
    )  # fmt: skip
    family = services.create_selection_kind(
        small_city.city, category=SelectionCategory.FAMILY, name="文明家庭", acting_user=office
    )
    return {"community": community, "family": family}


def _answers(kind, *, good=True):
    items = services.checklist_for(kind)
    out = {}
    for item in items:
        if item.rule == "pass_fail":
            out[item.pk] = {"passed": good}
        elif item.rule == "ratio":
            out[item.pk] = {"value": 0.9 if good else 0.2}
        else:
            out[item.pk] = {"missing": 0 if good else 3}
    return out


def _awarded(sc, kind) -> Selection:
    sel = services.apply_for_selection(
        kind, year=2026, unit=sc.community_a, statement="创建材料", acting_user=sc.liaison_a.user
    )
    sel = services.assess_selection(sel, answers=_answers(kind), acting_user=sc.office.user)
    sel = services.start_selection_notice(sel, acting_user=sc.office.user)
    _end_notice(sel)
    return services.award_selection(sel, level="city", acting_user=sc.office.user)


def test_selection_is_assessed_against_the_checklist_and_awarded(small_city, kinds):
    sc = small_city
    kind = kinds["community"]
    assert len(services.checklist_for(kind)) == 3
    sel = services.apply_for_selection(
        kind, year=2026, unit=sc.community_a, acting_user=sc.liaison_a.user
    )
    with pytest.raises(PermissionDenied):
        services.apply_for_selection(
            kind, year=2026, unit=sc.community_b, acting_user=sc.liaison_a.user
        )
    with pytest.raises(InvalidInput, match="尚未评分"):
        services.assess_selection(sel, answers={}, acting_user=sc.office.user)
    low = services.assess_selection(
        sel, answers=_answers(kind, good=False), acting_user=sc.office.user
    )
    assert low.score < Decimal(80)
    with pytest.raises(InvalidInput, match="低于合格分"):
        services.start_selection_notice(low, acting_user=sc.office.user)
    sel = services.assess_selection(sel, answers=_answers(kind), acting_user=sc.office.user)
    # pass/fail 1 (1 point) + ratio 0.9 (1 point) + deduct none (6 points) → 7.9 / 8
    assert sel.score == Decimal("98.75")
    sel = services.start_selection_notice(sel, acting_user=sc.office.user)
    with pytest.raises(InvalidInput, match="公示期尚未结束"):
        services.award_selection(sel, acting_user=sc.office.user)
    _end_notice(sel)
    sel = services.award_selection(sel, level="province", acting_user=sc.office.user)
    assert sel.status == SelectionStatus.AWARDED and sel.level == "province"
    assert sel.next_review_on == timezone.localdate().replace(year=timezone.localdate().year + 3)


def test_family_selection_takes_an_overall_score(small_city, kinds):
    sc = small_city
    sel = services.apply_for_selection(
        kinds["family"], year=2026, family_name="张家", acting_user=sc.office.user
    )
    with pytest.raises(InvalidInput, match="请填写总分"):
        services.assess_selection(sel, acting_user=sc.office.user)
    sel = services.assess_selection(sel, overall="91.5", acting_user=sc.office.user)
    assert sel.score == Decimal("91.50")


def test_failed_reexamination_proposes_revocation_a_person_decides(small_city, kinds):
    sc = small_city
    sel = _awarded(sc, kinds["community"])
    review = services.reexamine_selection(sel, score=60, acting_user=sc.office.user)
    assert not review.passed
    proposal = RevocationProposal.objects.get(selection=sel)
    assert proposal.source == RevocationSource.REEXAM and proposal.status == ProposalStatus.OPEN
    sel.refresh_from_db()
    assert sel.status == SelectionStatus.AWARDED  # nothing revoked until someone decides
    services.decide_revocation(
        proposal, revoke=True, note="复查不合格，撤销称号", acting_user=sc.office.user
    )
    sel.refresh_from_db()
    assert sel.status == SelectionStatus.REVOKED and sel.revoked_on == timezone.localdate()


def test_negative_finding_for_the_unit_proposes_once(small_city, kinds):
    sc = small_city
    sel = _awarded(sc, kinds["community"])
    for _ in range(2):
        services.propose_revocation_for_unit(
            sc.community_a, source=RevocationSource.NEGATIVE_FINDING, ref="negativefinding:7",
            reason="发生较大负面舆情", acting_user=SYSTEM,
        )  # fmt: skip
    proposal = RevocationProposal.objects.get(selection=sel)
    services.decide_revocation(
        proposal, revoke=False, note="已整改到位", acting_user=sc.office.user
    )
    sel.refresh_from_db()
    assert sel.status == SelectionStatus.AWARDED
    with pytest.raises(PermissionDenied):
        services.decide_revocation(proposal, revoke=True, note="x", acting_user=sc.liaison_a.user)


def test_scan_proposes_revocation_for_serious_cases_against_the_holder(small_city, kinds):
    sc = small_city
    sel = _awarded(sc, kinds["community"])
    for source in (Source.MEDIA, Source.PATROL):
        case_services.intake_case(
            sc.city,
            case_services.IntakeData(
                source=source, description=f"{source} 暴露垃圾", lon=113.005, lat=28.005
            ),
            acting_user=SYSTEM,
            channel=Channel.FORM,
        )
    assert services.scan_serious_cases(sc.city, acting_user=SYSTEM) == 1  # the media case
    assert services.scan_serious_cases(sc.city, acting_user=SYSTEM) == 0
    proposal = RevocationProposal.objects.get(selection=sel)
    assert proposal.source == RevocationSource.SERIOUS_CASE and proposal.ref.startswith("case:")


def test_a_negative_list_finding_recorded_in_the_assessment_proposes_revocation(small_city, kinds):
    """The assessment app records the finding; the title's revocation is proposed (org.registry),
    nothing is revoked until the office decides."""
    from chuangwen.assessment import services as assessment
    from chuangwen.assessment.choices import UnitSanction
    from chuangwen.indicators.models import NegativeListItem

    sc = small_city
    sel = _awarded(sc, kinds["community"])
    f1 = NegativeListItem.objects.get(system__city=sc.city, code="F1")
    finding = assessment.record_finding(
        sc.city, unit=sc.community_a, item=f1, source="media", description="负面舆情",
        sanction=UnitSanction.DEDUCT, found_on=timezone.localdate(), acting_user=sc.office.user,
    )  # fmt: skip
    proposal = RevocationProposal.objects.get(selection=sel)
    assert proposal.source == RevocationSource.NEGATIVE_FINDING
    assert proposal.ref == f"negativefinding:{finding.pk}"
    sel.refresh_from_db()
    assert sel.status == SelectionStatus.AWARDED
