from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "rebond.alerts"
    label = "alerts"
    verbose_name = "Alerts"
