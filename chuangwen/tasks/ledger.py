"""台账: the evidence ledger as a ZIP laid out by indicator code, with an Excel index, ready
for the online submission (网上申报) of the document review.

    台账索引.xlsx
    6 城市环境/6.1 市容环境/6.1.1 主次干道干净整洁/城管局-12-现场照片.jpg
    …

Only files of accepted reports are included unless ``include_pending``.
"""

import re
import zipfile
from collections.abc import Iterable
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone

from chuangwen.core.xlsx import Sheet, write_workbook
from chuangwen.indicators.models import Indicator

from .choices import ReportStatus
from .models import Evidence, Task

INDEX_NAME = "台账索引.xlsx"
INDEX_HEADERS = [
    "序号",
    "指标编号",
    "测评标准",
    "牵头单位",
    "报送单位",
    "文件名",
    "类型",
    "大小（KB）",
    "上传时间",
    "审核状态",
    "压缩包内路径",
    "SHA-256",
]
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def safe(text: str, limit: int = 40) -> str:
    return _UNSAFE.sub("_", text).strip(" .")[:limit] or "_"


def _folder(ind: Indicator, nodes: dict[int, Indicator]) -> str:
    chain = [nodes[i] for i in ind.ancestor_ids() if i in nodes] + [ind]
    return "/".join(safe(f"{n.code} {n.title}") for n in chain)


def ledger_evidence(tasks: QuerySet[Task], include_pending: bool = False) -> QuerySet[Evidence]:
    qs = Evidence.objects.filter(task__in=tasks)
    if not include_pending:
        qs = qs.filter(report__status=ReportStatus.ACCEPTED)
    else:
        qs = qs.exclude(report__status=ReportStatus.RETURNED)
    return qs.select_related("indicator", "task__lead_unit", "report__unit").order_by(
        "indicator__path", "id"
    )


def write_ledger(evidence: Iterable[Evidence], out: IO[bytes]) -> int:
    """Write the ZIP to ``out``; returns the number of files."""
    items = list(evidence)
    ancestor_ids = {i for e in items for i in e.indicator.ancestor_ids()}
    nodes = Indicator.objects.in_bulk(ancestor_ids)
    index_rows = []
    used: set[str] = set()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for n, e in enumerate(items, start=1):
            folder = _folder(e.indicator, nodes)
            name = f"{safe(e.report.unit.name, 20)}-{e.report_id}-{safe(e.original_name, 60)}"
            path = f"{folder}/{name}"
            k = 1
            while path in used:
                k += 1
                path = f"{folder}/{k}-{name}"
            used.add(path)
            with e.file.open("rb") as fh:
                zf.writestr(path, fh.read())
            index_rows.append(
                [
                    n,
                    e.indicator.code,
                    e.indicator.title,
                    e.task.lead_unit.name,
                    e.report.unit.name,
                    e.original_name,
                    e.get_kind_display(),
                    round(e.size / 1024, 1),
                    timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M"),
                    e.report.get_status_display(),
                    path,
                    e.sha256,
                ]
            )
        index = write_workbook(
            [
                Sheet(
                    "台账索引",
                    INDEX_HEADERS,
                    index_rows,
                    [6, 10, 40, 20, 20, 30, 8, 10, 16, 10, 60, 20],
                )
            ]
        )
        zf.writestr(INDEX_NAME, index)
    return len(items)
