"""Redemptions arriving at the same moment can never overspend an account.

Many threads, each with its own PostgreSQL connection, redeem against one account on
committed data (``transaction=True``), as several gunicorn workers would. SQLite's
IMMEDIATE transactions serialise writers outright, so these run on PostgreSQL only.
"""

import pytest
from django.db import connection
from django.db.models import Sum

from chuangwen.core.errors import InvalidInput
from chuangwen.volunteers.models import MoralAccount, MoralBankEntry, MoralTransaction
from chuangwen.volunteers.moral import services
from chuangwen.volunteers.moral.choices import TxnKind
from tests.factories import SmallCity
from tests.parallel import run_parallel
from tests.volunteers.moral.helpers import MoralCity

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs parallel writers: PostgreSQL"
)
pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def _sum_entries(account: MoralAccount) -> int:
    return MoralBankEntry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"] or 0


def test_concurrent_redemptions_never_overspend():
    mc = MoralCity(SmallCity())
    mc.fund("50")  # 100 points
    code, clerk = mc.code(), mc.clerk.user

    def redeem(i: int):
        return services.redeem_points(mc.outlet, code, 30, key=f"k{i}", acting_user=clerk)

    results = run_parallel(12, redeem)
    done = [r for r in results if isinstance(r, services.Redemption)]
    refused = [r for r in results if isinstance(r, InvalidInput)]
    assert len(done) == 3 and len(refused) == 9, results
    assert all("积分余额不足" in str(r.message) for r in refused)
    mc.account.refresh_from_db()
    assert mc.account.balance == 10 == _sum_entries(mc.account)
    mc.outlet.account.refresh_from_db()
    assert mc.outlet.account.balance == 90 == _sum_entries(mc.outlet.account)


def test_the_same_redemption_sent_at_once_is_booked_once():
    mc = MoralCity(SmallCity())
    mc.fund("50")
    code, clerk = mc.code(), mc.clerk.user

    results = run_parallel(
        8, lambda i: services.redeem_points(mc.outlet, code, 30, key="same", acting_user=clerk)
    )
    assert all(isinstance(r, services.Redemption) for r in results), results
    assert sum(r.created for r in results) == 1
    assert MoralTransaction.objects.filter(kind=TxnKind.REDEEM).count() == 1
    mc.account.refresh_from_db()
    assert mc.account.balance == 70 == _sum_entries(mc.account)


def test_earning_and_redeeming_at_once_keep_the_balance_equal_to_the_entries():
    mc = MoralCity(SmallCity())
    mc.fund("20")  # 40 points: enough for every redemption whatever the order
    code, clerk = mc.code(), mc.clerk.user

    def work(i: int):
        if i % 2:
            return services.earn_points_for_hours(
                mc.holder, 1, f"sr:p{i}", acting_user=mc.sc.office.user
            )
        return services.redeem_points(mc.outlet, code, 5, key=f"r{i}", acting_user=clerk)

    results = run_parallel(10, work)
    assert not [r for r in results if isinstance(r, Exception)], results
    mc.account.refresh_from_db()
    assert mc.account.balance == 40 + 5 * 2 - 5 * 5 == _sum_entries(mc.account)
