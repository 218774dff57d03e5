import io
import zipfile

import pytest
from openpyxl import load_workbook

from chuangwen.org.actors import SYSTEM
from chuangwen.org.scope import scope_for_user
from chuangwen.tasks import ledger, selectors, services

from .conftest import PDF_BYTES, docx_bytes, jpeg_bytes

pytestmark = pytest.mark.django_db


def test_ledger_zip_layout_and_index(tc):
    t1 = tc.task("6.1.1", lead=tc.dept)
    t2 = tc.task("4.2.1", lead=tc.district_a)
    r1 = services.report_progress(
        t1,
        text="照片",
        files=[("现场/照片:1.jpg", jpeg_bytes()), ("方案.docx", docx_bytes())],
        acting_user=tc.dept_liaison.user,
    )
    r2 = services.report_progress(
        t2, text="制度", files=[("制度.pdf", PDF_BYTES)], acting_user=tc.liaison_a.user
    )
    r3 = services.report_progress(
        t2, text="待审", files=[("待审.pdf", PDF_BYTES)], acting_user=tc.liaison_a.user
    )
    services.review_report(r1, accept=True, acting_user=tc.office.user)
    services.review_report(r2, accept=True, acting_user=tc.office.user)
    tasks = selectors.tasks_for_user(scope_for_user(tc.office.user))
    buf = io.BytesIO()
    assert ledger.write_ledger(ledger.ledger_evidence(tasks), buf) == 3
    zf = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    i6, i61, s611 = (tc.system.indicators.get(code=c) for c in ("6", "6.1", "6.1.1"))
    folder = "/".join(ledger.safe(f"{n.code} {n.title}") for n in (i6, i61, s611))
    names = sorted(zf.namelist())
    assert f"{folder}/城管局-{r1.pk}-照片_1.jpg" in names  # the path part of the name is dropped
    assert f"{folder}/城管局-{r1.pk}-方案.docx" in names
    assert any(n.startswith("4 ") and n.endswith(f"/甲区-{r2.pk}-制度.pdf") for n in names)
    assert not any("待审" in n for n in names)  # not accepted yet
    assert "台账索引.xlsx" in names and len(names) == 4
    assert zf.read(f"{folder}/城管局-{r1.pk}-照片_1.jpg")[:3] == b"\xff\xd8\xff"
    ws = load_workbook(io.BytesIO(zf.read("台账索引.xlsx"))).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == ledger.INDEX_HEADERS
    assert [r[1] for r in rows[1:]] == ["4.2.1", "6.1.1", "6.1.1"]
    for row in rows[1:]:
        assert row[10] in names  # the index points at every file
    # units export only their own tasks' evidence; pending included on request
    buf = io.BytesIO()
    own = selectors.tasks_for_user(scope_for_user(tc.liaison_a.user))
    assert ledger.write_ledger(ledger.ledger_evidence(own, include_pending=True), buf) == 2
    assert r3.status == "submitted"


def test_evidence_review_ratios_for_the_mock_evaluation(tc):
    t1 = tc.task("6.1.1", lead=tc.dept)
    tc.task("6.1.1", lead=tc.district_a)
    t3 = tc.task("4.2.1", lead=tc.dept)
    r1 = services.report_progress(t1, text="x", files=[("a.pdf", PDF_BYTES)], acting_user=SYSTEM)
    services.review_report(r1, accept=True, acting_user=SYSTEM)
    services.report_progress(
        t3, text="x", files=[("a.pdf", PDF_BYTES)], acting_user=SYSTEM
    )  # not reviewed yet
    ratios = selectors.evidence_review_ratios(tc.system)
    assert ratios == {tc.std["6.1.1"].pk: 0.5, tc.std["4.2.1"].pk: 0.0}
