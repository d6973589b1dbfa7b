"""The clinic's people: a clinic's creation is a command (`rebond clinic create`); everything
after it (enrolment through an invitation link, staff management) is these pages.

The enrolment pages are public (@login_not_required): the link's token is the credential,
and each page answers one and the same "not valid" page to anyone without a usable link.
"""

from django.urls import URLPattern, path

from rebond.staff import views

urlpatterns: list[URLPattern] = [
    path("enrol/<str:invitation_token>/", views.open_link, name="enrolment_link"),
    path("enrol/", views.choose_password, name="enrolment_password"),
]
