from django.apps import AppConfig


class ShelfConfig(AppConfig):
    name = "rebond.shelf"
    label = "shelf"
    verbose_name = "Reading shelf"
