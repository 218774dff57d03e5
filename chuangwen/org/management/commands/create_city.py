import secrets
import string

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from chuangwen.core.errors import ServiceError
from chuangwen.org import services
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role, UnitKind


def _password() -> str:
    """16 characters from four classes: passes the password policy."""
    alphabet = string.ascii_letters + string.digits + "@#%+=_"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(16))
        if all(
            any(c in cls for c in pw)
            for cls in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
        ):
            return pw


class Command(BaseCommand):
    help = (
        "新建一个城市：城市、顶层指挥部（创建办）单位和第一位创建办管理员；"
        "未给密码时生成一个，最后一行输出。全部成功或全部不做。"
    )

    def add_arguments(self, parser):
        parser.add_argument("code", help="城市代码（如行政区划代码）")
        parser.add_argument("name", help="城市名称")
        parser.add_argument("--lon", type=float, help="地图中心经度（WGS-84）")
        parser.add_argument("--lat", type=float, help="地图中心纬度（WGS-84）")
        parser.add_argument("--hq-name", default="创建办", help="顶层单位名称（默认“创建办”）")
        parser.add_argument("--admin-username", required=True, help="创建办管理员登录名")
        parser.add_argument("--admin-name", required=True, help="创建办管理员姓名")
        parser.add_argument("--password", help="管理员密码（不给则生成）")

    def handle(self, *args, **opts):
        if (opts["lon"] is None) != (opts["lat"] is None):
            raise CommandError("经度和纬度要同时给出")
        center = (opts["lon"], opts["lat"]) if opts["lon"] is not None else None
        password = opts["password"] or _password()
        try:
            with transaction.atomic():
                city = services.create_city(
                    code=opts["code"], name=opts["name"], center=center, acting_user=SYSTEM
                )
                hq = services.create_unit(
                    city,
                    code=f"{city.code}-hq",
                    name=opts["hq_name"],
                    kind=UnitKind.HQ,
                    acting_user=SYSTEM,
                )
                services.create_person(
                    city,
                    name=opts["admin_name"],
                    username=opts["admin_username"],
                    password=password,
                    memberships=[(hq, Role.OFFICE_ADMIN)],
                    acting_user=SYSTEM,
                )
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"已建立城市「{city.name}」（{city.code}）、单位「{hq.name}」和创建办管理员"
            f"「{opts['admin_username']}」。\n"
            f"下一步：manage.py load_case_categories {city.code}；"
            f"manage.py load_evaluation_system --city {city.code}（测评体系）；"
            "在“组织”页面导入单位、网格和人员。"
        )
        if not opts["password"]:
            self.stdout.write(password)
