from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "chuangwen.core"
    verbose_name = "平台基础"
