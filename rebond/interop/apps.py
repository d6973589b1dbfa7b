from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "rebond.interop"
    label = "interop"
    verbose_name = "Interoperability (FHIR, research export, API, imports)"
