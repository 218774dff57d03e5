"""Pages of part B: scope (a community sees only its bank), the holder's and the outlet's
phone pages, statements (page + Excel), moral-model and selection pages, the public pages."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from chuangwen.core import submissions
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role, UnitKind
from chuangwen.volunteers.models import MoralModel, MoralTransaction, PublicObjection
from chuangwen.volunteers.moral import services
from chuangwen.volunteers.moral.choices import (
    HonourCategory,
    HonourKind,
    HonourStatus,
    NominatedBy,
    SelectionCategory,
    TxnKind,
)
from chuangwen.volunteers.moral.views_honours import PUBLIC_NOMINATION, PUBLIC_OBJECTION
from tests import factories
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_a_community_sees_only_its_bank(mc):
    mc.fund("5")
    staff_b = factories.person(mc.city, mc.sc.community_b, Role.UNIT_LIAISON, name="乙社区干部")
    client_a, client_b = login(mc.community_staff_a), login(staff_b)
    page = client_a.get(reverse("volunteers:banks"))
    assert mc.bank_a.name in page.text and mc.bank_b.name not in page.text
    assert client_a.get(reverse("volunteers:bank", args=[mc.bank_a.pk])).status_code == 200
    assert client_a.get(reverse("volunteers:bank", args=[mc.bank_b.pk])).status_code == 404
    assert client_b.get(reverse("volunteers:account", args=[mc.account.pk])).status_code == 404
    assert (
        client_b.get(reverse("volunteers:bank_statement", args=[mc.bank_a.pk])).status_code == 404
    )
    # the office and the district above see it
    assert (
        login(mc.sc.office).get(reverse("volunteers:bank", args=[mc.bank_a.pk])).status_code == 200
    )
    assert (
        login(mc.sc.liaison_a).get(reverse("volunteers:bank", args=[mc.bank_a.pk])).status_code
        == 200
    )
    txns = client_b.get(reverse("volunteers:bank_transactions"))
    assert mc.holder.name not in txns.text


def test_bank_list_query_count_does_not_grow(mc):
    for i in range(5):
        services.earn_points_for_hours(mc.holder, 1, f"q:{i}", acting_user=SYSTEM)
    client = login(mc.sc.office)

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    banks, bank = reverse("volunteers:banks"), reverse("volunteers:bank", args=[mc.bank_a.pk])
    before = queries(banks), queries(bank)
    third = factories.unit(mc.city, UnitKind.COMMUNITY, parent=mc.sc.street_a, name="丙社区")
    services.create_bank(third, acting_user=SYSTEM)
    for i in range(5, 10):
        services.earn_points_for_hours(mc.holder, 1, f"q:{i}", acting_user=SYSTEM)
    assert (queries(banks), queries(bank)) == before


def test_office_opens_a_bank_and_publishes_rules(small_city):
    sc = small_city
    client = login(sc.office)
    r = client.post(reverse("volunteers:bank_create"), {"community": sc.community_a.pk, "name": ""})
    assert r.status_code == 302
    r = client.post(
        reverse("volunteers:bank_settings"),
        {"form": "rule", "kind": "deduct", "code": "K9", "name": "高空抛物", "points": 10},
    )
    assert r.status_code == 302
    page = client.get(reverse("volunteers:bank_settings"))
    assert "高空抛物" in page.text
    assert login(sc.liaison_a).get(reverse("volunteers:bank_settings")).status_code == 403


def test_holder_phone_page_shows_balance_entries_and_code(mc):
    mc.fund("5")
    page = login(mc.holder).get(reverse("volunteers:my_bank"))
    assert page.status_code == 200
    assert 'data-testid="my-balance">10' in page.text
    assert "<svg" in page.text and mc.code() in page.text
    code = login(mc.holder).get(reverse("volunteers:my_code", args=[mc.account.pk]))
    assert code.status_code == 200 and mc.code() in code.text
    # someone else's account is nobody's business
    other = login(mc.clerk).get(reverse("volunteers:my_code", args=[mc.account.pk]))
    assert other.status_code == 404


def test_outlet_redeems_through_preview_and_confirm(mc):
    mc.fund("50")  # 100 points
    client = login(mc.clerk)
    url = reverse("volunteers:outlet_for", args=[mc.outlet.pk])
    data = {"code": mc.code(), "points": 30, "note": "食用油", "key": "abc", "step": "preview"}
    preview = client.post(url, data)
    assert preview.status_code == 200 and "确认兑换" in preview.text
    assert not MoralTransaction.objects.filter(kind=TxnKind.REDEEM).exists()
    done = client.post(url, {**data, "step": "confirm"})
    txn = MoralTransaction.objects.get(kind=TxnKind.REDEEM)
    assert done["Location"] == reverse("volunteers:outlet_receipt", args=[mc.outlet.pk, txn.pk])
    receipt = client.get(done["Location"])
    assert 'data-testid="receipt-balance">70' in receipt.text
    # the confirm sent twice books once
    client.post(url, {**data, "step": "confirm"})
    assert MoralTransaction.objects.filter(kind=TxnKind.REDEEM).count() == 1
    too_much = client.post(url, {**data, "key": "other", "points": 71, "step": "confirm"})
    assert too_much.status_code == 400
    assert "积分余额不足：当前余额 70 分，本次兑换需要 71 分" in too_much.text
    # not a clerk: no outlet page
    assert login(mc.holder).get(reverse("volunteers:outlet")).status_code == 403


def test_statement_page_and_excel(mc):
    mc.fund("50")
    services.redeem_points(mc.outlet, mc.code(), 30, key="k", acting_user=mc.clerk.user)
    client = login(mc.community_staff_a)
    url = reverse("volunteers:bank_statement", args=[mc.bank_a.pk])
    month = timezone.localdate().strftime("%Y-%m")
    page = client.get(url, {"month": month})
    assert page.status_code == 200 and mc.account.number in page.text
    xlsx = client.get(url, {"month": month, "format": "xlsx"})
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("账号", "持有人", "期初余额")
    assert rows[1][2:] == (0, 100, 0, 30, 70)
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    assert client.get(url, {"month": last_month}).status_code == 200
    assert client.get(url, {"month": "garbage"}).status_code == 200  # falls back to this month


def test_deeds_are_nominated_and_reviewed_on_pages(mc):
    staff = login(mc.community_staff_a)
    r = staff.post(
        reverse("volunteers:account_action", args=[mc.account.pk, "deed"]),
        {"rule": mc.earn.pk, "title": "扶老人过马路", "description": ""},
    )
    assert r.status_code == 302
    deed = mc.account.deeds.get()
    council = login(mc.council_a)
    assert "扶老人过马路" in council.get(reverse("volunteers:deeds")).text
    r = council.post(reverse("volunteers:deed_action", args=[deed.pk, "approve"]), {"note": "属实"})
    deed.refresh_from_db()
    assert deed.status == "notice"
    assert (
        staff.post(reverse("volunteers:deed_action", args=[deed.pk, "reject"])).status_code == 403
    )


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buf, "PNG")
    return buf.getvalue()


def test_public_nomination_board_and_objection(mc, client):
    city = mc.city
    url = reverse("volunteers:public_nominate", args=[city.code])
    assert client.get(url).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "kind": HonourKind.GOOD_PERSON, "category": HonourCategory.BRAVERY,
        "year": timezone.localdate().year, "name": "赵勇", "title": "勇救落水儿童",
        "story": "跳入河中救起落水儿童。", "nominator_name": "钱二",
        "nominator_phone": "13600000000", "token": submissions.issue(PUBLIC_NOMINATION),
        "photo": SimpleUploadedFile("p.png", _png(), content_type="image/png"),
    }  # fmt: skip
    r = client.post(url, data)
    assert r.status_code == 200 and "推荐已收到" in r.text
    honour = MoralModel.objects.get(name="赵勇")
    assert honour.nominated_by == NominatedBy.CITIZEN and honour.photo
    office = mc.sc.office.user
    honour = services.review_honour(honour, target=HonourStatus.SCREENED, acting_user=office)
    honour = services.review_honour(honour, target=HonourStatus.APPROVED, acting_user=office)
    honour = services.start_honour_notice(honour, days=7, acting_user=office)
    notice = reverse("volunteers:public_notice", args=[city.code])
    assert "赵勇" in client.get(notice).text
    objection = {
        "target": "honour", "target_id": honour.pk, "text": "不属实", "contact_name": "",
        "contact_phone": "13500000000", "token": submissions.issue(PUBLIC_OBJECTION),
    }  # fmt: skip
    assert client.post(notice, objection).status_code == 302
    assert PublicObjection.objects.filter(honour=honour).count() == 1
    MoralModel.objects.filter(pk=honour.pk).update(
        notice_ends=timezone.localdate() - dt.timedelta(days=1)
    )
    late = client.post(notice, {**objection, "token": submissions.issue(PUBLIC_OBJECTION)})
    assert late.status_code == 400 and "公示期已结束" in late.text
    assert PublicObjection.objects.filter(honour=honour).count() == 1
    fresh = submissions.issue(PUBLIC_OBJECTION)
    bad = client.post(notice, {**objection, "target_id": "99999999999999999999", "token": fresh})
    assert bad.status_code == 400  # an unknown or overflowing id is refused with a message
    # published: on the board, searchable, with its photo
    services.handle_objection(
        PublicObjection.objects.get(), uphold=False, note="经核实属实", acting_user=office
    )
    services.publish_honour(honour, acting_user=office)
    board = reverse("volunteers:public_board", args=[city.code])
    assert "赵勇" in client.get(board, {"q": "落水"}).text
    assert "赵勇" not in client.get(board, {"q": "孝老"}).text
    assert client.get(board, {"year": "abc"}).status_code == 200
    photo = client.get(reverse("volunteers:public_honour_photo", args=[city.code, honour.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"


def test_unpublished_nominees_are_not_public(small_city, client):
    sc = small_city
    honour = services.nominate_honour(
        sc.city, kind=HonourKind.MODEL, category=HonourCategory.HONESTY, year=2026, name="孙诚",
        title="诚信经营", story="……", nominated_by=NominatedBy.UNIT, nominator_unit=sc.hq,
        acting_user=SYSTEM,
    )  # fmt: skip
    url = reverse("volunteers:public_honour", args=[sc.city.code, honour.pk])
    assert client.get(url).status_code == 404


def test_office_pages_of_models_and_selections(small_city):
    sc = small_city
    office = login(sc.office)
    r = office.post(
        reverse("volunteers:selection_kinds"),
        {"category": SelectionCategory.FAMILY, "name": "文明家庭", "pass_score": 80,
         "term_years": 3, "notice_days": 7},
    )  # fmt: skip
    assert r.status_code == 302
    kind = services.checklist_for  # noqa: F841 (the kind is read back through the page below)
    page = office.get(reverse("volunteers:selection_kinds"))
    assert "文明家庭" in page.text
    from chuangwen.volunteers.models import SelectionKind

    k = SelectionKind.objects.get(city=sc.city)
    r = office.post(
        reverse("volunteers:selection_apply"),
        {"kind": k.pk, "year": timezone.localdate().year, "family_name": "周家", "statement": ""},
    )
    assert r.status_code == 302
    detail = office.get(r["Location"])
    assert "周家" in detail.text and "请填写总分" in detail.text
    sel_pk = int(r["Location"].rstrip("/").split("/")[-1])
    r = office.post(
        reverse("volunteers:selection_action", args=[sel_pk, "assess"]), {"overall": "150"}
    )
    assert r.status_code == 400 and "0 到 100" in r.text
    r = office.post(
        reverse("volunteers:selection_action", args=[sel_pk, "assess"]), {"overall": "90"}
    )
    assert r.status_code == 302
    assert office.get(reverse("volunteers:selections")).status_code == 200
    assert office.get(reverse("volunteers:proposals")).status_code == 200
    assert office.get(reverse("volunteers:honours")).status_code == 200
    assert office.get(reverse("volunteers:honour_create")).status_code == 200
    # a liaison cannot act on selections
    liaison = login(sc.liaison_a)
    assert (
        liaison.post(reverse("volunteers:selection_action", args=[sel_pk, "notice"])).status_code
        == 403
    )
