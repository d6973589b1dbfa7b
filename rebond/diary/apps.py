from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "rebond.diary"
    label = "diary"
    verbose_name = "Between-session diary"
