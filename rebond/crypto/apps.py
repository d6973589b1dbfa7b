from django.apps import AppConfig


class CryptoConfig(AppConfig):
    name = "rebond.crypto"
    label = "crypto"
    verbose_name = "Encryption at rest"

    def ready(self) -> None:
        from rebond.crypto import needs  # noqa: F401 - registers the stored-keys check
