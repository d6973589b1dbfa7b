from django.apps import AppConfig


class MeasurementConfig(AppConfig):
    name = "rebond.measurement"
    label = "measurement"
    verbose_name = "Measurement-based care"
