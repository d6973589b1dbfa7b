from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "rebond.demo"
    label = "demo"
    verbose_name = "Demo practice"
