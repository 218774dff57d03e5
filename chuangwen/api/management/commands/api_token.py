from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from chuangwen.core.services import issue_api_token
from chuangwen.org.actors import SYSTEM


class Command(BaseCommand):
    help = "为用户签发 API 令牌（设备和外部系统使用），最后一行输出令牌本身"

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="登录名")
        parser.add_argument("--name", required=True, help="令牌名称，如“网格员APP-张三”")

    def handle(self, *args, **opts):
        user = get_user_model().objects.filter(username=opts["user"]).first()
        if user is None:
            raise CommandError(f"用户「{opts['user']}」不存在")
        _, raw = issue_api_token(user, name=opts["name"], acting_user=SYSTEM)
        self.stdout.write(raw)
