"""A small hand-made evaluation system and sites on tests.factories.SmallCity, set up through
the services (the indicators import + adoption, the sites service)."""

import json

from chuangwen.indicators.models import CheckItem, EvaluationSystem, SiteType
from chuangwen.indicators.services import adopt_system, import_evaluation_system
from chuangwen.org.actors import SYSTEM
from chuangwen.sites.choices import AssignmentRole
from chuangwen.sites.services import SiteSpec, create_sites

# 项目 A (60) → 内容 1.1 (40) → 标准 1.1.1 (10), 1.1.2 (30); 内容 1.2 (20) → 1.2.1 (20, 材料)
# 项目 B (40) → 内容 2.1 (30) → 标准 2.1.1 (30); 内容 2.2 (10) → 2.2.1 (10, 材料)
MINI = {
    "system": {
        "name": "测试体系",
        "version_year": 2026,
        "kind": "main",
        "weights": {
            "components": {"网上申报材料审核": 40, "实地考察": 40, "问卷调查": 20},
            "cycle_year_weights": [15, 25, 60],
            "minors_threshold": 85,
            "minors_share_percent": 20,
        },
    },
    "nodes": [
        {
            "code": "1",
            "level": "测评项目",
            "title": "项目A",
            "points": 60,
            "children": [
                {
                    "code": "1.1",
                    "level": "测评内容",
                    "title": "市容",
                    "points": 40,
                    "children": [
                        {
                            "code": "1.1.1",
                            "level": "测评标准",
                            "title": "道路整洁",
                            "points": 10,
                            "methods": ["实地考察"],
                        },
                        {
                            "code": "1.1.2",
                            "level": "测评标准",
                            "title": "公益广告",
                            "points": 30,
                            "methods": ["实地考察"],
                        },
                    ],
                },
                {
                    "code": "1.2",
                    "level": "测评内容",
                    "title": "制度",
                    "points": 20,
                    "children": [
                        {
                            "code": "1.2.1",
                            "level": "测评标准",
                            "title": "工作制度",
                            "points": 20,
                            "methods": ["材料审核"],
                        }
                    ],
                },
            ],
        },
        {
            "code": "2",
            "level": "测评项目",
            "title": "项目B",
            "points": 40,
            "children": [
                {
                    "code": "2.1",
                    "level": "测评内容",
                    "title": "市场",
                    "points": 30,
                    "children": [
                        {
                            "code": "2.1.1",
                            "level": "测评标准",
                            "title": "市场秩序",
                            "points": 30,
                            "methods": ["实地考察"],
                        }
                    ],
                },
                {
                    "code": "2.2",
                    "level": "测评内容",
                    "title": "台账",
                    "points": 10,
                    "children": [
                        {
                            "code": "2.2.1",
                            "level": "测评标准",
                            "title": "台账",
                            "points": 10,
                            "methods": ["材料审核"],
                        }
                    ],
                },
            ],
        },
    ],
    "site_types": [
        {
            "code": "ZD",
            "name": "主次干道",
            "checklist": [
                {"code": "ZD-1", "text": "路面整洁", "rule": "达标/不达标", "standards": ["1.1.1"]},
                {"code": "ZD-2", "text": "行人守规比例", "rule": "按比例", "standards": ["1.1.1"]},
                {
                    "code": "ZD-3",
                    "text": "公益广告不少于 3 处",
                    "rule": "按缺项扣分",
                    "standards": ["1.1.2"],
                    "deduct": 2,
                    "cap": 6,
                    "points": 6,
                    "unit": "处",
                },
            ],
        },
        {
            "code": "SC",
            "name": "农贸市场",
            "checklist": [
                {"code": "SC-1", "text": "经营有序", "rule": "达标/不达标", "standards": ["2.1.1"]}
            ],
        },
    ],
    "negative_list": [
        {"code": "F1", "text": "发生较大负面舆情", "sanction": "扣分", "points": 2},
        {"code": "F2", "text": "发生重大事件", "sanction": "不得申报"},
    ],
}

IN_A = (113.005, 28.005)  # grid_a (甲社区)
IN_B = (113.015, 28.005)  # grid_b (乙社区)


def mini_system(city) -> EvaluationSystem:
    system = import_evaluation_system(
        city, json.dumps(MINI).encode(), fmt="json", acting_user=SYSTEM
    )
    adopt_system(system, acting_user=SYSTEM)
    system.refresh_from_db()
    return system


def point(lon, lat):
    return {"type": "Point", "coordinates": [lon, lat]}


class InspectionCity:
    """SmallCity + the mini system + 2 roads (甲区, 乙区) and 3 markets (2 in 甲区, 1 in 乙区)."""

    def __init__(self, sc) -> None:
        self.sc = sc
        self.city = sc.city
        self.system = mini_system(sc.city)
        self.zd = SiteType.objects.get(city=sc.city, code="ZD")
        self.sc_type = SiteType.objects.get(city=sc.city, code="SC")
        self.items = {i.code: i for i in CheckItem.objects.filter(system=self.system)}
        specs = [
            SiteSpec(
                "ZD001",
                "甲路",
                self.zd,
                point(*IN_A),
                owner=sc.street_a,
                baobao=[(sc.dept, AssignmentRole.LEAD)],
            ),
            SiteSpec("ZD002", "乙路", self.zd, point(*IN_B), owner=sc.street_b),
            SiteSpec("SC001", "甲市场一", self.sc_type, point(113.004, 28.004), owner=sc.street_a),
            SiteSpec("SC002", "甲市场二", self.sc_type, point(113.006, 28.006), owner=sc.street_a),
            SiteSpec("SC003", "乙市场", self.sc_type, point(113.016, 28.006), owner=sc.street_b),
        ]
        self.sites = {s.code: s for s in create_sites(sc.city, specs, acting_user=SYSTEM)}

    def __getattr__(self, name):
        return getattr(self.sc, name)
