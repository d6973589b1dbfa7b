"""URLs of the reading shelf: the clinic's pages (clinicians), a case's "Reading" section, and
the partner's reading list (@login_not_required through `session.partner_required`)."""

from django.urls import path

from rebond.shelf import partner_views, views

urlpatterns = [
    path("shelf/", views.shelf, name="shelf"),
    path("shelf/new/", views.page_new, name="shelf_page_new"),
    path("shelf/starter/", views.starter, name="shelf_starter"),
    path("shelf/<uuid:page_id>/", views.page, name="shelf_page"),
    path("shelf/<uuid:page_id>/edit/", views.page_edit, name="shelf_page_edit"),
    path("shelf/<uuid:page_id>/publish/", views.page_publish, name="shelf_page_publish"),
    path("cases/<uuid:couple_id>/reading/", views.assign, name="case_reading_assign"),
    path(
        "cases/<uuid:couple_id>/reading/<uuid:assignment_id>/withdraw/",
        views.withdraw,
        name="case_reading_withdraw",
    ),
    path("me/reading/", partner_views.my_reading, name="my_reading"),
    path("me/reading/<uuid:assignment_id>/", partner_views.my_reading_page, name="my_reading_page"),
]
