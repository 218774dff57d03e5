"""Demo data: the shipped seed edition loaded into the demo city and activated."""

import json
from collections.abc import Callable
from typing import Any

from chuangwen.org.actors import SYSTEM

from .choices import CityTitle
from .models import EvaluationSystem, Indicator, Metric, StandardLink
from .services import adopt_system, import_evaluation_system, link_standards, load_evaluation_system

SAMPLE_NOTE = "示例，非官方"
# 多城联创 demo: a deliberately tiny, invented sample of a second title's system, every node
# marked as a sample; NOT the official 国家卫生城市 standard (import the official one instead).
# (sample code, title, the civilized-city standard it is mapped to or "")
SAMPLE_NODES = [
    (
        "S1",
        "示例：市容环境卫生",
        [
            ("S1.1", "示例：农贸市场环境卫生", "4.2.1"),
            ("S1.2", "示例：背街小巷环境卫生", "6.1.2"),
            ("S1.3", "示例：生活垃圾分类与收运", "7.2.1"),
        ],
    ),
    (
        "S2",
        "示例：社区与公共卫生",
        [
            ("S2.1", "示例：居民小区环境卫生", "6.1.3"),
            ("S2.2", "示例：病媒生物防制", ""),
        ],
    ),
]


def build_sample_title_system(city: Any, main: EvaluationSystem) -> EvaluationSystem:
    """A clearly marked sample system of another title, adopted, with links to ``main``."""
    data = {
        "system": {
            "name": f"卫生城市测评体系（{SAMPLE_NOTE}，仅供演示）",
            "version_year": 2026,
            "kind": "main",
            "unofficial": True,
            "source": "演示用示例：条目为编造的概括性名称，不是任何官方标准；"
            "正式工作请导入官方发布的测评标准。",
            "level_names": ["测评项目", "测评标准"],
        },
        "nodes": [
            {
                "code": code,
                "level": "测评项目",
                "title": f"{title}（{SAMPLE_NOTE}）",
                "text": SAMPLE_NOTE,
                "children": [
                    {"code": c, "level": "测评标准", "title": t, "text": SAMPLE_NOTE}
                    for c, t, _link in children
                ],
            }
            for code, title, children in SAMPLE_NODES
        ],
    }
    sample = import_evaluation_system(
        city,
        json.dumps(data, ensure_ascii=False).encode(),
        fmt="json",
        title=CityTitle.HYGIENIC,
        acting_user=SYSTEM,
    )
    adopt_system(sample, acting_user=SYSTEM)
    mine = {n.code: n for n in sample.indicators.all()}
    theirs = {n.code: n for n in Indicator.objects.filter(system=main)}
    for _code, _title, children in SAMPLE_NODES:
        for code, _t, target in children:
            if target and target in theirs:
                link_standards(
                    mine[code],
                    theirs[target],
                    note=f"演示对应（{SAMPLE_NOTE}）",
                    acting_user=SYSTEM,
                )
    sample.refresh_from_db()
    return sample


def build_demo(city: Any, seed: int, log: Callable[[str], Any]) -> EvaluationSystem:
    system = load_evaluation_system(city, activate=True, acting_user=SYSTEM)
    # a few quantified targets, so adoption of a later version has something to move
    targets = [
        ("2.3.1", "注册志愿者占常住人口比例", "%", 13),
        ("6.1.2", "背街小巷路灯亮灯率", "%", 95),
        ("2.1.1", "主次干道每 500 米核心价值观公益广告", "处", 3),
    ]
    nodes = {n.code: n for n in system.indicators.filter(code__in=[t[0] for t in targets])}
    Metric.objects.bulk_create(
        [
            Metric(city=city, indicator=nodes[code], name=name, unit_label=unit, target=target)
            for code, name, unit, target in targets
            if code in nodes
        ]
    )
    log(
        f"已载入测评体系「{system.name}」：{system.indicators.count()} 个节点，"
        f"检查项 {system.check_items.count()} 条，负面清单 {system.negative_items.count()} 条"
        "（公开摘录整理版，非官方文本）。"
    )
    sample = build_sample_title_system(city, system)
    log(
        f"已载入示例体系「{sample.name}」（{sample.indicators.count()} 个节点，"
        f"与文明城市体系对应 {StandardLink.objects.filter(city=city).count()} 条；示例，非官方）。"
    )
    return system
