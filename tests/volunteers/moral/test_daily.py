"""The moral bank's daily run (celery beat and ``manage.py moral_bank_daily``)."""

import datetime as dt
import io

from django.core.management import call_command
from django.utils import timezone

from chuangwen.org.actors import SYSTEM
from chuangwen.volunteers.jobs import moral_bank_daily
from chuangwen.volunteers.models import GoodDeed, MoralTransaction
from chuangwen.volunteers.moral import services
from chuangwen.volunteers.moral.choices import DeedStatus, TxnKind


def test_deeds_whose_notice_ended_are_credited_once(mc):
    deed = services.nominate_deed(mc.account, mc.earn, title="拾到钱包归还失主", acting_user=SYSTEM)
    deed = services.review_deed(deed, approve=True, acting_user=SYSTEM)
    assert moral_bank_daily(mc.city.pk)["deeds"] == 0  # still in 公示
    GoodDeed.objects.filter(pk=deed.pk).update(
        notice_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert moral_bank_daily(mc.city.pk)["deeds"] == 1
    out = io.StringIO()
    call_command("moral_bank_daily", "--city", mc.city.code, stdout=out)
    assert "好人好事记分 0 件" in out.getvalue()
    deed.refresh_from_db()
    mc.account.refresh_from_db()
    assert deed.status == DeedStatus.CREDITED
    assert MoralTransaction.objects.filter(kind=TxnKind.DEED).count() == 1
    assert mc.account.balance == mc.earn.points
