from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "rebond.audit"
    label = "audit"
    verbose_name = "Audit trail"
