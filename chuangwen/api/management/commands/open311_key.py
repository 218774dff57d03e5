from typing import Any

from django.core.management.base import BaseCommand, CommandError

from chuangwen.api.models import Open311Client
from chuangwen.api.open311.services import create_client, revoke_client
from chuangwen.core.errors import ServiceError
from chuangwen.org.actors import SystemActor
from chuangwen.org.models import City


class Command(BaseCommand):
    help = (
        "Open311 接入方的 api_key：--create 名称 [--city 城市代码] 签发（最后一行输出 api_key "
        "本身，只显示这一次），--list 列出，--revoke 名称 吊销"
    )

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--create", metavar="NAME", help="接入方名称，如“12345 热线平台”")
        group.add_argument("--list", action="store_true", help="列出接入方")
        group.add_argument("--revoke", metavar="NAME", help="吊销该接入方的 api_key")
        parser.add_argument("--city", metavar="CODE", help="城市代码（只有一个城市时可省略）")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["list"]:
            for c in Open311Client.objects.select_related("city").order_by("city__code", "name"):
                state = "有效" if c.active else f"已吊销 {c.revoked_at:%Y-%m-%d %H:%M}"
                used = f"{c.last_used_at:%Y-%m-%d %H:%M}" if c.last_used_at else "-"
                created = f"{c.created_at:%Y-%m-%d}"
                self.stdout.write(
                    f"{c.name}\t{c.city.code}\t{state}\t创建 {created}\t最近使用 {used}"
                )
            return
        try:
            if opts["revoke"]:
                client = Open311Client.objects.filter(name=opts["revoke"]).first()
                if client is None:
                    raise CommandError(f"接入方「{opts['revoke']}」不存在")
                revoke_client(client, acting_user=SystemActor("open311_key"))
                self.stdout.write(f"已吊销：{client.name}")
                return
            _client, raw = create_client(
                self._city(opts.get("city")), opts["create"], acting_user=SystemActor("open311_key")
            )
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc
        self.stdout.write(
            f"已为「{_client.name}」签发 api_key（城市 {_client.city.code}），请妥善保存："
        )
        self.stdout.write(raw)

    @staticmethod
    def _city(code: str | None) -> City:
        if code:
            city = City.objects.filter(code=code).first()
            if city is None:
                raise CommandError(f"城市「{code}」不存在")
            return city
        cities = list(City.objects.order_by("pk")[:2])
        if not cities:
            raise CommandError("尚未设置城市")
        if len(cities) > 1:
            raise CommandError("有多个城市，请用 --city 指定城市代码")
        return cities[0]
