"""The clinic's people: a clinic's creation is a command (`rebond clinic create`); everything
after it (enrolment through an invitation link, staff management) is these pages.

The enrolment pages are public (@login_not_required): the link's token is the credential,
and each page answers one and the same "not valid" page to anyone without a usable link.
"""

from django.urls import URLPattern, path

from rebond.staff import staff_views, views

urlpatterns: list[URLPattern] = [
    path("enrol/<str:invitation_token>/", views.open_link, name="enrolment_link"),
    path("enrol/", views.choose_password, name="enrolment_password"),
]

# Staff management by clinic admins (rebond/staff/staff_views.py).
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
    path("settings/staff/invite/", staff_views.invite, name="staff_invite"),
    path(
        "settings/staff/<uuid:user_id>/invitation/resend/",
        staff_views.resend_invitation,
        name="staff_invitation_resend",
    ),
    path(
        "settings/staff/<uuid:user_id>/invitation/cancel/",
        staff_views.cancel_invitation,
        name="staff_invitation_cancel",
    ),
]
