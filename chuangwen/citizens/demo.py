"""Demo data of the citizens app (part B), all through the services, reproducible from the seed:

- a finished round of "the 10 things citizens most dislike" (14 candidates, public ballots,
  published) and its ten campaigns in various states (筹备中, 整治中, 验收中 with the re-vote
  running, 已完成 with the re-vote's result), with milestones, linked cases, progress reports
  with photos and budgets by source (commitments, payments, an approved and a pending change);
- two sector campaigns (食品安全, 窗口服务);
- a compound (小区) ranking round, published, whose worst compounds got rectification campaigns;
- two 问政 episodes: problems exposed as 媒体曝光 cases, commitments (kept, running, overdue),
  the second episode reviewing the first one's commitments.

The candidates' titles are common 创文 problems written for the demo (marked 演示数据), not any
city's official list. ``votes`` sets the number of public ballots (``--small``: fewer).
"""

import datetime as dt
import io
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone

from chuangwen.cases.models import Case
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import City, Unit
from chuangwen.sites.models import Site

from . import services
from .choices import CampaignKind, CampaignStatus, MilestoneStatus, ProgressMode, RoundKind, Sector
from .models import Campaign, CampaignReport, Commitment, Milestone, Round, Vote
from .voice import demo as voice_demo

N_VOTES = 600

# (candidate, lead department, target, value, unit, messages) — demo wording
THINGS = [
    (
        "占道经营、马路市场屡禁不止",
        "市城市管理和综合执法局",
        "主次干道占道经营点清零",
        120,
        "处",
        412,
    ),
    ("背街小巷垃圾清运不及时", "市环境卫生管理处", "背街小巷垃圾日产日清率", 98, "%", 388),
    ("机动车乱停乱放、停车难", "市公安局交通警察支队", "新增规范停车泊位", 3000, "个", 365),
    ("道路坑洼不平、井盖缺失", "市市政设施管理处", "修复破损路面和井盖", 850, "处", 341),
    ("路灯不亮、夜间照明不足", "市市政设施管理处", "路灯亮灯率", 98, "%", 297),
    ("老旧小区停水、水压不足", "市自来水公司", "改造老旧供水管网", 42, "公里", 276),
    ("农贸市场脏乱差", "市市场监督管理局", "农贸市场标准化改造", 24, "个", 254),
    ("餐饮油烟和夜间噪音扰民", "市生态环境局", "油烟净化设施安装率", 100, "%", 231),
    ("电动车乱停乱充、楼道飞线充电", "市消防救援支队", "新建集中充电桩", 5000, "个", 219),
    ("建筑工地扬尘和渣土撒漏", "市住房和城乡建设局", "在建工地扬尘防治达标率", 100, "%", 203),
    ("公厕数量少、保洁差", "市环境卫生管理处", "新建改建公厕", 60, "座", 188),
    ("小广告“牛皮癣”乱贴乱画", "市城市管理和综合执法局", "主次干道小广告清理", 100, "%", 150),
    ("流浪犬扰民伤人", "市农业农村局", "流浪犬收容处置", 800, "只", 132),
    ("公交站台破损、候车无遮挡", "市公共交通集团", "公交候车亭新建改造", 260, "座", 97),
]
# the state each of the ten campaigns (by rank) is left in
PLAN = [
    "closed",
    "closed",
    "closing",
    "closing",
    "active",
    "active",
    "active",
    "active",
    "draft",
    "draft",
]
SOURCES = ["city", "district", "department", "social"]
STATE = {
    "draft": CampaignStatus.DRAFT,
    "active": CampaignStatus.ACTIVE,
    "closing": CampaignStatus.CLOSING,
    "closed": CampaignStatus.CLOSED,
}


def _jpeg(color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (96, 64), color).save(buf, "JPEG")
    return buf.getvalue()


BEFORE = (150, 110, 90)
AFTER = (80, 160, 90)


def _units(city: City) -> dict[str, Unit]:
    return {u.name: u for u in Unit.objects.filter(city=city, active=True).order_by("code")}


def _unit(units: dict[str, Unit], name: str, rng: random.Random) -> Unit:
    if name in units:
        return units[name]
    depts = sorted((u for u in units.values() if u.kind == UnitKind.DEPARTMENT), key=lambda u: u.pk)
    return rng.choice(depts or sorted(units.values(), key=lambda u: u.pk))


def _voter(rng: random.Random, i: int, tag: str) -> services.Voter:
    return services.Voter(
        phone=f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}",
        device=f"demo-{tag}-{i}",
        network=f"10.{i % 250}.{i // 250}.0",
    )


def _shift_round(round_: Round, days: int) -> None:
    """Demo cosmetics: move a finished round's dates (and its ballots) back in time."""
    delta = dt.timedelta(days=days)
    Round.objects.filter(pk=round_.pk).update(
        opens_at=F("closes_at") - dt.timedelta(days=21) - delta,
        closes_at=F("closes_at") - delta,
        closed_at=F("closed_at") - delta,
        published_at=F("published_at") - delta + dt.timedelta(days=3),
        created_at=F("created_at") - delta - dt.timedelta(days=25),
    )
    Vote.objects.filter(round=round_).update(cast_at=F("cast_at") - delta)


def _top10_round(city: City, rng: random.Random, votes: int, log: Callable[[str], object]) -> Round:
    now = timezone.now()
    round_ = services.create_round(
        city,
        kind=RoundKind.TOP10,
        title=f"{timezone.localdate().year}年群众最不满意的10件事评选",
        description="从市民留言和随手拍反映最集中的问题中选出候选事项，请选出您最希望整治的事"
        "（最多 10 项）。（演示数据）",
        closes_at=now + dt.timedelta(days=14),
        max_choices=10,
        select_count=10,
        burst_limit=50,
        acting_user=SYSTEM,
    )
    for title, _lead, _t, _v, _u, msgs in THINGS:
        services.add_candidate(
            round_,
            title=title,
            source_note=f"热点问题「{title}」，群众留言 {msgs} 条（演示数据）",
            acting_user=SYSTEM,
        )
    round_ = services.open_round(round_, acting_user=SYSTEM)
    cands = list(round_.candidates.order_by("sort"))
    weights = [t[5] for t in THINGS]
    for i in range(votes):
        k = rng.randint(3, 10)
        picked: set[int] = set()
        while len(picked) < k:
            picked.add(rng.choices(range(len(cands)), weights)[0])
        services.cast_vote(
            round_, _voter(rng, i, "top10"), {cands[p].pk: None for p in picked}, acting_user=SYSTEM
        )
    round_ = services.close_round(round_, acting_user=SYSTEM)
    services.publish_round(
        round_,
        note="公众投票未做实名验证：已按手机号、设备和网络去重，并对集中投票逐一复核。（演示数据）",
        confirm_unverified=True,
        acting_user=SYSTEM,
    )
    _shift_round(round_, 150)
    round_.refresh_from_db()
    log(f"10件事评选：候选 {len(cands)} 项，选票 {votes} 张，已公布")
    return round_


def _budget(campaign: Campaign, rng: random.Random, state: str, office2: Any) -> None:
    today = timezone.localdate()
    sources = rng.sample(SOURCES, rng.randint(1, 3))
    for source in sources:
        amount = Decimal(rng.randrange(20, 600) * 10_000)
        services.set_budget(campaign, source=source, allocated=amount, acting_user=SYSTEM)
        if state == "draft":
            continue
        share = {"active": 0.5, "closing": 0.85, "closed": 0.95}[state]
        committed = (amount * Decimal(str(round(share + rng.uniform(0, 0.05), 2)))).quantize(
            Decimal("1")
        )
        services.record_budget_entry(
            campaign,
            source=source,
            kind="commit",
            amount=committed,
            on=today - dt.timedelta(days=rng.randint(30, 90)),
            note="施工合同",
            acting_user=SYSTEM,
        )
        spent = (committed * Decimal(str(round(rng.uniform(0.4, 0.95), 2)))).quantize(Decimal("1"))
        services.record_budget_entry(
            campaign,
            source=source,
            kind="spend",
            amount=spent,
            on=today - dt.timedelta(days=rng.randint(1, 29)),
            note="按进度支付工程款",
            acting_user=SYSTEM,
        )
    if state == "active" and rng.random() < 0.6:
        change = services.request_budget_change(
            campaign,
            source=sources[0],
            amount=Decimal(rng.randrange(5, 50) * 10_000),
            reason="整治范围扩大，申请追加预算",
            acting_user=SYSTEM,
        )
        if rng.random() < 0.5:
            services.decide_budget_change(
                change, approve=True, note="同意追加", acting_user=office2
            )


def _milestones(campaign: Campaign, rng: random.Random, state: str) -> None:
    start, end = campaign.starts_on, campaign.ends_on
    span = (end - start).days
    titles = ["摸底排查、建立台账", "集中整治", "巩固提升", "验收评估"]
    ms = []
    for i, title in enumerate(titles, start=1):
        ms.append(
            services.add_milestone(
                campaign,
                title=title,
                deadline=start + dt.timedelta(days=span * i // len(titles)),
                weight=[1, 3, 2, 1][i - 1],
                acting_user=SYSTEM,
            )
        )
    if state == "draft":
        return
    done = {"active": rng.randint(1, 2), "closing": 4, "closed": 4}[state]
    for m in ms[:done]:
        services.set_milestone_status(m, status=MilestoneStatus.DONE, acting_user=SYSTEM)
        # the demo tells a past: a stage was done by its deadline, not on the day it was built
        _backdate(Milestone.objects.filter(pk=m.pk), "done_at", m.deadline)
    if state == "active":
        services.set_milestone_status(
            ms[done], status=MilestoneStatus.IN_PROGRESS, acting_user=SYSTEM
        )
        services.submit_report(
            campaign,
            text=f"「{ms[done].title}」阶段已完成约六成，本周新整改 {rng.randint(8, 40)} 处。",
            milestone=ms[done],
            progress=rng.choice([40, 60, 70]),
            photos=[_jpeg(AFTER)],
            acting_user=SYSTEM,
        )


def _backdate(rows: Any, field: str, day: dt.date) -> None:
    """Set ``field`` to 17:00 of ``day`` (today at the latest) on ``rows``."""
    day = min(day, timezone.localdate())
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))
    rows.update(**{field: min(at, timezone.now())})


def _cases(city: City, rng: random.Random, n: int, used: set[int]) -> list[Case]:
    ids = [
        pk
        for pk in Case.objects.filter(city=city).order_by("id").values_list("pk", flat=True)[:400]
        if pk not in used
    ]
    picked = rng.sample(ids, min(n, len(ids)))
    used.update(picked)
    return list(Case.objects.filter(pk__in=picked).order_by("id"))


def _campaigns(
    city: City, round_: Round, rng: random.Random, log: Callable[[str], object]
) -> list[Campaign]:
    units = _units(city)
    office2 = _second_office(city)
    selected = list(round_.candidates.filter(selected=True).order_by("rank"))
    by_title = {t[0]: t for t in THINGS}
    today = timezone.localdate()
    used: set[int] = set()
    out = []
    for cand, state in zip(selected, PLAN, strict=False):
        _title, lead, target, value, unit, _m = by_title[cand.title]
        starts = today - dt.timedelta(days=120 if state != "draft" else -7)
        c = services.create_campaign(
            city,
            kind=CampaignKind.TOP10,
            candidate=cand,
            title=f"{cand.title}专项整治",
            description=f"针对群众反映集中的“{cand.title}”问题，开展为期半年的专项整治。",
            lead_unit=_unit(units, lead, rng),
            supporting_units=[
                u
                for u in (units.get("市城市管理和综合执法局"), units.get("市文明办"))
                if u is not None and u.name != lead
            ],
            target_text=f"{target}达到 {value}{unit}",
            target_value=value,
            target_unit=unit,
            baseline_value=0 if unit != "%" else round(value * 0.7),
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=180),
            progress_mode=ProgressMode.WEIGHTED if rng.random() < 0.5 else ProgressMode.AVERAGE,
            acting_user=SYSTEM,
        )
        _setup(c, state, rng, used, office2)
        out.append(c)
    log(
        "10件事专项整治："
        + "、".join(
            f"{c.title}（{CampaignStatus(STATE[state]).label}）"
            for c, state in zip(out, PLAN, strict=False)
        )
    )
    return out


def _setup(c: Campaign, state: str, rng: random.Random, used: set[int], office2: Any) -> None:
    _milestones(c, rng, "draft" if state == "draft" else state)
    _budget(c, rng, state, office2)
    if state == "draft":
        return
    services.start_campaign(c, acting_user=SYSTEM)
    cases = _cases(c.city, rng, rng.randint(2, 6), used)
    if cases:
        services.link_cases(c, cases, acting_user=SYSTEM)
    sites = list(Site.objects.filter(city_id=c.city_id, active=True).order_by("id")[:200])
    if sites:
        services.link_sites(c, rng.sample(sites, min(3, len(sites))), acting_user=SYSTEM)
    before = services.submit_report(
        c,
        text="整治前现场情况，已逐一登记建立台账。",
        photos=[_jpeg(BEFORE)],
        photo_kind="before",
        acting_user=SYSTEM,
    )
    _backdate(
        CampaignReport.objects.filter(pk=before.pk),
        "reported_at",
        c.starts_on + dt.timedelta(days=3),
    )
    if state in ("closing", "closed"):
        c = Campaign.objects.get(pk=c.pk)
        services.submit_report(
            c,
            text=f"已完成全部整治点位，目标值达到 {c.target_value}{c.target_unit}。",
            current_value=c.target_value,
            acting_user=SYSTEM,
        )
        round_ = services.submit_for_acceptance(
            c,
            summary="整治任务全部完成，经抽查复核合格，申请验收。",
            after_photos=[_jpeg(AFTER)],
            vote_days=14,
            acting_user=SYSTEM,
        )
        cand = round_.candidates.get()
        for i in range(rng.randint(25, 60)):
            score = rng.choices([5, 4, 3, 2, 1], [40, 30, 15, 10, 5])[0]
            services.cast_vote(
                round_, _voter(rng, i, f"sat{c.pk}"), {cand.pk: score}, acting_user=SYSTEM
            )
        if state == "closed":
            Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now())
            services.close_campaign(c, acting_user=SYSTEM)


def _second_office(city: City) -> Any:
    """Budget changes are decided by the office, never by whoever asked (the system here)."""
    from chuangwen.org.choices import Role
    from chuangwen.org.models import Membership

    m = (
        Membership.objects.filter(unit__city=city, role=Role.OFFICE_ADMIN, person__active=True)
        .select_related("person__user")
        .order_by("id")
        .first()
    )
    return m.person.user if m is not None else SYSTEM


def _sector(city: City, rng: random.Random, log: Callable[[str], object]) -> None:
    units = _units(city)
    office2 = _second_office(city)
    today = timezone.localdate()
    used: set[int] = set()
    for sector, title, lead, target, value, unit, state in [
        (Sector.FOOD, "食品安全专项整治", "市市场监督管理局", "食品抽检合格率", 98, "%", "active"),
        (
            Sector.WINDOW,
            "窗口服务提升专项整治",
            "市政务服务和大数据局",
            "窗口服务满意率",
            95,
            "%",
            "closing",
        ),
    ]:
        starts = today - dt.timedelta(days=90)
        c = services.create_campaign(
            city,
            kind=CampaignKind.SECTOR,
            sector=sector,
            title=title,
            lead_unit=_unit(units, lead, rng),
            target_text=f"{target}达到 {value}{unit}",
            target_value=value,
            target_unit=unit,
            baseline_value=round(value * 0.85),
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=150),
            acting_user=SYSTEM,
        )
        _setup(c, state, rng, used, office2)
    log("行业专项整治：食品安全（整治中）、窗口服务（验收中）")


def _compounds(city: City, rng: random.Random, log: Callable[[str], object]) -> None:
    types = services.compound_types(city)
    if not types:
        log("小区评选：没有小区类点位，跳过")
        return
    site_type = types[0]
    today = timezone.localdate()
    from chuangwen.inspections.models import CheckResult

    checked = CheckResult.objects.filter(city=city, site__site_type=site_type).exists()
    ranking = services.create_ranking(
        city,
        title=f"{today.year}年第一季度最佳最差小区评选",
        site_type=site_type,
        period_start=today - dt.timedelta(days=90),
        period_end=today,
        closes_at=timezone.now() + dt.timedelta(days=7),
        min_votes=5,
        min_checks=1 if checked else 0,
        weights=(50, 30, 20) if checked else (0, 70, 30),
        best_n=5,
        worst_n=3,
        acting_user=SYSTEM,
    )
    round_ = services.open_round(ranking.round, acting_user=SYSTEM)
    cands = list(round_.candidates.order_by("sort"))
    quality = {c.pk: rng.uniform(1.5, 4.8) for c in cands}
    i = 0
    for c in cands:
        for _ in range(rng.randint(3, 12)):
            score = max(1, min(5, round(rng.gauss(quality[c.pk], 0.8))))
            services.cast_vote(round_, _voter(rng, i, "xq"), {c.pk: score}, acting_user=SYSTEM)
            i += 1
    services.close_round(round_, acting_user=SYSTEM)
    ranking.refresh_from_db()
    rows = services.publish_ranking(
        ranking,
        note="居民评价按手机号和设备去重；票数不足 5 票的小区不参与排名。（演示数据）",
        confirm_unverified=True,
        acting_user=SYSTEM,
    )
    log(
        f"小区评选：{len(cands)} 个小区，参与排名 {sum(r.eligible for r in rows)} 个，"
        f"居民评价 {i} 份；最差小区已设立整改项目"
    )


def _wenzheng(city: City, rng: random.Random, log: Callable[[str], object]) -> None:
    units = _units(city)
    today = timezone.localdate()
    site = Site.objects.filter(city=city, active=True, lon__isnull=False).order_by("id").first()
    point: dict[str, Any] = {"lon": site.lon, "lat": site.lat} if site else {}
    first = services.create_episode(
        city,
        aired_on=today - dt.timedelta(days=75),
        programme="电视问政",
        topic="背街小巷环境整治",
        note="（演示数据）",
        acting_user=SYSTEM,
    )
    city_admin = _unit(units, "市城市管理和综合执法局", rng)
    sanitation = _unit(units, "市环境卫生管理处", rng)
    water = _unit(units, "市自来水公司", rng)
    ex1 = services.expose_problem(
        first,
        title="老街背巷垃圾堆积多日无人清运",
        description="记者暗访发现，老街背巷垃圾桶满溢，周边居民多次反映未果。",
        unit=sanitation,
        deadline=today + dt.timedelta(days=10),
        address="老街背巷",
        acting_user=SYSTEM,
        **point,
    )
    ex2 = services.expose_problem(
        first,
        title="学校周边流动摊贩占道经营",
        description="放学时段学校门口流动摊贩聚集，影响学生通行安全。",
        unit=city_admin,
        deadline=today + dt.timedelta(days=15),
        acting_user=SYSTEM,
        **point,
    )
    kept = services.make_commitment(
        first,
        exposure=ex1,
        unit=sanitation,
        official="市环境卫生管理处主任",
        content="一周内完成老街背巷垃圾清运，建立每日巡查制度。",
        due_on=first.aired_on + dt.timedelta(days=7),
        acting_user=SYSTEM,
    )
    running = services.make_commitment(
        first,
        exposure=ex2,
        unit=city_admin,
        official="市城市管理和综合执法局局长",
        content="三个月内实现全市学校周边占道经营“清零”。",
        due_on=first.aired_on + dt.timedelta(days=90),
        acting_user=SYSTEM,
    )
    overdue = services.make_commitment(
        first,
        unit=water,
        official="市自来水公司总经理",
        content="一个月内解决老城区三个小区高峰时段水压不足问题。",
        due_on=first.aired_on + dt.timedelta(days=30),
        acting_user=SYSTEM,
    )
    services.follow_up(kept, text="已清运垃圾 36 吨，增设垃圾桶 20 个。", acting_user=SYSTEM)
    services.follow_up(kept, text="现场核查已整改到位。", done=True, acting_user=SYSTEM)
    _backdate(Commitment.objects.filter(pk=kept.pk), "done_at", kept.due_on - dt.timedelta(days=1))
    services.follow_up(
        running, text="已在 40 所学校周边设置疏导点，取缔流动摊点 130 处。", acting_user=SYSTEM
    )
    services.follow_up(overdue, text="管网改造方案已报批，尚未施工。", acting_user=SYSTEM)
    second = services.create_episode(
        city,
        aired_on=today - dt.timedelta(days=10),
        programme="阳光问廉",
        topic="问政回头看",
        note="复查上期承诺兑现情况。（演示数据）",
        acting_user=SYSTEM,
    )
    services.review_commitment(
        kept,
        episode=second,
        verdict="fulfilled",
        text="记者回访：老街背巷保持整洁，承诺已兑现。",
        acting_user=SYSTEM,
    )
    services.review_commitment(
        overdue,
        episode=second,
        verdict="unfulfilled",
        text="记者回访：三个小区高峰时段仍然水压不足，承诺逾期未兑现。",
        acting_user=SYSTEM,
    )
    services.make_commitment(
        second,
        unit=water,
        official="市自来水公司总经理",
        content="两个月内完成老城区供水管网改造，届时接受回访。",
        due_on=second.aired_on + dt.timedelta(days=60),
        acting_user=SYSTEM,
    )
    services.make_commitment(
        second,
        unit=city_admin,
        official="市城市管理和综合执法局副局长",
        content="一个月内清理主次干道“牛皮癣”小广告。",
        due_on=second.aired_on + dt.timedelta(days=30),
        acting_user=SYSTEM,
    )
    log("问政：2 期节目，曝光问题 2 个（媒体曝光案件），承诺 5 项（含 1 项逾期未兑现）")


def build_demo(
    city: City, seed: int, log: Callable[[str], object], *, votes: int = N_VOTES
) -> None:
    rng = random.Random(seed + 12)
    round_ = _top10_round(city, rng, votes, log)
    _campaigns(city, round_, rng, log)
    _sector(city, rng, log)
    _compounds(city, rng, log)
    _wenzheng(city, rng, log)
    voice_demo.build_demo(city, seed, log)
    log(f"市民服务门户：/citizens/p/{city.code}/")
