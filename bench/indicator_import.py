"""Benchmark: import a generated evaluation system of N nodes from Excel, then import a revised
version next to it (with the old → new mapping), build the diff report and its Excel, and adopt
it (moving attached metrics). Prints seconds and SQL queries per step; the last line is JSON.

    .venv/bin/python bench/indicator_import.py --n 2000

Uses a throwaway SQLite database unless DATABASE_URL is set.
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from chuangwen.org.actors import SYSTEM

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup() -> str:
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.gettempdir()) / f"cw_bench_indicators_{os.getpid()}.sqlite3"
        path.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        os.environ["CW_BENCH_TMP_DB"] = str(path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chuangwen.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"].split(":", 1)[0]


WORDS = [
    "主次干道",
    "背街小巷",
    "农贸市场",
    "公益广告",
    "志愿服务",
    "路灯",
    "垃圾分类",
    "文明交通",
    "诚信",
    "法治",
    "宣传",
    "社区",
    "小区",
    "学校",
    "医院",
    "窗口",
    "单位",
    "设施",
    "秩序",
    "整洁",
]
METHODS = ["实地观察", "实地调查", "材料审核", "网上申报", "入户问卷调查", "实景模拟验证"]


def generate(n: int, rng: random.Random) -> list[list]:
    """Rows of the Excel template: 项目 → 内容 → 标准 (some with sub-clauses)."""
    from chuangwen.indicators.services.parsing import NODE_COLUMNS

    rows: list[dict] = []
    items = max(1, n // 200)
    contents_per_item = 9
    i = 0
    while len(rows) < n:
        i += 1
        code_i = f"{i}"
        rows.append(
            {"编号": code_i, "层级": "测评项目", "名称": f"测评项目{i}" + rng.choice(WORDS)}
        )
        for j in range(1, contents_per_item + 1):
            if len(rows) >= n:
                break
            code_j = f"{i}.{j}"
            rows.append(
                {
                    "编号": code_j,
                    "上级编号": code_i,
                    "层级": "测评内容",
                    "名称": "".join(rng.sample(WORDS, 3)),
                }
            )
            for k in range(1, max(2, (n // items) // contents_per_item)):
                if len(rows) >= n:
                    break
                title = "".join(rng.sample(WORDS, 5)) + f"达到{rng.randint(60, 100)}%以上"
                row: dict[str, Any] = {
                    "编号": f"{code_j}.{k}",
                    "上级编号": code_j,
                    "层级": "测评标准",
                    "名称": title,
                }
                if rng.random() < 0.3:
                    row["子条款"] = "\n".join(
                        f"{c}）" + "".join(rng.sample(WORDS, 4)) for c in (1, 2, 3)
                    )
                    row["测评方法"] = "\n".join(f"{c}）{rng.choice(METHODS)}" for c in (1, 2, 3))
                else:
                    row["测评方法"] = "、".join(rng.sample(METHODS, 2))
                row["分值"] = rng.choice([1, 1.5, 2, 3])
                rows.append(row)
    return [[r.get(c, "") for c in NODE_COLUMNS] for r in rows[:n]]


def revise(rows: list[list], rng: random.Random) -> list[list]:
    """A new version: 5 % removed, 5 % added, 10 % reworded, 5 % renumbered, 3 % points."""
    out = []
    leaf_parents = [r[0] for r in rows if r[2] == "测评内容"]
    for r in rows:
        r = list(r)
        roll = rng.random()
        if r[2] == "测评标准" and roll < 0.05:
            continue  # removed
        if r[2] == "测评标准" and roll < 0.15:
            r[3] = r[3] + "并建立长效机制"  # reworded
        elif r[2] == "测评标准" and roll < 0.20:
            r[0] = r[0] + "x"  # renumbered: found by text similarity
        elif r[2] == "测评标准" and roll < 0.23:
            r[7] = 5  # points changed
        out.append(r)
    for n in range(max(1, len(rows) // 20)):
        parent = rng.choice(leaf_parents)
        row = [""] * len(rows[0])
        row[:4] = [f"{parent}.n{n}", parent, "测评标准", "新增标准" + "".join(rng.sample(WORDS, 4))]
        row[6] = "实地观察"
        out.append(row)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000, help="nodes per version")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    engine = setup()

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chuangwen.core.xlsx import Sheet, write_workbook
    from chuangwen.indicators import registry, services
    from chuangwen.indicators.models import Indicator, Metric
    from chuangwen.indicators.services.parsing import NODE_COLUMNS
    from chuangwen.org import services as org

    # other apps may register references whose tables are not migrated yet in this tree
    tables = set(connection.introspection.table_names())
    registry._references[:] = [r for r in registry._references if r.model._meta.db_table in tables]

    rng = random.Random(args.seed)
    city = org.create_city(code=f"bench{os.getpid()}", name="基准测试市", acting_user=SYSTEM)
    old_rows = generate(args.n, rng)
    new_rows = revise(old_rows, rng)
    old_file = write_workbook([Sheet("测评体系", NODE_COLUMNS, old_rows)])
    new_file = write_workbook([Sheet("测评体系", NODE_COLUMNS, new_rows)])
    figures: dict[str, Any] = {"n": len(old_rows), "engine": engine}

    def step(name: str, fn):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - start
        figures[f"{name}_s"] = round(seconds, 3)
        figures[f"{name}_queries"] = len(ctx.captured_queries)
        print(f"{name:<16} {seconds:8.3f} s  {len(ctx.captured_queries):6d} queries")
        return result

    parsed = step("parse", lambda: services.validate(services.parse_file(old_file, "xlsx"), city))
    old = step(
        "import",
        lambda: services.import_evaluation_system(
            city, old_file, name="旧版", version_year=2018, acting_user=SYSTEM
        ),
    )
    step("adopt_first", lambda: services.adopt_system(old, acting_user=SYSTEM))
    standards = list(
        Indicator.objects.filter(system=old, level="standard").values_list("pk", flat=True)
    )
    Metric.objects.bulk_create(
        [Metric(city=city, indicator_id=pk, name=f"量化{pk}", target=1) for pk in standards[::2]]
    )
    new = step(
        "import_mapped",
        lambda: services.import_evaluation_system(
            city, new_file, name="新版", version_year=2021, acting_user=SYSTEM
        ),
    )
    report = step("diff", lambda: services.diff_report(new))
    step("diff_xlsx", lambda: services.diff_xlsx(report))
    result = step("adopt", lambda: services.adopt_system(new, acting_user=SYSTEM))
    step("export_xlsx", lambda: services.export_system_xlsx(new))

    figures["nodes_parsed"] = len(parsed)
    figures["import_nodes_per_s"] = round(len(old_rows) / max(figures["import_s"], 1e-9), 1)
    figures["import_queries_per_node"] = round(figures["import_queries"] / len(old_rows), 4)
    for kind, count in report.counts.items():
        figures[f"diff_{kind}"] = count
    figures["moved_objects"] = result.moved_total
    figures["unmapped_with_objects"] = len(result.unmapped)
    print(
        f"{len(old_rows)} nodes imported at {figures['import_nodes_per_s']} nodes/s; "
        f"diff {report.counts}; moved {result.moved_total}, unmapped {len(result.unmapped)}"
    )
    connection.close()
    if os.environ.get("CW_BENCH_TMP_DB"):
        Path(os.environ["CW_BENCH_TMP_DB"]).unlink(missing_ok=True)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
