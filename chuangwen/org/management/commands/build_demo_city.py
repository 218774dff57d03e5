from importlib import import_module

from django.core.management.base import BaseCommand, CommandError

from chuangwen.org.demo import DEMO_CITY_CODE, build_demo_city
from chuangwen.org.models import City

# Apps that add to the demo city, in dependency order; each has demo.build_demo(city, seed, log).
DEMO_APPS = [
    "chuangwen.indicators",
    "chuangwen.sites",
    "chuangwen.cases",
    "chuangwen.tasks",
    "chuangwen.inspections",
    "chuangwen.assessment",
    "chuangwen.citizens",
    "chuangwen.volunteers",
    "chuangwen.dashboard",  # today's work for the demo logins (after every app it touches)
]
# --small: what each app makes less of (a demo city that builds in seconds, e.g. for `make fuzz`)
SMALL = {
    "chuangwen.cases": {"reports": 400},
    "chuangwen.citizens": {"votes": 120},
    "chuangwen.volunteers": {"volunteers": 80, "days": 7},
}


class Command(BaseCommand):
    help = (
        "生成演示城市（可由随机种子复现）：区县、街道、社区、网格、部门、10+4、人员、结对"
        "及各模块的演示数据"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--if-empty", action="store_true", help="已有演示城市时跳过")
        parser.add_argument("--small", action="store_true", help="小规模演示数据（生成更快）")

    def handle(self, *args, **opts):
        if City.objects.filter(code=DEMO_CITY_CODE).exists():
            if opts["if_empty"]:
                self.stdout.write("演示城市已存在，跳过生成。")
                return
            raise CommandError("演示城市已存在；如需重建请先删除数据库（var/chuangwen.sqlite3）")
        s = build_demo_city(seed=opts["seed"])
        self.stdout.write(
            f"已生成演示城市「{s.city.name}」：单位 {s.units} 个，网格 {s.grids} 个，"
            f"人员 {s.people} 人，结对 {s.pairs} 对。"
        )
        for app in DEMO_APPS:
            try:
                module = import_module(f"{app}.demo")
            except ModuleNotFoundError:
                continue
            extra = SMALL.get(app, {}) if opts["small"] else {}
            module.build_demo(s.city, opts["seed"], self.stdout.write, **extra)
