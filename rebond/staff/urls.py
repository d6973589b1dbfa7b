"""The clinic's people: a clinic's creation is a command (`rebond clinic create`); everything
after it (enrolment through an invitation link, staff management) is these pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
