from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "chuangwen.api"
    label = "cw_api"
    verbose_name = "接口"
