from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "rebond.crypto"
    label = "crypto"
    verbose_name = "Encryption at rest"
