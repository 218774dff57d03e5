"""The audit log reads as words: event names in Chinese, changes as field: old → new."""

from django.urls import reverse
from django.utils import translation

from chuangwen.core import audit_words
from chuangwen.core.models import AuditEvent
from chuangwen.org import services as org
from chuangwen.org.choices import UnitKind
from tests.cases.conftest import CaseCity


def test_events_and_changes_in_words(small_city, client_for, django_assert_max_num_queries):
    cc = CaseCity(small_city)
    case = cc.dispatched()
    org.update_unit(cc.street_a, name="甲街道办", kind=UnitKind.STREET, acting_user=cc.office.user)
    dispatch = AuditEvent.objects.get(code="cases.case.dispatch", object_id=str(case.pk))
    renamed = AuditEvent.objects.filter(code="org.unit.updated").latest("id")
    rows = {r.event.pk: r for r in audit_words.describe([dispatch, renamed])}
    assert rows[dispatch.pk].label == "案件派遣"
    changes = {c.field: (c.old, c.new) for c in rows[dispatch.pk].changes}
    assert changes["状态"] == ("立案", "派遣")
    assert (
        changes["处置时限"][0] == "—"
        and changes["处置时限"][1][4] == "-"
        and "T" not in changes["处置时限"][1]
    )
    assert rows[renamed.pk].label == "修改单位"
    assert ("单位名称", "甲街道", "甲街道办") in {
        (c.field, c.old, c.new) for c in rows[renamed.pk].changes
    }
    assert audit_words.event_label("x.y.unknown_verb") == "x.y.unknown_verb"
    with translation.override("en"):  # the verb and the noun apart, as English writes them
        assert audit_words.event_label("org.unit.moved", "org.unit") == "Move Units"

    client = client_for(cc.office)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("audit")).content.decode()
    assert "案件派遣" in page and "立案 → 派遣" in page and "{&#x27;" not in page
    filtered = client.get(reverse("audit"), {"code": "org."}).content.decode()
    assert "修改单位" in filtered and "案件派遣" not in filtered
    assert ">全部<" in filtered
