from django.apps import AppConfig


class AppointmentsConfig(AppConfig):
    name = "rebond.appointments"
    label = "appointments"
    verbose_name = "Appointments"
