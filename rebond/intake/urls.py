from django.urls import path

from rebond.intake import views

urlpatterns = [
    path("c/<slug:clinic_slug>/request/", views.consultation_request, name="consultation_request"),
    path(
        "c/<slug:clinic_slug>/request/sent/",
        views.consultation_request_sent,
        name="consultation_request_sent",
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<uuid:request_id>/", views.request_detail, name="inbox_request"),
    path("inbox/<uuid:request_id>/accept/", views.accept, name="inbox_request_accept"),
    path("inbox/<uuid:request_id>/decline/", views.decline, name="inbox_request_decline"),
    path("inbox/<uuid:request_id>/spam/", views.spam, name="inbox_request_spam"),
    path("inbox/<uuid:request_id>/convert/", views.convert, name="inbox_request_convert"),
]
