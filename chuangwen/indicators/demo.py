"""Demo data: the shipped seed edition loaded into the demo city and activated."""

from collections.abc import Callable
from typing import Any

from chuangwen.org.actors import SYSTEM

from .models import EvaluationSystem, Metric
from .services import load_evaluation_system


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
    return system
