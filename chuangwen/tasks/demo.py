"""Demo tasks for the demo city: decomposition rules over the active evaluation system, tasks
with deadlines across the year (some overdue), progress reports with evidence, metrics and
their values, a few pledges. Reproducible from the seed."""

import datetime as dt
import io
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from chuangwen.indicators.choices import Level, SystemStatus
from chuangwen.indicators.models import EvaluationSystem, Indicator, SiteType
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import City, Unit

from . import booklets, decomposition, metrics, services
from .choices import LeadMode, SupportFromSites
from .models import DecompositionRule, ProgressReport, Task

# site type code → (lead department, supporting department or "", supporting from the sites)
SITE_RULES: dict[str, tuple[str, str, str]] = {
    "NMSC": ("市市场监督管理局", "市商务局", SupportFromSites.SITE_STREET),
    "ZCGD": ("市城市管理和综合执法局", "市环境卫生管理处", SupportFromSites.SITE_DISTRICT),
    "BJXX": ("市城市管理和综合执法局", "", SupportFromSites.SITE_STREET),
    "JTLK": ("市公安局交通警察支队", "市交通运输局", ""),
    "GJZD": ("市公共交通集团", "市交通运输局", ""),
    "XXZB": ("市教育局", "市公安局", ""),
    "YY": ("市卫生健康委员会", "", ""),
    "JQ": ("市文化旅游广电体育局", "", ""),
    "WB": ("市文化旅游广电体育局", "市公安局", ""),
    "JZGD": ("市住房和城乡建设局", "市城市管理和综合执法局", ""),
    "CKDW": ("市政务服务和大数据局", "", ""),
    "GCGY": ("市园林绿化中心", "", ""),
    "XQ": ("市住房和城乡建设局", "", SupportFromSites.SITE_UNIT),
}
# code prefix → lead department (the standards no site type covers)
PREFIX_RULES = {"1": "市委宣传部", "2": "市文明办", "3": "市委政法委", "7": "市文明办"}


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 40, 40)).save(buf, "PNG")
    return buf.getvalue()


PDF = b"%PDF-1.4\n% demo evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def create_demo_rules(city: City, deadline: dt.date) -> list[DecompositionRule]:
    by_name = {u.name: u for u in Unit.objects.filter(city=city, kind=UnitKind.DEPARTMENT)}
    types = {t.code: t for t in SiteType.objects.filter(city=city)}
    rules = []
    sort = 0
    for code, (lead, support, from_sites) in SITE_RULES.items():
        if code not in types or lead not in by_name:
            continue
        sort += 10
        rules.append(
            decomposition.create_rule(
                city,
                name=f"{types[code].name}相关标准由{lead}牵头",
                site_type=types[code],
                lead_unit=by_name[lead],
                supporting_units=[by_name[support]] if support in by_name else [],
                support_from_sites=from_sites,
                content=f"对照{types[code].name}检查项逐项整治，建立点位台账",
                target="点位检查项全部达标",
                deadline=deadline,
                sort=sort,
                acting_user=SYSTEM,
            )
        )
    if "SQ" in types:
        rules.append(
            decomposition.create_rule(
                city,
                name="社区相关标准由各社区牵头",
                site_type=types["SQ"],
                lead_mode=LeadMode.EACH_OF_KIND,
                lead_kind=UnitKind.COMMUNITY,
                content="按社区检查项落实，每月自查",
                deadline=deadline,
                sort=200,
                acting_user=SYSTEM,
            )
        )
    for prefix, lead in PREFIX_RULES.items():
        if lead in by_name:
            rules.append(
                decomposition.create_rule(
                    city,
                    name=f"第 {prefix} 项测评项目由{lead}牵头",
                    code_prefix=prefix,
                    lead_unit=by_name[lead],
                    content="按测评标准建立工作机制并留存材料",
                    deadline=deadline,
                    sort=300,
                    acting_user=SYSTEM,
                )
            )
    return rules


def build_demo(city: City, seed: int, log: Callable[[str], Any]) -> None:
    rng = random.Random(f"tasks:{seed}")
    system = EvaluationSystem.objects.filter(
        city=city, kind="main", title="civilized", status=SystemStatus.ACTIVE
    ).first()
    if system is None:
        from chuangwen.indicators.services import load_evaluation_system

        system = load_evaluation_system(city, activate=True, acting_user=SYSTEM)
        log("任务：未找到启用的测评体系，已载入内置种子版本。")
    today = timezone.localdate()
    rules = create_demo_rules(city, dt.date(today.year, 12, 31))
    result = decomposition.apply_rules(system, acting_user=SYSTEM)
    # spread the deadlines over the year: some past (overdue), most ahead
    tasks = list(Task.objects.filter(city=city, indicator__system=system).order_by("pk"))
    for task in tasks:
        task.deadline = today + dt.timedelta(days=rng.randint(-30, 240))
    Task.objects.bulk_update(tasks, ["deadline"], batch_size=1000)
    # progress with evidence on a sample, most accepted, some asking to complete
    png = _png()
    for task in rng.sample(tasks, min(60, len(tasks))):
        report = services.report_progress(
            task,
            text=rng.choice(
                ["已制定整治方案并召开部署会", "完成第一轮排查整治", "建立长效管理台账"]
            ),
            files=[("现场照片.png", png), ("工作方案.pdf", PDF)],
            complete=rng.random() < 0.4,
            acting_user=SYSTEM,
        )
        if rng.random() < 0.8:
            services.review_report(report, accept=True, comment="材料齐全", acting_user=SYSTEM)
        else:
            services.review_report(
                report, accept=False, comment="请补充整改前后对比照片", acting_user=SYSTEM
            )
    # metrics on standards, computed once (the nightly job keeps the trend)
    std = {i.code: i for i in Indicator.objects.filter(system=system, level=Level.STANDARD)}
    specs = [
        (
            "4.2.1",
            "无未结问题的农贸市场占比",
            'sites.without_open_cases("农贸市场") / sites.count("农贸市场") * 100',
            "%",
            95,
        ),
        (
            "2.1.1",
            "主次干道每公里公益广告数",
            'sites.count("主次干道") * 3 / sites.sum("主次干道", "length_km")',
            "处/公里",
            5,
        ),
        ("6.1.1", "市容环境任务完成率", 'tasks.done_ratio("6.1") * 100', "%", 100),
        ("6.1.2", "背街小巷未结案件数", 'cases.open(indicator="6.1.2")', "件", 0),
    ]
    for code, name, formula_text, unit_label, target in specs:
        if code in std:
            metrics.create_metric(
                city,
                indicator=std[code],
                name=name,
                formula_text=formula_text,
                unit_label=unit_label,
                target=Decimal(target),
                acting_user=SYSTEM,
            )
    metrics.recompute_metrics(city)
    # pledges of the departments that lead something (a handful, to keep the demo quick)
    leads = list(
        Unit.objects.filter(led_tasks__city=city, kind=UnitKind.DEPARTMENT)
        .distinct()
        .order_by("path")[:8]
    )
    booklets.generate_pledges(city, today.year, units=leads, acting_user=SYSTEM)
    n_reports = ProgressReport.objects.filter(city=city).count()
    # 多城联创: tasks on standards linked to the sample system also serve it
    n_extra = services.apply_links_to_tasks(city, acting_user=SYSTEM)
    if n_extra:
        log(f"任务：按跨体系对应，{n_extra} 项任务同时服务示例体系的标准。")
    log(
        f"任务：{len(rules)} 条分解规则，{result.created} 项任务，{n_reports} 份进展报送，"
        f"{len(specs)} 个量化指标，{len(leads)} 份责任书。"
    )
