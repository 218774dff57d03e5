"""Demo mock evaluation: a round over the demo inspection plan, with a survey and the
materials review ratios the office typed in (until the evidence ledger supplies them).

Demo unit assessment: a monthly scheme (its items and points are an example, said so in its
note: the office sets its own from the city's assessment rules), the last 12 months as periods
computed from the demo data (published except the current month; months before the demo's case
history show 无数据 / 样本不足), negative-list findings in every state, a few bonus / penalty
entries, and black-list entries on their way off the list."""

import io
import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone
from PIL import Image, ImageDraw

from chuangwen.indicators.models import Indicator, NegativeListItem
from chuangwen.inspections.models import InspectionPlan
from chuangwen.inspections.services import active_system
from chuangwen.org.actors import SYSTEM, SystemActor
from chuangwen.org.choices import Role, UnitKind
from chuangwen.org.models import City, Membership, Unit

from . import accountability, periods, services
from .choices import (
    SANCTION_GRADES,
    AccountabilityKind,
    BulletinKind,
    FindingSource,
    ItemKind,
    ListKind,
    PeriodKind,
    ReportPeriod,
    UnitGroup,
    UnitSanction,
)
from .models import AssessmentPeriod, ListEntry, SurveyResult

DEMO = SystemActor("demo")
MONTHS = 12
SCHEME_NOTE = (
    "演示数据：考核项目和分值仅为示例，不是任何正式考核办法。请创建办按本市考核办法设置方案。"
)
ITEMS = [
    ("A1", "按期结案", ItemKind.RATE, 25, "cases.on_time_close_rate()", 5),
    ("A2", "返工控制", ItemKind.RATE, 10, "1 - cases.rework_rate()", 5),
    ("A3", "群众满意", ItemKind.RATE, 10, "cases.satisfaction_rate()", 0),
    (
        "A4",
        "任务推进",
        ItemKind.RATE,
        20,
        "0.5 * tasks.done_rate() + 0.5 * tasks.on_time_rate()",
        0,
    ),
    ("A5", "佐证材料", ItemKind.RATE, 10, "tasks.evidence_pass_rate()", 0),
    ("A6", "督查合格", ItemKind.RATE, 15, "inspections.pass_rate()", 0),
    ("A7", "议定事项", ItemKind.RATE, 10, "inspections.action_on_time_rate()", 0),
    ("D1", "负面清单", ItemKind.DEDUCTION, 10, "negative.points()", 0),
    ("M1", "加减分", ItemKind.MANUAL, 5, "", 0),
]


def build_demo(city: City, seed: int, log: Callable[[str], Any], **extra: Any) -> None:
    _mock_round(city, seed, log)
    _unit_assessment(city, seed, log, months=int(extra.get("months", MONTHS)))
    build_accountability_demo(city, seed, log)


def _mock_round(city: City, seed: int, log: Callable[[str], Any]) -> None:
    plans = list(InspectionPlan.objects.filter(city=city).order_by("id"))
    try:
        rnd = services.create_round(city, title="模拟测评（演示）", plans=plans, acting_user=SYSTEM)
    except Exception as exc:  # no active evaluation system: nothing to score
        log(f"模拟测评：跳过（{exc}）。")
        return
    rng = random.Random(f"assessment:{seed}")
    codes = Indicator.objects.filter(system=rnd.system, children__isnull=True).values_list(
        "code", flat=True
    )
    year = timezone.localdate().year
    services.update_round_inputs(
        rnd,
        materials={c: round(rng.uniform(0.6, 1.0), 2) for c in codes},
        minors_input=round(rng.uniform(86, 94), 1),
        prior_scores={str(year - 2): 78.5, str(year - 1): 82.1},
        acting_user=SYSTEM,
    )
    SurveyResult.objects.create(
        round=rnd, awareness=92.5, support=95.1, satisfaction=86.4, respondents=3000
    )
    rnd = services.compute_round(rnd, acting_user=SYSTEM)
    log(
        f"模拟测评：预测年度成绩 {rnd.annual_score:.2f} 分，综合 {rnd.overall_score:.2f} 分，"
        f"周期 {rnd.cycle_score:.2f} 分。"
    )


def _month_start(today: date, back: int) -> date:
    month = today.month - 1 - back
    return date(today.year + month // 12, month % 12 + 1, 1)


def _unit_assessment(city: City, seed: int, log: Callable[[str], Any], months: int) -> None:
    rng = random.Random(f"assessment-units:{seed}")
    scheme = services.create_scheme(
        city,
        name="月度创建工作考核（演示）",
        period_kind=PeriodKind.MONTH,
        groups=[UnitGroup.DISTRICT, UnitGroup.STREET, UnitGroup.DEPARTMENT],
        list_size=3,
        note=SCHEME_NOTE,
        acting_user=DEMO,
    )
    services.save_scheme_items(
        scheme,
        [services.ItemSpec(c, n, k, w, f, v) for c, n, k, w, f, v in ITEMS],
        acting_user=DEMO,
    )
    services.activate_scheme(scheme, acting_user=DEMO)
    today = timezone.localdate()
    periods = []
    for back in range(months - 1, -1, -1):
        start = _month_start(today, back)
        periods.append(
            services.create_period(
                city, kind=PeriodKind.MONTH, year=start.year, number=start.month, acting_user=DEMO
            )
        )
    _findings(city, rng, periods, log)
    manual = scheme.items.get(code="M1")
    units = list(
        Unit.objects.filter(city=city, kind__in=["district", "street"], active=True).order_by(
            "code"
        )
    )
    for period in periods[-4:]:
        for unit in rng.sample(units, min(2, len(units))):
            services.add_adjustment(
                period,
                item=manual,
                unit=unit,
                points=rng.choice([2, 3, -2]),
                reason=rng.choice(["创建工作经验被省级简报刊发", "重点任务推进迟缓，被市领导点名"]),
                acting_user=DEMO,
            )
    for period in periods:
        services.compute_period(period, acting_user=DEMO)
    for period in periods[:-1]:
        services.publish_period(period, disclosure="ranking", acting_user=DEMO)
    _black_list_exits(periods)
    ranked = (
        AssessmentPeriod.objects.filter(pk=periods[-2].pk).first() if len(periods) > 1 else None
    )
    log(
        f"单位考核：{len(periods)} 个月度考核期（已发布 {len(periods) - 1} 个），"
        f"{ranked.n_units if ranked else 0} 个单位参与，红黑榜 "
        f"{ListEntry.objects.filter(period__city=city).count()} 条。"
    )


def _findings(city: City, rng: random.Random, periods: list, log: Callable[[str], Any]) -> None:
    system = active_system(city)
    items = list(NegativeListItem.objects.filter(system=system).order_by("id")) if system else []
    streets = list(Unit.objects.filter(city=city, kind="street", active=True).order_by("code"))
    if not items or not streets:
        log("负面清单问题：没有负面清单条目或街道，跳过。")
        return
    made = []
    for period in periods[-6:]:
        for _n in range(2):
            item = rng.choice(items)
            grades = [g for g in SANCTION_GRADES.get(item.sanction, ()) if g != UnitSanction.VETO]
            sanction = rng.choice(grades or [UnitSanction.DEDUCT])
            day = period.starts_on + timedelta(days=rng.randint(0, 20))
            day = min(day, timezone.localdate())
            made.append(
                services.record_finding(
                    city,
                    unit=rng.choice(streets),
                    item=item,
                    source=rng.choice(FindingSource.values),
                    description="演示：督查发现该问题，要求限期整改。",
                    sanction=sanction,
                    found_on=day,
                    points=2 if sanction == UnitSanction.DEDUCT else None,
                    rectify_by=day + timedelta(days=15),
                    acting_user=DEMO,
                )
            )
    for i, finding in enumerate(made):
        if i % 4 == 3:
            continue  # still open
        services.submit_finding_rectification(
            finding, note="已完成整改，附整改前后照片。", acting_user=DEMO
        )
        if i % 4 == 0:
            services.verify_finding(finding, approved=True, note="核查通过", acting_user=DEMO)
        elif i % 4 == 1:
            services.verify_finding(
                finding, approved=False, note="现场仍有问题，请重新整改", acting_user=DEMO
            )
    if made:
        services.withdraw_finding(made[-1], reason="申诉成立，撤销认定", acting_user=DEMO)


def _black_list_exits(periods: list) -> None:
    if len(periods) < 2:
        return  # the latest period stays unpublished: nothing to rectify yet
    entries = list(
        ListEntry.objects.filter(period=periods[-2], kind=ListKind.BLACK).order_by("id")[:2]
    )
    for i, entry in enumerate(entries):
        services.submit_list_rectification(
            entry, note="已对照问题清单逐项整改完毕，附整改材料。", acting_user=DEMO
        )
        if i == 0:
            services.verify_list_exit(entry, approved=True, note="核查通过", acting_user=DEMO)


# --- accountability, submissions, bulletins ---------------------------------------------------

DEMO_SECTIONS = [
    {"title": "本期工作进展", "hint": "按任务分解逐项填写完成情况"},
    {"title": "存在的问题", "hint": ""},
    {"title": "下期工作计划", "hint": ""},
]
DEMO_INFO = [
    (
        "开展背街小巷环境集中整治",
        "组织街道、社区和志愿者清理卫生死角，规范车辆停放，整治乱搭乱建。",
    ),
    (
        "农贸市场实行“市场长”制度",
        "每个农贸市场明确一名市场长，每日巡查经营秩序和环境卫生，问题当日整改。",
    ),
    ("公益广告提质扩面", "在主次干道、公交站点、建筑工地围挡新增和更新公益广告。"),
    ("志愿服务进社区", "组织文明交通、垃圾分类宣传等志愿服务活动，居民参与踊跃。"),
    ("“小手拉大手”文明创建活动", "辖区中小学开展文明习惯养成教育，带动家庭参与创建。"),
    ("老旧小区改造同步推进文明创建", "结合老旧小区改造完善公共设施，设立文明宣传栏。"),
]


def _demo_photo(rng: random.Random) -> bytes:
    """A plain generated picture (the demo has no real photos)."""
    img = Image.new("RGB", (640, 480), tuple(rng.randint(150, 230) for _ in range(3)))
    draw = ImageDraw.Draw(img)
    for _ in range(6):
        x, y = rng.randint(0, 560), rng.randint(0, 400)
        draw.rectangle(
            (x, y, x + rng.randint(40, 200), y + rng.randint(30, 120)),
            fill=tuple(rng.randint(30, 200) for _ in range(3)),
        )
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def build_accountability_demo(city: City, seed: int, log: Callable[[str], Any]) -> None:
    """A report template with reports (on time, late, missing, reviewed, returned), 信息 with
    photos and reviews, accountability records in every state (from the rules and by hand),
    and a weekly and a monthly bulletin drafted from the demo data, the monthly one issued and
    partly signed for."""
    rng = random.Random(f"accountability:{seed}")
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["office", "leader"])
    }
    office = users.get("office", SYSTEM)
    leader = users.get("leader", SYSTEM)
    actor = SystemActor("demo")
    districts = list(Unit.objects.filter(city=city, kind=UnitKind.DISTRICT).order_by("code"))
    if not districts:
        log("奖惩通报：没有区县，跳过。")
        return
    liaison_of = {
        unit_id: user
        for unit_id, user in Membership.objects.filter(unit__in=districts, role=Role.UNIT_LIAISON)
        .order_by("id")
        .values_list("unit_id", "person__user")
    }
    liaison_users = get_user_model().objects.in_bulk(list(liaison_of.values()))

    def liaison(unit: Any) -> Any:
        return liaison_users.get(liaison_of.get(unit.pk), actor)

    # 汇报: a monthly template owed by the districts
    template = services.save_report_template(
        city,
        title="创建工作月度汇报",
        period=ReportPeriod.MONTHLY,
        sections=DEMO_SECTIONS,
        due_day=5,
        units=districts,
        acting_user=office,
    )
    today = timezone.localdate()
    last = periods.previous_period(ReportPeriod.MONTHLY, today)
    before_last = periods.previous_period(ReportPeriod.MONTHLY, last[0])
    reports = []
    for k, unit in enumerate(districts):
        for start, _end in (before_last, last):
            if (k + start.month) % 4 == 0:
                continue  # not sent: shows as missing (or pending) on the late list
            reports.append(
                services.submit_report(
                    template,
                    unit=unit,
                    period_start=start,
                    texts=[
                        f"{unit.name}按任务分解推进创建工作，"
                        f"完成整改问题 {rng.randint(20, 90)} 个。",
                        "部分背街小巷环境卫生反弹，长效管理有待加强。",
                        "继续开展集中整治，落实常态长效管理。",
                    ],
                    acting_user=liaison(unit),
                )
            )
    for i, sub in enumerate(reports[: len(reports) // 2]):
        services.review_submission(
            sub,
            approve=i % 5 != 4,
            score=rng.randint(70, 98),
            comment="进展清楚，问题找得准。" if i % 5 != 4 else "请补充具体数据后重新报送。",
            acting_user=leader if i % 3 == 0 else office,
        )

    # 信息 with photos
    infos = []
    for k, (title, body) in enumerate(DEMO_INFO):
        unit = districts[k % len(districts)]
        infos.append(
            services.submit_info(
                city,
                unit=unit,
                title=f"{unit.name}{title}",
                body=body,
                photos=[_demo_photo(rng) for _ in range(1 + k % 2)],
                acting_user=liaison(unit),
            )
        )
    for k, sub in enumerate(infos[:5]):
        services.review_submission(
            sub,
            approve=k != 4,
            score=rng.randint(75, 96),
            comment="做法可复制，编入通报。" if k != 4 else "请补充活动成效。",
            acting_user=office,
        )

    # 奖惩问责: what the rules propose, then one record by hand in each state
    proposed = services.run_accountability_rules(city, acting_user=actor)
    rows = []
    plan = [
        (AccountabilityKind.COMMEND, "创建工作进展快、成效明显", ["decide", "close"]),
        (AccountabilityKind.REMINDER_TALK, "督查问题整改进度滞后", ["decide"]),
        (AccountabilityKind.INTERVIEW, "模拟测评排名靠后", ["decide", "respond"]),
        (AccountabilityKind.CRITICISM, "督查问题逾期未整改", ["decide", "respond", "follow_up"]),
        (AccountabilityKind.RECTIFY, "公益广告设置不达标", ["decide", "respond", "close"]),
        (AccountabilityKind.REFERRAL, "多次督促仍未整改到位", []),
        (AccountabilityKind.REMINDER_TALK, "案件超期较多", ["dismiss"]),
    ]
    for k, (kind, title, steps) in enumerate(plan):
        unit = districts[k % len(districts)]
        facts = [v for v, _label in accountability.fact_candidates(unit)[:3]]
        record = services.propose_accountability(
            city, unit=unit, kind=kind, title=title, facts=facts, acting_user=office
        )
        decider = leader if kind in (AccountabilityKind.INTERVIEW,) else office
        for step in steps:
            if step == "decide":
                record = services.decide_accountability(
                    record,
                    decision="同意。请该单位于反馈时限前报送整改情况。"
                    if kind != AccountabilityKind.COMMEND
                    else "予以通报表扬。",
                    acting_user=decider,
                )
            elif step == "dismiss":
                record = services.dismiss_accountability(
                    record, reason="经核实，超期系上级调整任务所致，不予处理。", acting_user=office
                )
            elif step == "respond":
                record = services.respond_accountability(
                    record,
                    response="已召开专题会研究整改，问题已全部整改到位，附整改台账。",
                    acting_user=liaison(unit),
                )
            elif step == "follow_up":
                record = services.follow_up_accountability(
                    record, note="复查整改到位，继续跟踪长效管理。", acting_user=office
                )
            else:
                record = services.close_accountability(record, acting_user=office)
        rows.append(record)

    # 通报: last week's and last month's, drafted from the data; the monthly one issued
    drafts = []
    for bkind in (BulletinKind.WEEKLY, BulletinKind.MONTHLY):
        start, end = periods.last_complete_period(bkind, today)
        drafts.append(
            services.draft_bulletin(city, kind=bkind, start=start, end=end, acting_user=office)
        )
    # and a special one of this month so far, with the 信息 approved above
    drafts.append(
        services.draft_bulletin(
            city,
            kind=BulletinKind.SPECIAL,
            start=today.replace(day=1),
            end=today,
            title=f"{city.name}创建全国文明城市工作专项通报（本月经验做法）",
            acting_user=office,
        )
    )
    monthly = services.issue_bulletin(drafts[1], acting_user=office)
    for unit in districts[:2]:
        if unit.pk in liaison_of:
            services.sign_bulletin(monthly, acting_user=liaison(unit))
    log(
        f"奖惩通报：汇报 {len(reports)} 份、信息 {len(infos)} 条；奖惩问责 "
        f"{len(rows) + len(proposed)} 条（规则提出 {len(proposed)} 条）；通报 {len(drafts)} 份"
        f"（已印发 {monthly.number}）。"
    )
