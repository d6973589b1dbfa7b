from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "rebond.staff"
    label = "staff"
    verbose_name = "Clinic staff"
