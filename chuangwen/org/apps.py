from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "chuangwen.org"
    verbose_name = "组织架构"
