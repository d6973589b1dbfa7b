from django.apps import AppConfig


class EmergencyConfig(AppConfig):
    name = "rebond.emergency"
    label = "emergency"
    verbose_name = "Emergency access"
