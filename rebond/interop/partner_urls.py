"""URLs of the partner's own data (under /me/data/, private-link session only).

Partner pages are @login_not_required but answer only a private-link session
(rebond/portal/session.py); rebond/tests/test_url_access.py lists them.
"""

from django.urls import path

from rebond.interop import partner_views

urlpatterns = [
    path("me/data/", partner_views.my_data, name="my_data"),
    path("me/data/my-data.json", partner_views.my_data_json, name="my_data_json"),
    path("me/data/my-data.pdf", partner_views.my_data_pdf, name="my_data_pdf"),
]
