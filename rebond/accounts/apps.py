from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "rebond.accounts"
    label = "accounts"
    verbose_name = "Clinics and clinicians"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from rebond.accounts import checks  # noqa: F401 - registers the deployment checks
        from rebond.accounts.mfa import forget_on_login
        from rebond.accounts.middleware import start_clock

        user_logged_in.connect(start_clock, dispatch_uid="rebond.accounts.start_clock")
        user_logged_in.connect(forget_on_login, dispatch_uid="rebond.accounts.forget_on_login")
