"""URLs of the partner's space (namespace "portal") and the clinician's invite button.

Partner pages are @login_not_required but answer only a private-link session
(rebond/portal/session.py); rebond/tests/test_url_access.py lists them.
"""

from django.urls import include, path

from rebond.portal import views

partner_patterns = [
    path("p/<str:token>/", views.open_link, name="open_link"),
    path("me/pin/", views.pin, name="pin"),
    path("me/pin/choose/", views.choose_pin, name="choose_pin"),
    path("me/elsewhere/seen/", views.elsewhere_seen, name="elsewhere_seen"),
    path("me/", views.home, name="home"),
    path("me/goal/", views.set_goal, name="set_goal"),
    path(
        "me/channels/<uuid:channel_id>/not-safe/",
        views.channel_not_safe,
        name="channel_not_safe",
    ),
    path("me/channels/<uuid:channel_id>/hours/", views.channel_hours, name="channel_hours"),
    path("me/agreements/<uuid:document_id>/", views.agreement, name="agreement"),
    path("me/agreements/<uuid:document_id>/agree/", views.agree, name="agree"),
    path("me/agreements/<uuid:document_id>/withdraw/", views.withdraw, name="withdraw"),
    path("me/leave/", views.leave, name="leave"),
    path("me/left/", views.left, name="left"),
]

urlpatterns = [
    path("", include((partner_patterns, "portal"))),
    path(
        "cases/partners/<uuid:partner_id>/invite/",
        views.invite_partner,
        name="invite_partner",
    ),
    path("cases/partners/<uuid:partner_id>/links/", views.partner_links, name="partner_links"),
    path("cases/links/<uuid:link_id>/revoke/", views.revoke_link, name="revoke_link"),
]
