from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "rebond.outcomes"
    label = "outcomes"
    verbose_name = "Outcome benchmarks"
