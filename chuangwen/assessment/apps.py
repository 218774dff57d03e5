from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "chuangwen.assessment"
    verbose_name = "考核评价"
