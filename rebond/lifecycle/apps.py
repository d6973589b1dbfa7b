from django.apps import AppConfig


class LifecycleConfig(AppConfig):
    name = "rebond.lifecycle"
    label = "lifecycle"
    verbose_name = "Retention and erasure"
