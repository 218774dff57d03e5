from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chuangwen.api.services import issue_api_token, revoke_api_token
from chuangwen.core.errors import ServiceError
from chuangwen.core.models import ApiToken
from chuangwen.org.actors import SystemActor

ACTOR = SystemActor("manage.py api_token")


def _when(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else "-"


class Command(BaseCommand):
    help = (
        "设备和外部系统的 API 令牌：--user 登录名 --name 名称 [--days 天数] 签发（最后一行输出"
        "令牌本身，只显示这一次），--list 列出，--revoke 编号或前缀 吊销"
    )

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--user", help="为该登录名签发令牌")
        group.add_argument("--list", action="store_true", help="列出令牌（不含令牌本身）")
        group.add_argument("--revoke", metavar="ID_OR_PREFIX", help="吊销该编号或前缀的令牌")
        parser.add_argument("--name", help="令牌名称，如“网格员APP-张三”（签发时必填）")
        parser.add_argument("--days", help="有效天数（默认见 API_TOKEN_DAYS）")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["list"]:
                self._list()
            elif opts["revoke"]:
                token = self._find(opts["revoke"].strip())
                revoke_api_token(token, acting_user=ACTOR)
                self.stdout.write(f"已吊销：#{token.pk} {token.name}（{token.prefix}…）")
            else:
                self._issue(opts)
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from exc

    def _issue(self, opts: dict[str, Any]) -> None:
        if not opts.get("name"):
            raise CommandError("签发令牌须用 --name 给出名称")
        user = get_user_model().objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"用户「{opts['user']}」不存在")
        token, raw = issue_api_token(
            user, name=opts["name"], days=opts.get("days"), acting_user=ACTOR
        )
        self.stdout.write(
            f"已为「{user.get_username()}」签发令牌 #{token.pk}，{_when(token.expires_at)} 到期，"
            "请妥善保存（只显示这一次）："
        )
        self.stdout.write(raw)

    def _list(self) -> None:
        now = timezone.now()
        for t in ApiToken.objects.select_related("user").order_by("id"):
            if t.revoked_at:
                state = f"已吊销 {_when(t.revoked_at)}"
            elif t.expires_at <= now:
                state = "已过期"
            else:
                state = "有效"
            self.stdout.write(
                f"#{t.pk}\t{t.prefix or '-'}…\t{t.user.get_username()}\t{t.name}\t{state}\t"
                f"创建 {_when(t.created_at)}\t最近使用 {_when(t.last_used_at)}\t"
                f"到期 {_when(t.expires_at)}"
            )

    @staticmethod
    def _find(key: str) -> ApiToken:
        if key.lstrip("#").isdigit():
            token = ApiToken.objects.filter(pk=int(key.lstrip("#"))).first()
            if token is None:
                raise CommandError(f"令牌 #{key.lstrip('#')} 不存在")
            return token
        key = key.rstrip("…").rstrip(".")
        if len(key) < 6:
            raise CommandError("前缀至少 6 个字符")
        matches = list(ApiToken.objects.filter(prefix__startswith=key)[:2])
        if not matches:
            raise CommandError(f"没有前缀为「{key}」的令牌")
        if len(matches) > 1:
            raise CommandError(f"前缀「{key}」对应多个令牌，请用编号")
        return matches[0]
