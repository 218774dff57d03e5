"""A realistic synthetic city for demos, tests and benchmarks, reproducible from a seed.

6 districts, 40 streets, 300 communities, 3,000 万米单元网格 (about 100 m × 100 m each)
tiling the city without gaps or overlaps, the 10+4 structure, 60 departments, 2,000 people
across all roles and 100 结对共建 pairs. All names are invented.
"""

import math
import random
from dataclasses import dataclass

import shapely
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from chuangwen.core import audit
from chuangwen.core.geo import area_m2
from chuangwen.core.tree import child_path

from .choices import Axis, Mechanism, Role, UnitKind
from .models import City, Grid, Membership, Pair, Person, Unit

DEMO_CITY_CODE = "demo"
DEMO_PASSWORD = "Demo@2026cw"
# named demo logins: username → (role, description)
DEMO_LOGINS = {
    "office": (Role.OFFICE_ADMIN, "创建办管理员：全市数据，可导入、派遣、审计"),
    "leader": (Role.LEADER, "市领导：全市只读"),
    "inspector": (Role.INSPECTOR, "督查员：督查全市点位"),
    "dept": (Role.UNIT_LIAISON, "市城市管理和综合执法局联络员：本部门工作"),
    "district": (Role.UNIT_LIAISON, "第一个区的联络员：本区及下属街道社区"),
    "street": (Role.UNIT_LIAISON, "第一个街道的联络员"),
    "grid": (Role.GRID_WORKER, "网格员：所属社区的网格"),
    "volunteer": (Role.VOLUNTEER, "志愿者：我的志愿服务、报名、扫码签到签退、证明下载"),
    "shop": (Role.CITIZEN, "道德银行兑换点店员：扫持有人的积分码兑换"),
}

COLS, ROWS = 60, 50  # grid cells: 60 × 50 = 3,000
CELL_M = 100.0
COMMUNITY_BLOCK = (2, 5)  # cells per community: 2 columns × 5 rows → 30 × 10 = 300
N_STREETS, N_DISTRICTS = 40, 6
CENTER = (113.02, 28.19)

# the 10 sub-commands and the departments working under each; the rest report to the HQ itself
SUB_COMMANDS = {
    "公共文明宣传分指挥部": [
        "市委宣传部",
        "市文明办",
        "市融媒体中心",
        "市文化旅游广电体育局",
        "市图书馆",
        "市博物馆",
    ],
    "市容环境整治分指挥部": [
        "市城市管理和综合执法局",
        "市住房和城乡建设局",
        "市生态环境局",
        "市园林绿化中心",
        "市环境卫生管理处",
        "市市政设施管理处",
        "市数字城管监督指挥中心",
    ],
    "交通秩序整治分指挥部": ["市公安局", "市公安局交通警察支队", "市交通运输局", "市公共交通集团"],
    "农贸市场整治分指挥部": ["市市场监督管理局", "市商务局", "市农业农村局"],
    "窗口服务提升分指挥部": [
        "市政务服务和大数据局",
        "市税务局",
        "市人力资源和社会保障局",
        "市医疗保障局",
        "市邮政管理局",
        "市自来水公司",
        "市燃气公司",
        "国网市供电公司",
        "市信访局",
    ],
    "未成年人思想道德建设分指挥部": ["市教育局", "团市委", "市妇联", "市科协"],
    "志愿服务分指挥部": ["市民政局", "市总工会", "市残联", "市红十字会", "市退役军人事务局"],
    "社区建设分指挥部": [
        "市委组织部",
        "市委政法委",
        "市司法局",
        "市自然资源和规划局",
        "市城市建设投资集团",
        "市人民防空办公室",
    ],
    "校园及周边环境整治分指挥部": [
        "市卫生健康委员会",
        "市应急管理局",
        "市消防救援支队",
        "市烟草专卖局",
    ],
    "网络文明建设分指挥部": ["市委网信办", "市工业和信息化局", "市科学技术局"],
}
IMPLEMENTING_BODIES = [
    "高新技术产业开发区管委会",
    "经济技术开发区管委会",
    "滨江新区管委会",
    "旅游度假区管委会",
]
HQ_DEPARTMENTS = [
    "市发展和改革委员会",
    "市财政局",
    "市审计局",
    "市统计局",
    "市机关事务管理局",
    "市水利局",
    "市林业局",
    "市气象局",
    "市第一人民医院",
]
DEPARTMENTS = [d for members in SUB_COMMANDS.values() for d in members] + HQ_DEPARTMENTS
DISTRICTS = ["东湖区", "西岭区", "南江区", "北塘区", "中山区", "清河区"]
PLACE_WORDS = [
    "和平",
    "文昌",
    "建设",
    "解放",
    "人民",
    "新华",
    "长青",
    "桂花",
    "锦绣",
    "迎宾",
    "朝阳",
    "红星",
    "青山",
    "白沙",
    "金桥",
    "银湖",
    "春华",
    "秋实",
    "望月",
    "双拥",
    "丽景",
    "育才",
    "健康",
    "东风",
    "光明",
    "幸福",
    "友谊",
    "团结",
    "胜利",
    "振兴",
    "繁荣",
    "清水",
    "凤凰",
    "龙泉",
    "凌云",
    "碧波",
    "梅园",
    "竹林",
    "松柏",
    "芙蓉",
    "荷花",
    "兰亭",
    "书院",
    "学府",
    "天心",
    "雨花",
    "滨江",
    "月湖",
    "晓园",
    "枫林",
    "樟树",
    "石桥",
    "柳岸",
]
COMMUNITY_SUFFIX = ["园", "苑", "里", "坊", "湾", "路", "街", "桥", "塘", "村"]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程魏苏吕"
    "丁任沈姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕飞鹏辉建国志强晓东海波"
    "宇浩然子涵欣怡梓轩雨萱思远佳琪文博俊杰婷婷嘉怡一鸣诗雨晨阳天佑梦琪锦程若曦浩宇丹丹"
)


@dataclass
class DemoSummary:
    city: City
    units: int
    grids: int
    people: int
    pairs: int


def _person_name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))


def _lattice(rng: random.Random) -> tuple[list[list[tuple[float, float]]], float, float]:
    lat0 = CENTER[1]
    dlat = CELL_M / 110_574.0
    dlon = CELL_M / (111_320.0 * math.cos(math.radians(lat0)))
    west = CENTER[0] - COLS / 2 * dlon
    south = CENTER[1] - ROWS / 2 * dlat
    points = []
    for i in range(COLS + 1):
        column = []
        for j in range(ROWS + 1):
            x, y = west + i * dlon, south + j * dlat
            if 0 < i < COLS:
                x += rng.uniform(-0.25, 0.25) * dlon
            if 0 < j < ROWS:
                y += rng.uniform(-0.25, 0.25) * dlat
            column.append((round(x, 7), round(y, 7)))
        points.append(column)
    return points, dlon, dlat


def _spread(rng: random.Random, candidates: list, k: int, pos: dict) -> list:
    """k candidates spread over the area (Mitchell's best-candidate sampling): random, but
    without the lopsided regions plain random seeds give."""
    chosen = [rng.choice(candidates)]
    while len(chosen) < k:
        pool = rng.sample([c for c in candidates if c not in chosen], 12)
        chosen.append(
            max(
                pool,
                key=lambda c: min(
                    (pos[c][0] - pos[o][0]) ** 2 + (pos[c][1] - pos[o][1]) ** 2 for o in chosen
                ),
            )
        )
    return chosen


def _nearest(seeds: list[tuple[float, float]], x: float, y: float) -> int:
    return min(range(len(seeds)), key=lambda k: (seeds[k][0] - x) ** 2 + (seeds[k][1] - y) ** 2)


def _bulk_units(
    city: City, parent: Unit | None, specs: list[tuple[str, str, str, str]]
) -> list[Unit]:
    """Create sibling units in one insert and set their materialized paths."""
    depth = parent.depth + 1 if parent else 0
    units = Unit.objects.bulk_create(
        [
            Unit(city=city, parent=parent, code=c, name=n, kind=k, axis=a, depth=depth, path="")
            for c, n, k, a in specs
        ]
    )
    for unit in units:
        unit.path = child_path(parent, unit.pk)
    Unit.objects.bulk_update(units, ["path"])
    return units


@transaction.atomic
def build_demo_city(seed: int = 2026) -> DemoSummary:
    rng = random.Random(seed)
    city = City.objects.create(
        code=DEMO_CITY_CODE,
        name="示范市",
        level="prefecture",
        center_lon=CENTER[0],
        center_lat=CENTER[1],
    )
    # --- the unit tree
    (hq,) = _bulk_units(city, None, [("CW", "示范市创建全国文明城市指挥部", UnitKind.HQ, "")])
    subs = _bulk_units(
        city,
        hq,
        [(f"FZH{i + 1:02d}", n, UnitKind.SUB_COMMAND, "") for i, n in enumerate(SUB_COMMANDS)],
    )
    bodies = _bulk_units(
        city,
        hq,
        [
            (f"SSZT{i + 1:02d}", n, UnitKind.IMPLEMENTING_BODY, Axis.BLOCK)
            for i, n in enumerate(IMPLEMENTING_BODIES)
        ],
    )
    departments: list[Unit] = []
    groups = [*zip(subs, SUB_COMMANDS.values(), strict=True), (hq, HQ_DEPARTMENTS)]
    for parent, names in groups:
        start = len(departments)
        departments += _bulk_units(
            city,
            parent,
            [
                (f"BM{start + k + 1:03d}", n, UnitKind.DEPARTMENT, Axis.LINE)
                for k, n in enumerate(names)
            ],
        )
    districts = _bulk_units(
        city,
        hq,
        [(f"QX{i + 1:02d}", n, UnitKind.DISTRICT, Axis.BLOCK) for i, n in enumerate(DISTRICTS)],
    )

    # --- geography: communities are 2 × 5 cell blocks, streets and districts Voronoi regions
    lattice, _, _ = _lattice(rng)
    bcols, brows = COLS // COMMUNITY_BLOCK[0], ROWS // COMMUNITY_BLOCK[1]
    blocks = [(bi, bj) for bj in range(brows) for bi in range(bcols)]
    centers = {
        b: (b[0] + 0.5, (b[1] + 0.5) * COMMUNITY_BLOCK[1] / COMMUNITY_BLOCK[0]) for b in blocks
    }
    street_seeds = _spread(rng, blocks, N_STREETS, centers)
    district_seeds = _spread(rng, street_seeds, N_DISTRICTS, centers)
    street_of_block = {b: _nearest([centers[s] for s in street_seeds], *centers[b]) for b in blocks}
    district_of_street = [
        _nearest([centers[d] for d in district_seeds], *centers[s]) for s in street_seeds
    ]
    words = list(PLACE_WORDS)
    rng.shuffle(words)
    street_names = [w + "街道" for w in words[:N_STREETS]]
    community_names = rng.sample(
        [w + s + "社区" for w in PLACE_WORDS for s in COMMUNITY_SUFFIX], len(blocks)
    )
    streets: list[Unit] = [None] * N_STREETS  # type: ignore[list-item]
    for d, district in enumerate(districts):
        mine = [s for s in range(N_STREETS) if district_of_street[s] == d]
        created = _bulk_units(
            city,
            district,
            [
                (f"{district.code}JD{k + 1:02d}", street_names[s], UnitKind.STREET, Axis.BLOCK)
                for k, s in enumerate(mine)
            ],
        )
        for s, unit in zip(mine, created, strict=True):
            streets[s] = unit
    community_of_block: dict[tuple[int, int], Unit] = {}
    for s, street in enumerate(streets):
        mine_blocks = [b for b in blocks if street_of_block[b] == s]
        created = _bulk_units(
            city,
            street,
            [
                (
                    f"{street.code}SQ{k + 1:02d}",
                    community_names[blocks.index(b)],
                    UnitKind.COMMUNITY,
                    Axis.BLOCK,
                )
                for k, b in enumerate(mine_blocks)
            ],
        )
        community_of_block.update(zip(mine_blocks, created, strict=True))

    # --- grids
    grids = []
    cells_of_community: dict[int, int] = {}
    for (bi, bj), community in sorted(community_of_block.items(), key=lambda kv: kv[1].code):
        for dj in range(COMMUNITY_BLOCK[1]):
            for di in range(COMMUNITY_BLOCK[0]):
                i, j = bi * COMMUNITY_BLOCK[0] + di, bj * COMMUNITY_BLOCK[1] + dj
                ring = [lattice[i][j], lattice[i + 1][j], lattice[i + 1][j + 1], lattice[i][j + 1]]
                poly = shapely.Polygon(ring)
                n = cells_of_community[community.pk] = cells_of_community.get(community.pk, 0) + 1
                c = poly.centroid
                grids.append(
                    Grid(
                        city=city,
                        code=f"{community.code}{n:02d}",
                        name=f"{community.name}第{n}网格",
                        unit=community,
                        area_m2=round(area_m2(poly), 1),
                        centroid_lon=c.x,
                        centroid_lat=c.y,
                        geometry={
                            "type": "Polygon",
                            "coordinates": [[list(p) for p in [*ring, ring[0]]]],
                        },
                    )
                )
    grids = Grid.objects.bulk_create(grids, batch_size=500)

    # --- people
    password = make_password(DEMO_PASSWORD)
    User = get_user_model()
    communities = list(community_of_block.values())
    plan: list[tuple[str, Unit, str, str]] = []  # (username, unit, role, title)
    for username, (role, _desc) in DEMO_LOGINS.items():
        unit = {
            "dept": departments[DEPARTMENTS.index("市城市管理和综合执法局")],
            "district": districts[0],
            "street": streets[0],
            "grid": communities[0],
            "volunteer": communities[0],
            "shop": communities[0],
        }.get(username, hq)
        plan.append((username, unit, role, "演示账号"))
    plan += [(f"office{k + 1:02d}", hq, Role.OFFICE_ADMIN, "创建办干部") for k in range(7)]
    plan += [(f"leader{k + 1:02d}", hq, Role.LEADER, "市领导") for k in range(11)]
    plan += [(f"inspector{k + 1:02d}", hq, Role.INSPECTOR, "督查员") for k in range(59)]
    liaison_units = [*subs, *bodies, *departments, *districts, *streets, *communities]
    plan += [
        (f"lx{k + 1:04d}", u, Role.UNIT_LIAISON, "创建联络员") for k, u in enumerate(liaison_units)
    ]
    grid_plan: list[tuple[str, Unit]] = []
    for c, community in enumerate(communities):
        for k in range(4 if c else 3):  # the demo "grid" login is the first community's fourth
            grid_plan.append((f"wg{c + 1:03d}{k + 1}", community))
    plan += [(u, c, Role.GRID_WORKER, "专职网格员") for u, c in grid_plan]
    rest = 2000 - len(plan)
    plan += [
        (f"zyz{k + 1:04d}", communities[k % len(communities)], Role.VOLUNTEER, "志愿者")
        for k in range(rest // 2)
    ]
    plan += [
        (f"sm{k + 1:04d}", communities[(k * 7) % len(communities)], Role.CITIZEN, "")
        for k in range(rest - rest // 2)
    ]
    users = User.objects.bulk_create([User(username=u, password=password) for u, *_ in plan])
    people = Person.objects.bulk_create(
        [
            Person(city=city, user=user, name=_person_name(rng), phone=_phone(rng), title=title)
            for user, (_, _, _, title) in zip(users, plan, strict=True)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(person=p, unit=unit, role=role)
            for p, (_, unit, role, _) in zip(people, plan, strict=True)
        ]
    )
    by_username = {u: p for p, (u, *_rest) in zip(people, plan, strict=True)}
    workers_by_community: dict[int, list[Person]] = {}
    for username, community in grid_plan:
        workers_by_community.setdefault(community.pk, []).append(by_username[username])
    workers_by_community[communities[0].pk].append(by_username["grid"])
    through = []
    for grid in grids:
        team = workers_by_community[grid.unit_id]
        n = int(grid.code[-2:]) - 1
        through.append(Grid.workers.through(grid_id=grid.pk, person_id=team[n % len(team)].pk))
    Grid.workers.through.objects.bulk_create(through)

    # --- pairs
    mechanisms = list(Mechanism.values)
    pairs = []
    for unit, community in zip(
        rng.sample([*departments, *bodies], 50) * 2, rng.sample(communities, 100), strict=True
    ):
        chosen = sorted(rng.sample(mechanisms, rng.randint(2, 6)), key=mechanisms.index)
        pairs.append(Pair(city=city, unit=unit, community=community, mechanisms=chosen))
    Pair.objects.bulk_create(pairs)
    City.objects.filter(pk=city.pk).update(grid_version=1)

    n_units = Unit.objects.filter(city=city).count()
    audit.record(
        "org.demo.built",
        city,
        actor=None,
        city=city,
        after={"seed": seed, "units": n_units, "grids": len(grids), "people": len(people)},
        summary="生成演示城市",
    )
    return DemoSummary(city, n_units, len(grids), len(people), len(pairs))
