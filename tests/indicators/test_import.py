import json

import pytest

from chuangwen.core.errors import ImportFailed, PermissionDenied
from chuangwen.core.models import AuditEvent
from chuangwen.core.xlsx import Sheet
from chuangwen.indicators import services
from chuangwen.indicators.choices import Level, Method, Sanction, ScoringRule, SystemStatus
from chuangwen.indicators.models import (
    CheckItem,
    EvaluationSystem,
    Indicator,
    NegativeListItem,
    SiteType,
)
from chuangwen.indicators.services.parsing import CHECK_COLUMNS, NEG_COLUMNS, TYPE_COLUMNS
from chuangwen.org.actors import SYSTEM

from .helpers import manual_docx, node_row, signature, xlsx

pytestmark = pytest.mark.django_db


def _import(city, data, fmt="xlsx", **kw):
    kw.setdefault("name", "测试版")
    kw.setdefault("version_year", 2024)
    kw.setdefault("acting_user", SYSTEM)
    return services.import_evaluation_system(city, data, fmt=fmt, **kw)


def _errors(exc: pytest.ExceptionInfo) -> list[tuple]:
    return [(e.sheet, e.row, e.column, e.message) for e in exc.value.errors]


# --- the shipped seed ---------------------------------------------------------------------


def test_seed_loads_and_is_labelled_unofficial(small_city):
    system = services.load_evaluation_system(small_city.city, activate=True, acting_user=SYSTEM)
    assert system.status == SystemStatus.ACTIVE
    assert system.unofficial
    assert "非官方" in system.name
    items = Indicator.objects.filter(system=system, level=Level.ITEM)
    assert items.count() == 7
    assert items.order_by("path").first().title == "坚持以习近平新时代中国特色社会主义思想为指导"
    standards = Indicator.objects.filter(system=system, level=Level.STANDARD)
    assert standards.count() >= 35
    for node in standards:
        assert node.methods, f"{node.code} has no method"
        for clause in node.clauses:
            assert clause["methods"], f"{node.code} clause {clause['no']} has no method"
    assert system.weights["components"] == {"网上申报材料审核": 40, "实地考察": 40, "问卷调查": 20}
    assert system.weights["cycle_year_weights"] == [15, 25, 60]
    assert SiteType.objects.filter(city=small_city.city).count() >= 14
    ad = CheckItem.objects.get(system=system, code="ZCGD-1")
    assert ad.rule == ScoringRule.DEDUCT and ad.deduct == 2
    assert list(ad.standards.values_list("code", flat=True)) == ["2.1.1"]
    assert NegativeListItem.objects.filter(system=system, sanction=Sanction.DISQUALIFY).count() == 5
    raw = json.loads(services.SEED_PATH.read_text(encoding="utf-8"))
    assert any("不是《全国文明城市测评体系》官方文本" in line for line in raw["_notice"])


def test_seed_round_trips_through_excel(small_city):
    seed = services.load_evaluation_system(small_city.city, acting_user=SYSTEM)
    data = services.export_system_xlsx(seed)
    copy = _import(small_city.city, data, compare=False)
    assert signature(copy) == signature(seed)

    def checklist(system):
        return [
            (
                c.code,
                c.site_type.code,
                c.text,
                c.rule,
                c.points,
                c.deduct,
                c.cap,
                c.unit_label,
                sorted(c.standards.values_list("code", flat=True)),
            )
            for c in CheckItem.objects.filter(system=system).select_related("site_type")
        ]

    assert checklist(copy) == checklist(seed)
    negatives = lambda s: list(  # noqa: E731
        NegativeListItem.objects.filter(system=s).values_list("code", "text", "sanction", "note")
    )
    assert negatives(copy) == negatives(seed)
    # and exporting the copy gives the same workbook content again
    again = _import(small_city.city, services.export_system_xlsx(copy), compare=False)
    assert signature(again) == signature(seed)


def test_excel_round_trip_of_a_deep_tree_with_clauses_points_and_grades(small_city):
    rows = [
        node_row("A", "", "测评项目", "项目甲", 权数=3.4),
        node_row("A.1", "A", "指标", "指标甲一"),
        node_row("A.1.1", "A.1", "测评内容", "内容", 内容="说明文字"),
        node_row(
            "A.1.1.1",
            "A.1.1",
            "测评标准",
            "标准一",
            子条款="1）公益广告不少于3处\n2）路灯亮灯率95%\n3）热线接通",
            测评方法="1）实地观察\n2）实地调查\n3）实景模拟验证、材料审核",
            分值=2.5,
            等级规则="A:3;B:2;C:1",
        ),
        node_row("A.1.1.2", "A.1.1", "测评标准", "标准二", 测评方法="入户问卷调查", 一票否决="是"),
        node_row("A.1.1.2.1", "A.1.1.2", "细则", "第五层也可以")
        if False
        else node_row(
            "A.1.1.2.1", "A.1.1.2", "标准", "第五层也可以", 测评方法="暗访", 本市增补="是"
        ),
    ]
    system = _import(small_city.city, xlsx(rows))
    deep = Indicator.objects.get(system=system, code="A.1.1.2.1")
    assert deep.depth == 4
    first = Indicator.objects.get(system=system, code="A.1.1.1")
    assert [c["methods"] for c in first.clauses] == [
        [Method.FIELD_OBSERVE],
        [Method.FIELD_RECORDS],
        [Method.FIELD_SIMULATION, Method.DOCUMENT],
    ]
    assert first.grade_rule == {"A": 3, "B": 2, "C": 1}
    assert "|field|" in first.method_tags  # sub-methods count as their family
    assert str(Indicator.objects.get(system=system, code="A").weight) == "3.400"
    copy = _import(small_city.city, services.export_system_xlsx(system), compare=False)
    assert signature(copy) == signature(system)


# --- import errors: every bad row named, nothing written ----------------------------------


def test_every_kind_of_excel_error_is_reported_at_once_and_nothing_changes(small_city):
    rows = [
        node_row("1", "", "测评项目", "项目"),
        node_row("1.1", "9", "测评内容", "缺上级"),  # row 3: missing parent
        node_row("1", "", "测评项目", "重复"),  # row 4: duplicate code
        node_row("1.2", "1", "测评标准", "方法不对", 测评方法="飞行检查"),  # row 5
        node_row("1.3", "1", "测评标准", "分值不对", 分值="三分"),  # row 6
        node_row("X", "Y", "测评内容", "循环甲"),  # row 7
        node_row("Y", "X", "测评内容", "循环乙"),  # row 8
        node_row("1.4", "1", "层层", "层级不对"),  # row 9
        node_row("1.5", "1", "测评标准", " ", 等级规则="优秀"),  # row 10
    ]
    before = (
        EvaluationSystem.objects.count(),
        Indicator.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(ImportFailed) as exc:
        _import(small_city.city, xlsx(rows))
    errors = _errors(exc)
    sheet = "测评体系"
    assert (sheet, 3, "上级编号", "上级编号「9」不存在") in errors
    assert (sheet, 4, "编号", "编号「1」与第 2 行重复") in errors
    assert (sheet, 5, "测评方法", "未知的测评方法「飞行检查」") in errors
    assert (sheet, 6, "分值", "「三分」不是有效的数字") in errors
    assert (sheet, 7, "上级编号", "上下级关系形成循环") in errors
    assert (sheet, 8, "上级编号", "上下级关系形成循环") in errors
    assert (sheet, 9, "层级", "未知的层级「层层」") in errors
    assert (sheet, 10, "名称", "不能为空") in errors
    assert any(e[1] == 10 and e[2] == "等级规则" for e in errors)
    assert "第 3 行" in str(exc.value.errors[0]) and "工作表「测评体系」" in str(
        exc.value.errors[0]
    )
    after = (
        EvaluationSystem.objects.count(),
        Indicator.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_checklist_and_negative_list_errors(small_city):
    rows = [
        node_row("1", "", "测评项目", "项目"),
        node_row("1.1", "1", "测评标准", "标准", 测评方法="实地考察"),
    ]
    extra = [
        Sheet("点位类型", TYPE_COLUMNS, [["ZC", "主次干道", ""]]),
        Sheet(
            "点位检查项",
            CHECK_COLUMNS,
            [
                ["C1", "主次干道", "公益广告", "按缺项扣分", "", "", "", "处", "1.1", ""],
                ["C2", "不存在的类型", "x", "打分", "", "", "", "", "9.9", ""],
                ["C1", "ZC", "重复", "", "", "", "", "", "", ""],
            ],
        ),
        Sheet("负面清单", NEG_COLUMNS, [["F1", "重大事故", "罚款", "", "", ""]]),
    ]
    with pytest.raises(ImportFailed) as exc:
        _import(small_city.city, xlsx(rows, extra))
    errors = _errors(exc)
    assert ("点位检查项", 2, "每处扣分", "按缺项扣分时必须填写每处扣分") in errors
    assert ("点位检查项", 3, "点位类型", "点位类型「不存在的类型」不存在") in errors
    assert ("点位检查项", 3, "评分方式", "未知的评分方式「打分」") in errors
    assert ("点位检查项", 3, "关联标准", "关联标准「9.9」不存在") in errors
    assert ("点位检查项", 4, "编号", "检查项编号「C1」与第 2 行重复") in errors
    assert ("负面清单", 2, "处理措施", "未知的处理措施「罚款」") in errors
    assert not SiteType.objects.filter(code="ZC").exists()


def test_unreadable_and_headerless_files(small_city):
    with pytest.raises(ImportFailed) as exc:
        _import(small_city.city, b"not a workbook")
    assert "无法读取 Excel 文件" in exc.value.errors[0].message
    from chuangwen.core.xlsx import write_workbook

    bad = write_workbook([Sheet("测评体系", ["代码", "标题"], [["1", "x"]])])
    with pytest.raises(ImportFailed) as exc:
        _import(small_city.city, bad)
    assert {e.column for e in exc.value.errors} == {"编号", "名称"}
    with pytest.raises(ImportFailed) as exc:
        _import(small_city.city, b"PK-no", fmt="docx")
    assert "无法读取 Word 文件" in exc.value.errors[0].message


def test_only_the_office_imports(small_city):
    rows = [node_row("1", "", "测评项目", "项目")]
    for person in (small_city.leader, small_city.liaison_a):
        with pytest.raises(PermissionDenied):
            _import(small_city.city, xlsx(rows), acting_user=person.user)
    system = _import(small_city.city, xlsx(rows), acting_user=small_city.office.user)
    event = AuditEvent.objects.get(code="indicators.system.imported", object_id=str(system.pk))
    assert event.actor == small_city.office.user and event.after["indicators"] == 1


# --- Word 操作手册 ----------------------------------------------------------------------------

MANUAL = [
    ("一、思想道德", "理论学习", "1.理论学习制度", "中心组学习制度健全，有学习记录", "材料审核"),
    (
        "一、思想道德",
        "理论学习",
        "1.理论学习制度",
        "基层宣讲1）有宣讲队伍；2）年度宣讲不少于12场",
        "1）网上申报 2）实地调查",
    ),
    (
        "一、思想道德",
        "志愿服务",
        "2.志愿服务",
        "①注册志愿者比例达标②站点有人值守③市民知晓",
        "①材料审核②实地观察③入户问卷调查",
    ),
    ("二、城市环境", "市容", "3.主次干道", "路面整洁，无暴露垃圾", "实地观察"),
    (
        "二、城市环境",
        "市容",
        "4.背街小巷",
        "（1）路灯完好（2）无乱堆乱放",
        "（1）实地观察（2）实地观察、暗访",
    ),
]


def test_word_manual_with_merged_cells_imports(small_city):
    system = _import(small_city.city, manual_docx(MANUAL), fmt="docx")
    tree = [
        (n.code, n.level, n.title) for n in Indicator.objects.filter(system=system).order_by("path")
    ]
    assert [t for t in tree if t[1] == Level.ITEM] == [
        ("1", "item", "思想道德"),
        ("2", "item", "城市环境"),
    ]
    assert [t[2] for t in tree if t[1] == Level.CONTENT] == [
        "理论学习制度",
        "志愿服务",
        "主次干道",
        "背街小巷",
    ]
    assert Indicator.objects.filter(system=system, level=Level.INDICATOR).count() == 3
    assert Indicator.objects.filter(system=system, level=Level.STANDARD).count() == 5
    lecture = Indicator.objects.get(system=system, text__startswith="基层宣讲")
    assert lecture.parent.title == "理论学习制度" and lecture.parent.parent.title == "理论学习"
    assert [(c["no"], c["text"], c["methods"]) for c in lecture.clauses] == [
        ("1", "有宣讲队伍", [Method.ONLINE_FILING]),
        ("2", "年度宣讲不少于12场", [Method.FIELD_RECORDS]),
    ]
    volunteers = Indicator.objects.get(system=system, code="1.2.1.1")
    assert [c["methods"] for c in volunteers.clauses] == [
        [Method.DOCUMENT],
        [Method.FIELD_OBSERVE],
        [Method.SURVEY_HOME],
    ]
    lanes = Indicator.objects.get(system=system, parent__title="背街小巷")
    assert lanes.clauses[1]["methods"] == [Method.FIELD_OBSERVE, Method.COVERT]
    assert system.level_names == ["测评项目", "指标名称", "测评内容", "测评标准"]
    # every standard kept its method
    assert not Indicator.objects.filter(system=system, level=Level.STANDARD, methods=[]).exists()


def test_word_manual_without_indicator_column_and_unmerged_repeats(small_city):
    rows = [(a, c, s, m) for a, _b, c, s, m in MANUAL]
    data = manual_docx(rows, header=("测评项目", "测评内容", "测评标准", "测评方法"), merge=False)
    system = _import(small_city.city, data, fmt="docx")
    assert Indicator.objects.filter(system=system, level=Level.ITEM).count() == 2
    assert Indicator.objects.filter(system=system, level=Level.CONTENT).count() == 4
    assert Indicator.objects.filter(system=system, level=Level.STANDARD).count() == 5


def test_word_errors_name_table_row_and_column(small_city):
    rows = [
        ("一、思想道德", "理论学习", "1.理论学习", "有学习记录", "材料审核"),
        ("一、思想道德", "理论学习", "1.理论学习", "有宣讲", "神秘测评"),
        ("一、思想道德", "理论学习", "1.理论学习", "1）甲；2）乙", "1）实地观察 3）材料审核"),
        ("一、思想道德", "理论学习", "1.理论学习", "没有方法", ""),
        ("一、思想道德", "理论学习", "1.理论学习", "分值不对", "实地观察"),
    ]
    data = manual_docx(rows)
    with pytest.raises(ImportFailed) as exc:
        _import(small_city.city, data, fmt="docx")
    errors = _errors(exc)
    assert ("表1", 3, "测评方法", "未知的测评方法「神秘测评」") in errors
    assert ("表1", 4, "测评方法", "测评方法第 3 项没有对应的子条款") in errors
    assert ("表1", 5, "测评方法", "测评方法为空") in errors
    from docx import Document

    with pytest.raises(ImportFailed) as exc:
        import io

        doc = Document()
        doc.add_paragraph("没有表格")
        buf = io.BytesIO()
        doc.save(buf)
        _import(small_city.city, buf.getvalue(), fmt="docx")
    assert "未找到" in exc.value.errors[0].message
    assert not EvaluationSystem.objects.exists()
