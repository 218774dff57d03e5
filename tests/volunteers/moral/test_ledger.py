"""The moral-bank ledger: double entry, balances equal to the entries, never negative,
idempotent postings, earning rules, deductions, codes."""

import datetime as dt
import time

import pytest
from django.db.models import Sum
from django.utils import timezone

from chuangwen.core.errors import InvalidInput, PermissionDenied
from chuangwen.org.actors import SYSTEM
from chuangwen.volunteers.models import MoralAccount, MoralBankEntry, MoralTransaction
from chuangwen.volunteers.moral import codes, services
from chuangwen.volunteers.moral.choices import AccountKind, HolderMode, TxnKind
from tests import factories
from tests.factories import SmallCity
from tests.volunteers.moral.helpers import MoralCity

pytestmark = pytest.mark.django_db


def assert_ledger_consistent(city) -> None:
    """Every posting sums to zero; every balance equals the sum of its entries; holders and
    outlets never below zero."""
    for txn in MoralTransaction.objects.filter(city=city):
        assert txn.entries.count() == 2
        assert txn.entries.aggregate(s=Sum("amount"))["s"] == 0
    for account in MoralAccount.objects.filter(city=city):
        total = MoralBankEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
        assert account.balance == (total or 0), account
        if account.kind in (AccountKind.HOLDER, AccountKind.OUTLET):
            assert account.balance >= 0


def test_hours_earn_by_rule_and_are_idempotent_by_ref(mc):
    txn = mc.fund("7.5", ref="servicerecord:1")
    assert txn.amount == 15  # 2 points per hour
    assert txn.kind == TxnKind.HOURS
    again = services.earn_points_for_hours(mc.holder, "7.5", "servicerecord:1", acting_user=SYSTEM)
    assert again.pk == txn.pk
    mc.account.refresh_from_db()
    assert mc.account.balance == 15
    issue = MoralAccount.objects.get(bank=mc.bank_a, kind=AccountKind.ISSUE)
    assert issue.balance == -15
    assert_ledger_consistent(mc.city)


def test_ledger_entries_are_append_only(mc):
    entry = MoralBankEntry.objects.filter(txn=mc.fund("1")).first()
    entry.amount += 1
    with pytest.raises(RuntimeError, match="MoralBankEntry is append-only"):
        entry.save()
    with pytest.raises(RuntimeError, match="MoralBankEntry is append-only"):
        entry.delete()
    assert_ledger_consistent(mc.city)


def test_hours_open_an_account_at_the_community_bank(small_city):
    mc = MoralCity(small_city)
    newcomer = factories.person(mc.city, small_city.community_b, name="新志愿者")
    txn = services.earn_points_for_hours(newcomer, 3, "sr:9", acting_user=SYSTEM)
    account = MoralAccount.objects.get(person=newcomer)
    assert account.bank == mc.bank_b and account.balance == 6 and txn.holder == account
    assert txn.note == "志愿服务 3 小时"


def test_the_hours_of_a_credit_read_as_people_write_them(small_city):
    mc = MoralCity(small_city)
    # a service timed by check-in and check-out: 91 minutes
    txn = services.earn_points_for_hours(mc.holder, 91 / 60, "sr:91", acting_user=SYSTEM)
    assert txn.note == "志愿服务 1.52 小时"


def test_hours_without_a_bank_are_not_credited(small_city):
    mc = MoralCity(small_city)
    outsider = factories.person(mc.city, small_city.dept, name="部门干部")
    assert services.earn_points_for_hours(outsider, 3, "sr:10", acting_user=SYSTEM) is None
    assert not MoralAccount.objects.filter(person=outsider).exists()


def test_hours_in_household_mode_go_to_the_household(small_city):
    mc = MoralCity(small_city, mode=HolderMode.HOUSEHOLD)
    spouse = factories.person(mc.city, small_city.community_a, name="配偶")
    household = services.create_household(
        mc.bank_a, name="王家", address="1 栋 101", members=[mc.holder, spouse], acting_user=SYSTEM
    )
    services.earn_points_for_hours(spouse, 2, "sr:1", acting_user=SYSTEM)
    services.earn_points_for_hours(mc.holder, 1, "sr:2", acting_user=SYSTEM)
    household.account.refresh_from_db()
    assert household.account.balance == 6
    with pytest.raises(InvalidInput):  # one household per person
        services.create_household(mc.bank_a, name="又一家", members=[spouse], acting_user=SYSTEM)


def test_the_mode_cannot_change_once_accounts_are_open(mc):
    with pytest.raises(InvalidInput, match="不能再更改开户方式"):
        services.configure_moral_bank(
            mc.city, holder_mode=HolderMode.HOUSEHOLD, points_per_hour=1, points_per_report=1,
            notice_days=5, acting_user=SYSTEM,
        )  # fmt: skip


@pytest.mark.parametrize("hours", ["0", "-1", "abc", "1e9", "NaN"])
def test_bad_hours_are_refused(mc, hours):
    with pytest.raises(InvalidInput):
        services.earn_points_for_hours(mc.holder, hours, "sr:x", acting_user=SYSTEM)


def test_redemption_moves_points_to_the_outlet_and_is_idempotent(mc):
    mc.fund("50")  # 100 points
    r = services.redeem_points(
        mc.outlet, mc.code(), 30, key="k1", note="大米 1 袋", acting_user=mc.clerk.user
    )
    assert r.created and r.balance == 70
    again = services.redeem_points(mc.outlet, mc.code(), 30, key="k1", acting_user=mc.clerk.user)
    assert not again.created and again.txn.pk == r.txn.pk and again.balance == 70
    mc.outlet.account.refresh_from_db()
    assert mc.outlet.account.balance == 30
    with pytest.raises(InvalidInput, match="已用于另一笔兑换"):
        services.redeem_points(mc.outlet, mc.code(), 40, key="k1", acting_user=mc.clerk.user)
    assert_ledger_consistent(mc.city)


def test_redemption_beyond_the_balance_is_refused_in_chinese(mc):
    mc.fund("5")  # 10 points
    with pytest.raises(InvalidInput, match="积分余额不足：当前余额 10 分，本次兑换需要 11 分"):
        services.redeem_points(mc.outlet, mc.code(), 11, key="k2", acting_user=mc.clerk.user)
    mc.account.refresh_from_db()
    assert mc.account.balance == 10
    assert not MoralTransaction.objects.filter(kind=TxnKind.REDEEM).exists()


def test_only_the_outlets_clerks_redeem(mc):
    mc.fund("5")
    for user in (mc.holder.user, mc.sc.office.user, mc.community_staff_a.user):
        with pytest.raises(PermissionDenied):
            services.redeem_points(mc.outlet, mc.code(), 1, key="k", acting_user=user)


def test_codes_expire_and_reset(mc):
    mc.fund("5")
    old = codes.make_code(mc.account.pk, 1, now=time.time() - 2 * codes.WINDOW_S - 1)
    with pytest.raises(InvalidInput, match="积分码无效或已过期"):
        services.redeem_points(mc.outlet, old, 1, key="a", acting_user=mc.clerk.user)
    with pytest.raises(InvalidInput, match="积分码无效"):
        services.redeem_points(mc.outlet, "DY1-AAAAAAAA", 1, key="b", acting_user=mc.clerk.user)
    current = mc.code()
    services.reset_holder_code(mc.account, acting_user=mc.holder.user)
    with pytest.raises(InvalidInput, match="积分码无效"):
        services.redeem_points(mc.outlet, current, 1, key="c", acting_user=mc.clerk.user)
    # a typed code: lower case and spaces are forgiven
    typed = " " + mc.code().lower().replace("-", " - ") + " "
    assert services.redeem_points(mc.outlet, typed, 1, key="d", acting_user=mc.clerk.user).created


def test_a_code_of_another_city_is_no_code(mc):
    other = MoralCity(SmallCity())
    other.fund("5")
    with pytest.raises(InvalidInput, match="积分码无效"):
        services.redeem_points(mc.outlet, other.code(), 1, key="x", acting_user=mc.clerk.user)


def test_deduction_by_rule_never_below_zero(mc):
    mc.fund("1")  # 2 points; the rule deducts 5
    txn = services.deduct_points(mc.account, mc.deduct, key="d1", acting_user=mc.council_a.user)
    assert txn.amount == 2 and "实扣 2 分" in txn.note
    mc.account.refresh_from_db()
    assert mc.account.balance == 0
    with pytest.raises(InvalidInput, match="余额为 0"):
        services.deduct_points(mc.account, mc.deduct, key="d2", acting_user=mc.council_a.user)
    with pytest.raises(PermissionDenied):  # not the council
        services.deduct_points(mc.account, mc.deduct, key="d3", acting_user=mc.holder.user)
    assert_ledger_consistent(mc.city)


def test_good_deed_counts_only_after_review_and_notice(mc):
    deed = services.nominate_deed(
        mc.account, mc.earn, title="拾到钱包归还失主", acting_user=mc.community_staff_a.user
    )
    with pytest.raises(PermissionDenied):
        services.review_deed(deed, approve=True, acting_user=mc.community_staff_a.user)
    deed = services.review_deed(deed, approve=True, acting_user=mc.council_a.user)
    assert deed.notice_until == timezone.localdate() + dt.timedelta(days=5)
    with pytest.raises(InvalidInput, match="公示期尚未结束"):
        services.credit_deed(deed, acting_user=mc.council_a.user)
    mc.account.refresh_from_db()
    assert mc.account.balance == 0
    type(deed).objects.filter(pk=deed.pk).update(
        notice_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert services.credit_due_deeds(mc.city.pk) == 1
    assert services.credit_due_deeds(mc.city.pk) == 0
    mc.account.refresh_from_db()
    assert mc.account.balance == 20
    assert_ledger_consistent(mc.city)


def test_valid_citizen_reports_are_credited_once(mc):
    from chuangwen.cases import services as case_services
    from chuangwen.cases.choices import Channel, Source, State
    from chuangwen.cases.models import Case

    result = case_services.intake_case(
        mc.city,
        case_services.IntakeData(
            source=Source.CITIZEN, description="路灯不亮", reporter_phone="13800000001",
            reporter=mc.holder,
        ),
        acting_user=SYSTEM,
        channel=Channel.PUBLIC,
    )  # fmt: skip
    assert services.credit_citizen_reports(mc.city, acting_user=SYSTEM) == 0  # not verified
    Case.objects.filter(pk=result.case.pk).update(state=State.CLOSED)
    assert services.credit_citizen_reports(mc.city, acting_user=SYSTEM) == 1
    assert services.credit_citizen_reports(mc.city, acting_user=SYSTEM) == 0
    mc.account.refresh_from_db()
    assert mc.account.balance == 3
