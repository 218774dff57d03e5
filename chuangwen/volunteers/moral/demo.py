"""Demo data of the moral bank, moral models and civility selections, made through the services.

Two moral banks (the first two communities; the ``volunteer`` demo login lives in the first,
so the hours confirmed in the volunteers demo earn points there), the city's earn and deduct
rules, outlets with the ``shop`` demo login as the first outlet's clerk, good deeds in every
state, deductions and redemptions; a round of moral-model and good-person nominations with
some in 公示 (objections open) and some published; civility selections in every state. Names,
stories and shops are invented.
"""

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from chuangwen.org.actors import SystemActor
from chuangwen.org.choices import Role, UnitKind
from chuangwen.org.models import City, Membership, Person, Unit

from ..models import GoodDeed, MoralAccount, Outlet
from . import codes, services
from .choices import (
    HolderMode,
    HonourCategory,
    HonourKind,
    HonourLevel,
    HonourStatus,
    NominatedBy,
    RevocationSource,
    RuleKind,
    SelectionCategory,
)

DEMO = SystemActor("demo")

# the city's published rules (examples an office would write; codes are the city's own)
EARN_RULES = [
    ("J01", "拾金不昧", 20),
    ("J02", "见义勇为", 50),
    ("J03", "孝老爱亲", 20),
    ("J04", "参与社区公益活动", 10),
    ("J05", "垃圾分类示范户", 10),
]
DEDUCT_RULES = [
    ("K01", "乱扔垃圾", 5),
    ("K02", "高空抛物", 20),
    ("K03", "违规饲养宠物扰民", 10),
    ("K04", "占道堆物", 5),
]
OUTLETS = [("爱心超市", "社区服务中心一楼"), ("便民理发店", "社区东门"), ("惠民药店", "社区南门")]
HONOURS = [
    (HonourKind.MODEL, HonourCategory.HELPING, "王秀兰", "二十年照顾邻居孤寡老人"),
    (HonourKind.MODEL, HonourCategory.BRAVERY, "李建军", "跳入湘江救起落水儿童"),
    (HonourKind.MODEL, HonourCategory.HONESTY, "陈志明", "替去世的弟弟还清十余万元欠款"),
    (HonourKind.MODEL, HonourCategory.DEDICATION, "刘芳", "扎根乡村小学任教二十六年"),
    (HonourKind.MODEL, HonourCategory.FILIAL, "张小红", "悉心照料瘫痪婆婆十五年"),
    (HonourKind.GOOD_PERSON, HonourCategory.HELPING, "赵德胜", "义务维修社区路灯和座椅"),
    (HonourKind.GOOD_PERSON, HonourCategory.BRAVERY, "周强", "徒手制服持刀抢劫者"),
    (HonourKind.GOOD_PERSON, HonourCategory.HONESTY, "吴桂英", "捡到装有现金的钱包原地等候失主"),
    (HonourKind.GOOD_PERSON, HonourCategory.DEDICATION, "孙立新", "社区网格员连续值守防汛一线"),
    (HonourKind.GOOD_PERSON, HonourCategory.FILIAL, "郑美玲", "带着患病母亲上大学"),
    (HonourKind.GOOD_PERSON, HonourCategory.HELPING, "冯建国", "退休后组建义务巡逻队"),
    (HonourKind.GOOD_PERSON, HonourCategory.DEDICATION, "何静", "公交驾驶员十年安全行车零投诉"),
]


def _notice_over(obj: Any) -> Any:
    """Demo history: move a 公示 that was just started into the past, so that it has ended."""
    today = timezone.localdate()
    if isinstance(obj, GoodDeed):
        GoodDeed.objects.filter(pk=obj.pk).update(notice_until=today - dt.timedelta(days=6))
    else:
        type(obj).objects.filter(pk=obj.pk).update(
            notice_starts=today - dt.timedelta(days=12), notice_ends=today - dt.timedelta(days=6)
        )
    obj.refresh_from_db()
    return obj


def _persons_of(unit: Unit, n: int) -> list[Person]:
    return list(
        Person.objects.filter(memberships__unit=unit)
        .exclude(user__username="shop")
        .distinct()
        .order_by("pk")[:n]
    )


def _liaison_of(unit: Unit) -> Person | None:
    m = (
        Membership.objects.filter(unit=unit, role=Role.UNIT_LIAISON)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return m.person if m else None


def _bank(
    community: Unit, rng: random.Random, earn: list, deduct: list, shop: Person | None
) -> dict[str, int]:
    bank = services.create_bank(community, acting_user=DEMO)
    liaison = _liaison_of(community)
    residents = _persons_of(community, 40)
    for person in [p for p in [liaison, *residents[:2]] if p is not None]:
        services.add_council_member(bank, person, acting_user=DEMO)
    accounts: list[MoralAccount] = [
        services.open_account(bank, p, acting_user=DEMO) for p in residents
    ]
    outlets: list[Outlet] = [
        services.create_outlet(bank, name=n, address=a, acting_user=DEMO) for n, a in OUTLETS
    ]
    if shop is not None:
        services.add_outlet_member(outlets[0], shop, acting_user=DEMO)
    counts = {"accounts": len(accounts), "deeds": 0, "redeemed": 0, "deducted": 0}
    # good deeds: most credited after 公示, some in 公示, some waiting, one rejected
    for k in range(24):
        account, rule = accounts[k % len(accounts)], earn[k % len(earn)]
        deed = services.nominate_deed(
            account, rule, title=f"{rule.name}（{account.holder_name}）", acting_user=DEMO
        )
        counts["deeds"] += 1
        if k % 8 == 7:
            continue  # waiting for the council
        if k % 8 == 6:
            services.review_deed(deed, approve=False, note="经核实不符合加分规则", acting_user=DEMO)
            continue
        deed = services.review_deed(deed, approve=True, note="经评议属实", acting_user=DEMO)
        if k % 8 != 5:  # the rest stay in 公示
            services.credit_deed(_notice_over(deed), acting_user=DEMO)
    funded = [
        a
        for a in MoralAccount.objects.filter(
            pk__in=[a.pk for a in accounts], balance__gt=0
        ).order_by("id")
    ]
    for k in range(min(6, len(funded))):
        account = funded[(k * 3 + 1) % len(funded)]
        services.deduct_points(
            account, deduct[k % len(deduct)], key=f"demo-deduct:{bank.pk}:{k}", acting_user=DEMO
        )
        counts["deducted"] += 1
    # redemptions at the outlets by the accounts with points
    for k, account in enumerate(accounts):
        account.refresh_from_db()
        balance = account.balance
        if balance < 10 or k % 3 == 2:
            continue
        points = rng.choice([5, 10]) if balance < 20 else rng.choice([10, 15, 20])
        services.redeem_points(
            outlets[k % len(outlets)],
            codes.make_code(account.pk, account.code_version),
            points,
            key=f"demo-redeem:{account.pk}",
            note="兑换生活用品",
            acting_user=DEMO,
        )
        counts["redeemed"] += 1
    return counts


def _honours(city: City, units: list[Unit], rng: random.Random) -> dict[str, int]:
    year = 2026
    by_status: dict[str, int] = {}
    for k, (kind, category, name, title) in enumerate(HONOURS):
        honour = services.nominate_honour(
            city, kind=kind, category=category, year=year, name=name, title=title,
            story=f"{name}{title}，事迹经所在单位和社区核实。（演示数据，人物虚构）",
            nominated_by=NominatedBy.UNIT if k % 3 else NominatedBy.CITIZEN,
            level=HonourLevel.CITY, unit=units[k % len(units)],
            nominator_unit=units[k % len(units)] if k % 3 else None,
            nominator_name="" if k % 3 else "热心市民",
            nominator_phone="" if k % 3 else "13800000000",
            acting_user=DEMO,
        )  # fmt: skip
        stage = k % 5  # 0 nominated, 1 screened, 2 in 公示, 3 and 4 published
        path = [HonourStatus.SCREENED, HonourStatus.APPROVED][: min(stage, 2)]
        for target in path:
            honour = services.review_honour(honour, target=target, acting_user=DEMO)
        if stage >= 2:
            honour = services.start_honour_notice(honour, days=7, acting_user=DEMO)
        if stage >= 3:
            honour = services.publish_honour(_notice_over(honour), acting_user=DEMO)
        by_status[honour.status] = by_status.get(honour.status, 0) + 1
    return by_status


def _selections(city: City, rng: random.Random) -> dict[str, int]:
    kinds = {
        cat: services.create_selection_kind(
            city, category=cat, name=f"{year_label}{cat.label}", pass_score=80, acting_user=DEMO
        )
        for cat, year_label in [
            (SelectionCategory.UNIT, "2026年度"),
            (SelectionCategory.COMMUNITY, "2026年度"),
            (SelectionCategory.CAMPUS, "2026年度"),
        ]
    }
    pools = {
        SelectionCategory.UNIT: list(
            Unit.objects.filter(city=city, kind=UnitKind.DEPARTMENT).order_by("code")[:8]
        ),
        SelectionCategory.COMMUNITY: list(
            Unit.objects.filter(city=city, kind=UnitKind.COMMUNITY).order_by("code")[2:10]
        ),
        SelectionCategory.CAMPUS: list(
            Unit.objects.filter(city=city, kind=UnitKind.SCHOOL).order_by("code")[:8]
        ),
    }
    by_status: dict[str, int] = {}
    for cat, units in pools.items():
        for k, unit in enumerate(units):
            sel = services.apply_for_selection(
                kinds[cat], year=2026, unit=unit, statement="创建工作总结已上传", acting_user=DEMO
            )
            stage = k % 6  # applied, assessed, 公示, awarded, not awarded, awarded then revoked
            if stage >= 1:
                score = 70 if stage == 4 else rng.randint(82, 96)
                sel = services.assess_selection(
                    sel, overall=score, note="实地测评", acting_user=DEMO
                )
            if stage == 4:
                sel = services.decline_selection(sel, note="测评得分未达标", acting_user=DEMO)
            elif stage >= 2:
                sel = services.start_selection_notice(sel, acting_user=DEMO)
                if stage in (3, 5):
                    sel = services.award_selection(
                        _notice_over(sel), level=HonourLevel.CITY, acting_user=DEMO
                    )
                if stage == 5:
                    proposal, _created = services.propose_revocation(
                        sel, source=RevocationSource.SERIOUS_CASE, ref="demo",
                        reason="发生严重不文明事件被媒体曝光", acting_user=DEMO,
                    )  # fmt: skip
                    assert proposal is not None
                    sel = services.decide_revocation(
                        proposal, revoke=True, note="经创建办研究，撤销称号", acting_user=DEMO
                    ).selection
            by_status[sel.status] = by_status.get(sel.status, 0) + 1
    return by_status


def build_moral_demo(city: City, rng: random.Random, log: Callable[[str], Any]) -> None:
    services.configure_moral_bank(
        city, holder_mode=HolderMode.PERSON, points_per_hour="2", points_per_report=2,
        notice_days=5, acting_user=DEMO,
    )  # fmt: skip
    earn = [
        services.create_rule(city, kind=RuleKind.EARN, code=c, name=n, points=p, acting_user=DEMO)
        for c, n, p in EARN_RULES
    ]
    deduct = [
        services.create_rule(city, kind=RuleKind.DEDUCT, code=c, name=n, points=p, acting_user=DEMO)
        for c, n, p in DEDUCT_RULES
    ]
    # the community of the ``volunteer`` demo login (its hours earn points there), and one more
    home = Unit.objects.filter(
        city=city, kind=UnitKind.COMMUNITY, memberships__person__user__username="volunteer"
    ).first()
    others = Unit.objects.filter(city=city, kind=UnitKind.COMMUNITY).order_by("code")
    communities = [u for u in [home, *others[:2]] if u is not None]
    communities = list(dict.fromkeys(communities))[:2]
    shop = Person.objects.filter(city=city, user__username="shop").first()
    totals = {"accounts": 0, "deeds": 0, "redeemed": 0, "deducted": 0}
    for k, community in enumerate(communities):
        for key, n in _bank(community, rng, earn, deduct, shop if k == 0 else None).items():
            totals[key] += n
    honours = _honours(city, communities, rng)
    selections = _selections(city, rng)
    log(
        f"道德银行：{len(communities)} 家，{totals['accounts']} 个账户，"
        f"{totals['deeds']} 件好人好事，{totals['redeemed']} 笔兑换，{totals['deducted']} 笔扣分"
        "（演示账号 shop 为兑换点店员）。"
    )
    log(f"道德模范与身边好人：{sum(honours.values())} 人（{_states(honours, HonourStatus)}）。")
    log(f"文明创建评选：{sum(selections.values())} 项申报（各状态均有）。")


def _states(counts: dict[str, int], choices: Any) -> str:
    return "，".join(f"{choices(s).label} {n}" for s, n in counts.items())
