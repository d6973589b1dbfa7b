from django.apps import AppConfig


class CouplesConfig(AppConfig):
    name = "rebond.couples"
    label = "couples"
    verbose_name = "Couples and partners"
