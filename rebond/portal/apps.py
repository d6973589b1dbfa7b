from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "rebond.portal"
    label = "portal"
    verbose_name = "Partner space and private links"
