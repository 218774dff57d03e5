import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from chuangwen.core.audit import AuditEvent
from chuangwen.core.errors import ImportFailed, InvalidInput, PermissionDenied
from chuangwen.core.xlsx import Sheet, write_workbook
from chuangwen.org.actors import PUBLIC, SYSTEM
from chuangwen.org.choices import Role
from chuangwen.org.models import Membership
from chuangwen.tasks.formula import FormulaError
from chuangwen.tasks.metrics import evaluate_formula
from chuangwen.volunteers import hooks, idcard, selectors, services
from chuangwen.volunteers.choices import CheckAction, RecordKind
from chuangwen.volunteers.models import Attendance, ServiceRecord, Signup, Volunteer
from tests import factories
from tests.factories import PASSWORD
from tests.volunteers.helpers import PLACE, activity, id_number, register

pytestmark = pytest.mark.django_db

# the example number printed in GB 11643-1999 (check character X)
STANDARD_EXAMPLE = "11010519491231002X"


# --- ID card numbers ---------------------------------------------------------------------------


def test_id_check_digit_of_the_standards_example():
    assert idcard.check_char(STANDARD_EXAMPLE[:17]) == "X"
    assert idcard.validate_id_number("110105 19491231 002x") == STANDARD_EXAMPLE


@pytest.mark.parametrize(
    ("raw", "code", "words"),
    [
        ("110105194912310021", "bad_id_check", "校验位错误：最后一位应为「X」"),
        ("11010519491231002", "bad_id_shape", "18 位"),
        ("110105194913310023", "bad_id_date", "出生日期"),
        ("", "id_required", "请填写身份证号码"),
    ],
)
def test_bad_id_numbers_are_refused_with_the_reason(raw, code, words):
    with pytest.raises(InvalidInput) as exc:
        idcard.validate_id_number(raw)
    assert exc.value.code == code
    assert words in str(exc.value.message)


def test_registration_with_a_wrong_check_digit_changes_nothing(small_city):
    number = id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    users_before = Membership.objects.count()
    with pytest.raises(InvalidInput, match="校验位错误"):
        register(small_city.city, small_city.community_a, number=wrong)
    assert Volunteer.objects.count() == 0
    assert Membership.objects.count() == users_before


# --- registration, encryption at rest, reveal -------------------------------------------------


def test_registration_creates_login_person_membership_and_encrypts_the_id(small_city):
    number = id_number()
    v = register(small_city.city, small_city.community_a, name="王芳", phone="13912345678",
                 number=number)  # fmt: skip
    assert v.person.user.username == "13912345678"
    assert v.person.user.check_password(PASSWORD)
    assert Membership.objects.filter(
        person=v.person, unit=small_city.community_a, role=Role.VOLUNTEER
    ).exists()
    assert v.id_masked == number[:3] + "*" * 11 + number[-4:]
    # the raw database row holds no plain ID number in any column
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM volunteers_volunteer WHERE id = %s", [v.pk])
        row = cursor.fetchone()
    assert row is not None
    assert not any(number in str(col) for col in row)
    assert not any(number[6:14] in str(col) for col in row if isinstance(col, str))
    assert not AuditEvent.objects.filter(after__icontains=number).exists()
    from chuangwen.core import crypto

    assert crypto.decrypt(Volunteer.objects.get(pk=v.pk).id_cipher) == number


def test_the_same_id_number_registers_once(small_city):
    number = id_number()
    register(small_city.city, small_city.community_a, number=number)
    with pytest.raises(InvalidInput, match="已注册"):
        register(small_city.city, small_city.community_b, number=number)
    assert Volunteer.objects.count() == 1


def test_reveal_is_for_the_office_only_and_audited(vc):
    sc = vc.sc
    number = services.reveal_id_number(
        vc.volunteer, reason="核对保险信息", acting_user=sc.office.user
    )
    assert idcard.validate_id_number(number) == number
    event = AuditEvent.objects.get(code="volunteers.volunteer.id_revealed")
    assert event.actor == sc.office.user
    assert event.after == {"reason": "核对保险信息"}
    with pytest.raises(PermissionDenied):
        services.reveal_id_number(vc.volunteer, reason="看看", acting_user=sc.liaison_a.user)
    with pytest.raises(InvalidInput, match="事由"):
        services.reveal_id_number(vc.volunteer, reason=" ", acting_user=sc.office.user)
    assert AuditEvent.objects.filter(code="volunteers.volunteer.id_revealed").count() == 1


def _xlsx(rows):
    headers = ["姓名", "手机号", "身份证号", "服务区域", "技能特长", "志愿服务队"]
    return write_workbook([Sheet("志愿者", headers, rows)])


def test_import_is_all_or_nothing_then_imported_volunteers_activate(small_city):
    sc = small_city
    good, other = id_number(), id_number()
    bad = other[:17] + ("0" if other[17] != "0" else "1")
    area = sc.community_a.code
    with pytest.raises(ImportFailed) as exc:
        services.import_volunteers(
            sc.city,
            _xlsx(
                [
                    ["甲", "13700000001", good, area, "文明劝导、交通引导", ""],
                    ["乙", "13700000002", bad, area, "", ""],
                    ["丙", "13700000003", good, "不存在的社区", "", "无此队"],
                ]
            ),
            acting_user=sc.office.user,
        )
    messages = [str(e) for e in exc.value.errors]
    assert any("第 3 行" in m and "校验位错误" in m for m in messages)
    assert any("第 4 行" in m and "与第 2 行重复" in m for m in messages)
    assert any("第 4 行" in m and "服务队「无此队」不存在" in m for m in messages)
    assert Volunteer.objects.count() == 0
    n = services.import_volunteers(
        sc.city,
        _xlsx([["甲", "13700000001", good, area, "文明劝导、交通引导", ""]]),
        acting_user=sc.office.user,
    )
    assert n == 1
    v = Volunteer.objects.get()
    assert v.skills == ["文明劝导", "交通引导"]
    assert not v.person.user.has_usable_password()
    # registering with the same phone and ID number sets the password of the imported login
    again = register(sc.city, sc.community_a, name="甲", phone="13700000001", number=good)
    assert again.pk == v.pk
    again.person.user.refresh_from_db()
    assert again.person.user.check_password(PASSWORD)


def test_import_needs_the_office(small_city):
    with pytest.raises(PermissionDenied):
        services.import_volunteers(
            small_city.city, _xlsx([]), acting_user=small_city.liaison_a.user
        )


# --- check-in, check-out and hours ---------------------------------------------------------------


def test_hours_are_check_in_to_check_out_confirmed_by_the_organiser(vc):
    t0 = timezone.now()
    vc.check(CheckAction.IN, at=t0)
    assert Signup.objects.filter(activity=vc.activity, volunteer=vc.volunteer).exists()
    res = vc.check(CheckAction.OUT, at=t0 + dt.timedelta(minutes=95, seconds=40))
    assert res.attendance.minutes == 95
    vc.volunteer.refresh_from_db()
    assert vc.volunteer.total_minutes == 0  # nothing counts before the organiser confirms
    records = services.confirm_hours(vc.activity, acting_user=vc.sc.office.user)
    assert [(r.kind, r.minutes) for r in records] == [(RecordKind.SERVICE, 95)]
    assert records[0].started_at == t0
    vc.volunteer.refresh_from_db()
    assert vc.volunteer.total_minutes == 95
    with pytest.raises(InvalidInput, match="没有可确认"):
        services.confirm_hours(vc.activity, acting_user=vc.sc.office.user)


def test_only_the_organising_unit_confirms(vc):
    vc.check(CheckAction.IN)
    vc.check(CheckAction.OUT)
    with pytest.raises(PermissionDenied):
        services.confirm_hours(vc.activity, acting_user=vc.sc.liaison_b.user)
    records = services.confirm_hours(vc.activity, acting_user=vc.sc.liaison_a.user)  # district A
    assert len(records) == 1


def test_corrections_are_new_ledger_rows(vc):
    t0 = timezone.now()
    vc.check(CheckAction.IN, at=t0)
    vc.check(CheckAction.OUT, at=t0 + dt.timedelta(minutes=60))
    (record,) = services.confirm_hours(vc.activity, acting_user=vc.sc.office.user)
    fix = services.correct_record(
        record, minutes=30, reason="签退前忘记扫码，现场核实", acting_user=vc.sc.office.user
    )
    record.refresh_from_db()
    assert record.minutes == 60  # never edited
    assert (fix.kind, fix.minutes, fix.corrects_id) == (RecordKind.CORRECTION, 30, record.pk)
    vc.volunteer.refresh_from_db()
    assert vc.volunteer.total_minutes == 90
    with pytest.raises(InvalidInput, match="最多可减 90 分钟"):
        services.correct_record(record, minutes=-91, reason="多记", acting_user=vc.sc.office.user)
    with pytest.raises(InvalidInput, match="不能更正一条更正"):
        services.correct_record(fix, minutes=-5, reason="再改", acting_user=vc.sc.office.user)
    with pytest.raises(InvalidInput, match="原因"):
        services.correct_record(record, minutes=-5, reason="", acting_user=vc.sc.office.user)
    assert ServiceRecord.objects.count() == 2
    assert selectors.service_summary(vc.volunteer)[1] == 90


def _refused(vc, code, **kw):
    counts = (Attendance.objects.count(), AuditEvent.objects.count(), Signup.objects.count())
    with pytest.raises(InvalidInput) as exc:
        vc.check(**kw)
    assert exc.value.code == code, exc.value.message
    assert (
        Attendance.objects.count(),
        AuditEvent.objects.count(),
        Signup.objects.count(),
    ) == counts
    return str(exc.value.message)


def test_bad_scans_are_refused_with_nothing_changed(vc):
    # check-out before check-in
    assert "尚未签到" in _refused(vc, "not_checked_in", action=CheckAction.OUT)
    # GPS far from the place (about 1.1 km north)
    far = (PLACE[0], PLACE[1] + 0.01)
    assert "超出 300 米的签到范围" in _refused(vc, "too_far", action=CheckAction.IN, place=far)
    # no position at all
    assert "未获取到您的位置" in _refused(vc, "no_position", action=CheckAction.IN, place=None)
    # a QR code of another activity
    other = activity(vc.city, vc.sc.community_a)
    token = services.checkin_token(other, CheckAction.IN)
    assert "另一项活动" in _refused(vc, "qr_other_activity", action=CheckAction.IN, token=token)
    # an expired QR code: signed 11 minutes ago, valid for 10
    past = timezone.now().timestamp() - 11 * 60
    with mock.patch("django.core.signing.time.time", return_value=past):
        old = services.checkin_token(vc.activity, CheckAction.IN)
    assert "已过期" in _refused(vc, "qr_expired", action=CheckAction.IN, token=old)
    # a forged one
    assert "无效" in _refused(vc, "qr_invalid", action=CheckAction.IN, token="abc:def:ghi")
    # a second check-in
    vc.check(CheckAction.IN)
    assert "请勿重复签到" in _refused(vc, "already_checked_in", action=CheckAction.IN)
    vc.check(CheckAction.OUT)
    assert "请勿重复签退" in _refused(vc, "already_checked_out", action=CheckAction.OUT)


def test_the_radius_is_configurable_per_city(vc):
    services.update_volunteer_settings(
        vc.city,
        resident_population=0,
        star_hours=[100, 300, 600, 1000, 1500],
        checkin_radius_m=2000,
        qr_minutes=10,
        acting_user=vc.sc.office.user,
    )
    res = vc.check(CheckAction.IN, place=(PLACE[0], PLACE[1] + 0.01))
    assert 1000 < res.attendance.in_distance_m < 1200


def test_a_full_activity_refuses_sign_up_and_walk_in(vc):
    small = activity(vc.city, vc.sc.community_a, capacity=1)
    services.sign_up(small, vc.volunteer, acting_user=vc.user)
    other = register(vc.city, vc.sc.community_a)
    with pytest.raises(InvalidInput, match="已报满"):
        services.sign_up(small, other, acting_user=other.person.user)
    with pytest.raises(InvalidInput, match="已报满"):
        vc.check(CheckAction.IN, volunteer=other, activity=small)
    assert not Attendance.objects.filter(volunteer=other).exists()


def test_one_volunteer_cannot_act_for_another(vc):
    other = register(vc.city, vc.sc.community_a)
    with pytest.raises(PermissionDenied):
        services.sign_up(vc.activity, vc.volunteer, acting_user=other.person.user)


def test_star_levels_from_total_hours():
    assert services.star_level(99 * 60 + 59) == 0
    assert services.star_level(100 * 60) == 1
    assert services.star_level(600 * 60) == 3
    assert services.star_level(1500 * 60) == 5
    assert services.star_level(50 * 60, [50, 80, 120, 200, 300]) == 1
    assert services.star_label(0) == "注册志愿者"
    assert services.star_label(2) == "二星志愿者"


def test_star_thresholds_must_increase(small_city):
    with pytest.raises(InvalidInput, match="逐级递增"):
        services.update_volunteer_settings(
            small_city.city,
            resident_population=1,
            star_hours=[100, 90, 600, 1000, 1500],
            checkin_radius_m=300,
            qr_minutes=10,
            acting_user=SYSTEM,
        )


# --- the moral bank's hook and the metrics ----------------------------------------------------


def test_listeners_get_the_new_ledger_rows_inside_the_transaction(vc):
    seen = []

    def listener(records):
        seen.append([(r.kind, r.minutes) for r in records])

    hooks.on_hours_confirmed(listener)
    try:
        t0 = timezone.now()
        vc.check(CheckAction.IN, at=t0)
        vc.check(CheckAction.OUT, at=t0 + dt.timedelta(minutes=45))
        (record,) = services.confirm_hours(vc.activity, acting_user=vc.sc.office.user)
        services.correct_record(record, minutes=-5, reason="扣除休息", acting_user=SYSTEM)
    finally:
        hooks._listeners.remove(listener)
    assert seen == [[("service", 45)], [("correction", -5)]]
    assert [r.minutes for r in selectors.confirmed_records(vc.city.pk, after_id=record.pk)] == [-5]


def test_a_failing_listener_refuses_the_confirmation(vc):
    def broken(records):
        raise InvalidInput("道德银行记账失败")

    vc.check(CheckAction.IN)
    vc.check(CheckAction.OUT)
    hooks.on_hours_confirmed(broken)
    try:
        with pytest.raises(InvalidInput, match="记账失败"):
            services.confirm_hours(vc.activity, acting_user=vc.sc.office.user)
    finally:
        hooks._listeners.remove(broken)
    assert not ServiceRecord.objects.exists()
    assert Attendance.objects.get().confirmed_at is None


def test_metric_quantities(vc):
    with pytest.raises(FormulaError, match="常住人口"):
        evaluate_formula("volunteers.share()", vc.city.pk)
    register(vc.city, vc.sc.community_b)
    services.update_volunteer_settings(
        vc.city,
        resident_population=1000,
        star_hours=[100, 300, 600, 1000, 1500],
        checkin_radius_m=300,
        qr_minutes=10,
        acting_user=SYSTEM,
    )
    assert evaluate_formula("volunteers.registered()", vc.city.pk) == 2
    assert evaluate_formula("volunteers.share()", vc.city.pk) == Decimal("0.2")
    t0 = timezone.now()
    vc.check(CheckAction.IN, at=t0)
    vc.check(CheckAction.OUT, at=t0 + dt.timedelta(minutes=90))
    services.confirm_hours(vc.activity, acting_user=SYSTEM)
    assert evaluate_formula("volunteers.hours(days=30)", vc.city.pk) == Decimal("1.5")
    assert evaluate_formula("volunteers.hours_per_volunteer()", vc.city.pk) == Decimal("0.75")


# --- record parts, consent, certificates ----------------------------------------------------


def test_record_is_given_out_only_with_consent(vc):
    consent = services.grant_consent(
        vc.volunteer, recipient="示范大学", purpose="入学综合评价", acting_user=vc.user
    )
    data = services.disclose_record(consent, acting_user=vc.sc.office.user)
    assert data[:2] == b"PK"
    assert AuditEvent.objects.filter(code="volunteers.record.disclosed").count() == 1
    services.revoke_consent(consent, acting_user=vc.user)
    with pytest.raises(PermissionDenied, match="撤回"):
        services.disclose_record(consent, acting_user=vc.sc.office.user)
    with pytest.raises(PermissionDenied):
        services.grant_consent(vc.volunteer, recipient="某公司", purpose="招聘",
                               acting_user=vc.sc.office.user)  # fmt: skip


def test_training_award_and_evaluation_complete_the_record(vc):
    office = vc.sc.office.user
    services.add_training(
        vc.volunteer, title="应急救护培训", held_on=dt.date(2026, 3, 1), hours=4, acting_user=office
    )
    services.add_award(
        vc.volunteer, title="优秀志愿者", awarded_on=dt.date(2026, 5, 1), acting_user=office
    )
    with pytest.raises(InvalidInput, match="没有参加"):
        services.evaluate_volunteer(
            vc.volunteer, rating=5, activity=vc.activity, acting_user=office
        )
    vc.check(CheckAction.IN)
    services.evaluate_volunteer(vc.volunteer, rating=5, activity=vc.activity, acting_user=office)
    assert vc.volunteer.trainings.count() == vc.volunteer.awards.count() == 1
    assert vc.volunteer.evaluations.get().rating == 5
    with pytest.raises(PermissionDenied):
        services.add_award(vc.volunteer, title="x", awarded_on=dt.date(2026, 1, 1),
                           acting_user=vc.sc.liaison_b.user)  # fmt: skip


def test_team_under_a_unit_and_joining(vc):
    team = services.create_team(
        vc.city, name="甲社区文明劝导队", unit=vc.sc.community_a, acting_user=vc.sc.liaison_a.user
    )
    with pytest.raises(PermissionDenied):
        services.create_team(vc.city, name="乙队", unit=vc.sc.community_a,
                             acting_user=vc.sc.liaison_b.user)  # fmt: skip
    services.join_team(vc.volunteer, team, acting_user=vc.user)
    with pytest.raises(InvalidInput, match="已是"):
        services.join_team(vc.volunteer, team, acting_user=vc.user)
    assert list(team.members.all()) == [vc.volunteer]


def test_person_enrolled_by_the_office(small_city):
    person = factories.person(small_city.city, small_city.community_a, Role.CITIZEN, name="赵六")
    v = services.enroll_person(
        person, id_number=id_number(), area=small_city.community_a, acting_user=SYSTEM
    )
    assert v.person == person
    with pytest.raises(InvalidInput, match="已是注册志愿者"):
        services.enroll_person(
            person, id_number=id_number(), area=small_city.community_a, acting_user=SYSTEM
        )


def test_public_registration_cannot_be_done_by_a_logged_in_non_office_user(small_city):
    from chuangwen.volunteers.services import Registration

    data = Registration("某", "13911112222", id_number(), small_city.community_a, PASSWORD)
    with pytest.raises(PermissionDenied):
        services.register_volunteer(small_city.city, data, acting_user=small_city.liaison_a.user)
    assert services.register_volunteer(small_city.city, data, acting_user=PUBLIC).pk
