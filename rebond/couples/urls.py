from django.urls import path

from rebond.couples import views

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("<uuid:couple_id>/", views.case, name="case"),
]
