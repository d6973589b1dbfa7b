from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "rebond.intake"
    label = "intake"
    verbose_name = "Consultation requests"
