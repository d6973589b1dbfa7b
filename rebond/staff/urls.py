"""The clinic's people: a clinic's creation is a command (`rebond clinic create`); everything
after it (enrolment through an invitation link, staff management) is these pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []

# Staff management by clinic admins (rebond/staff/staff_views.py).
from django.urls import path  # noqa: E402

from rebond.staff import staff_views  # noqa: E402

urlpatterns += [
    path("settings/staff/", staff_views.staff, name="staff"),
    path("settings/staff/<uuid:user_id>/roles/", staff_views.roles, name="staff_roles"),
    path(
        "settings/staff/<uuid:user_id>/deactivate/",
        staff_views.deactivate,
        name="staff_deactivate",
    ),
    path(
        "settings/staff/<uuid:user_id>/reactivate/",
        staff_views.reactivate,
        name="staff_reactivate",
    ),
]
