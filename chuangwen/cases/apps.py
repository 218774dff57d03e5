from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "chuangwen.cases"
    verbose_name = "问题案件"
