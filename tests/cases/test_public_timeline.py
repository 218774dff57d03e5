"""One public history of a case: the tracking page and the Open311 feed show the same steps,
explain each in plain words and mask every phone, ID-card and landline in the notes."""

from django.test import Client
from django.urls import reverse

from chuangwen.cases import selectors, services
from chuangwen.cases.choices import Action, Channel, Source

NOTE = "经核实非本市职责，请联系 138 0013 8000 或 0731-8888 8888，身份证 43010219900101123X"


def test_tracking_page_explains_each_step_and_masks_the_note(cc):
    result = cc.intake(source=Source.CITIZEN, channel=Channel.PUBLIC, reporter_phone="13900001111")
    case = result.case
    services.register_case(case, acting_user=cc.office.user)
    services.reject_case(case, reason=NOTE, acting_user=cc.office.user)

    steps = selectors.public_timeline(case)
    assert [s.action for s in steps] == [Action.INTAKE, Action.REGISTER, Action.REJECT]
    assert all(s.explanation for s in steps)
    rejected = steps[-1]
    # the middle digits are hidden, as everywhere phones are shown to others
    assert "0013" not in rejected.note and "8888 8888" not in rejected.note
    assert "19900101" not in rejected.note and "非本市职责" in rejected.note
    assert steps[0].note == ""  # only reject/close notes are public

    page = Client().get(reverse("cases:track", args=[result.report.tracking_code]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "不予立案" in html and "原因见说明" in html
    assert "138 0013 8000" not in html and "0731-8888 8888" not in html
    assert "43010219900101123X" not in html


def test_internal_steps_are_not_public(cc):
    case = cc.handled()
    actions = {s.action for s in selectors.public_timeline(case)}
    assert Action.ACCEPT not in actions  # 签收 is the unit's internal step
    assert {Action.INTAKE, Action.REGISTER, Action.DISPATCH, Action.HANDLE} <= actions
