from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "rebond.ops"
    label = "ops"
    verbose_name = "Operations"
