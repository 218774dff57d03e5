from django.core.management.base import BaseCommand, CommandError

from chuangwen.core.errors import ImportFailed
from chuangwen.indicators.services import SEED_PATH, load_evaluation_system
from chuangwen.org.actors import SYSTEM
from chuangwen.org.models import City


class Command(BaseCommand):
    help = (
        "载入测评体系：不带 FILE 时载入随应用附带的种子版本（公开摘录整理，非官方文本），"
        "或载入 .xlsx 模板 / .docx 操作手册 / .json。新版本以草稿导入并与启用版本对比。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help=f"默认 {SEED_PATH.name}")
        parser.add_argument("--city", help="城市代码（只有一个城市时可省略）")
        parser.add_argument("--name", default="", help="版本名称（Excel/Word 必填）")
        parser.add_argument("--year", type=int, default=None, help="版本年份（Excel/Word 必填）")
        parser.add_argument("--activate", action="store_true", help="导入后立即启用")

    def handle(self, *args, **opts):
        cities = City.objects.all()
        if opts["city"]:
            cities = cities.filter(code=opts["city"])
        if cities.count() != 1:
            raise CommandError("请用 --city 指定一个存在的城市代码")
        city = cities.get()
        try:
            system = load_evaluation_system(
                city,
                opts["file"],
                activate=opts["activate"],
                name=opts["name"],
                version_year=opts["year"],
                acting_user=SYSTEM,
            )
        except ImportFailed as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"已导入「{system.name}」（{system.get_status_display()}）："
            f"{system.indicators.count()} 个节点。"
        )
