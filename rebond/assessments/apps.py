from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "rebond.assessments"
    label = "assessments"
    verbose_name = "Assessments"
