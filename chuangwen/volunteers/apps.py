from django.apps import AppConfig


class VolunteersConfig(AppConfig):
    name = "chuangwen.volunteers"
    verbose_name = "志愿服务"
