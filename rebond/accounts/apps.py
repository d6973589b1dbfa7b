from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rebond.accounts"
    label = "accounts"
    verbose_name = "Clinics and clinicians"
