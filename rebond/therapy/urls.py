"""URLs of the therapy pages, under a case (mounted at /cases/ beside rebond.couples.urls)."""

from django.urls import path

from rebond.therapy import views

urlpatterns = [
    path("<uuid:couple_id>/therapy/", views.overview, name="therapy"),
    path("<uuid:couple_id>/therapy/stage/", views.move_stage, name="therapy_stage_move"),
    path(
        "<uuid:couple_id>/therapy/injuries/<uuid:injury_id>/airm/",
        views.move_airm,
        name="therapy_airm_move",
    ),
    path("<uuid:couple_id>/therapy/sessions/", views.sessions, name="therapy_sessions"),
    path(
        "<uuid:couple_id>/therapy/sessions/new/",
        views.record_session,
        name="therapy_session_record",
    ),
    path(
        "<uuid:couple_id>/therapy/sessions/<uuid:session_id>/",
        views.session_detail,
        name="therapy_session",
    ),
    path(
        "<uuid:couple_id>/therapy/sessions/<uuid:session_id>/void/",
        views.void_session,
        name="therapy_session_void",
    ),
    path("<uuid:couple_id>/therapy/cycle/", views.cycle, name="therapy_cycle"),
    path("<uuid:couple_id>/therapy/notes/", views.notes, name="therapy_notes"),
    path(
        "<uuid:couple_id>/therapy/notes/<uuid:note_id>/edit/",
        views.edit_note,
        name="therapy_note_edit",
    ),
    path(
        "<uuid:couple_id>/therapy/notes/<uuid:note_id>/addenda/",
        views.add_addendum,
        name="therapy_note_addendum",
    ),
    path("<uuid:couple_id>/therapy/timeline/", views.timeline, name="therapy_timeline"),
    path("therapy/markers/", views.markers, name="therapy_markers"),
    path("therapy/settings/", views.therapy_settings, name="therapy_settings"),
]
