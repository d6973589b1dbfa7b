from django.apps import AppConfig


class TherapyConfig(AppConfig):
    name = "rebond.therapy"
    label = "therapy"
    verbose_name = "Therapy process (EFT, AIRM)"
