"""URLs of the partner's diary (namespace "diary", under /me/diary/).

Partner pages are @login_not_required but answer only a private-link session
(rebond/portal/session.py); rebond/tests/test_url_access.py lists them.
"""

from django.urls import path

from rebond.diary import partner_views

app_name = "diary"

urlpatterns = [
    path("me/diary/", partner_views.diary, name="diary"),
    path("me/diary/write/", partner_views.write, name="write"),
    path("me/diary/<uuid:entry_id>/help/", partner_views.help_now, name="help"),
    path("me/diary/<uuid:entry_id>/share/", partner_views.share, name="share"),
    path("me/diary/<uuid:entry_id>/stop-sharing/", partner_views.stop_sharing, name="stop_sharing"),
]
