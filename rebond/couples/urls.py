from django.urls import path

from rebond.couples import team_views, views

urlpatterns = [
    path("<uuid:couple_id>/", views.case, name="case"),
    # The case team (issue 16 item 5); the clinic's list of teams is for its clinic admins.
    path("teams/", team_views.case_teams, name="case_teams"),
    path("<uuid:couple_id>/team/", team_views.case_team, name="case_team"),
    path(
        "<uuid:couple_id>/team/co-therapists/",
        team_views.add_co_therapist,
        name="case_team_add_co_therapist",
    ),
    path(
        "<uuid:couple_id>/team/co-therapists/remove/",
        team_views.remove_co_therapist,
        name="case_team_remove_co_therapist",
    ),
    path(
        "<uuid:couple_id>/team/supervisor/", team_views.set_supervisor, name="case_team_supervisor"
    ),
    path(
        "<uuid:couple_id>/team/supervisor/remove/",
        team_views.remove_supervisor,
        name="case_team_remove_supervisor",
    ),
    path("<uuid:couple_id>/team/handover/", team_views.hand_over, name="case_team_handover"),
    path("<uuid:couple_id>/details/", views.update_case_details, name="case_details"),
    path("<uuid:couple_id>/move/", views.transition_case, name="case_transition"),
    path(
        "<uuid:couple_id>/partners/<uuid:partner_id>/",
        views.update_partner,
        name="partner_update",
    ),
    path(
        "<uuid:couple_id>/partners/<uuid:partner_id>/goal/",
        views.set_intake_goal,
        name="partner_goal",
    ),
    path(
        "<uuid:couple_id>/partners/<uuid:partner_id>/screen/",
        views.record_individual_screen,
        name="partner_screen",
    ),
    path(
        "<uuid:couple_id>/partners/<uuid:partner_id>/channels/",
        views.add_contact_channel,
        name="channel_add",
    ),
    path(
        "<uuid:couple_id>/channels/<uuid:channel_id>/remove/",
        views.remove_contact_channel,
        name="channel_remove",
    ),
    path(
        "<uuid:couple_id>/partners/<uuid:partner_id>/consents/",
        views.record_consent,
        name="consent_record",
    ),
    path(
        "<uuid:couple_id>/consents/<uuid:consent_id>/withdraw/",
        views.withdraw_consent,
        name="consent_withdraw",
    ),
    path("<uuid:couple_id>/injuries/", views.record_injury, name="injury_record"),
    path("<uuid:couple_id>/injuries/subtypes/", views.injury_subtypes, name="injury_subtypes"),
    path(
        "<uuid:couple_id>/injuries/<uuid:injury_id>/",
        views.update_injury,
        name="injury_update",
    ),
    path(
        "<uuid:couple_id>/injuries/<uuid:injury_id>/void/",
        views.void_injury,
        name="injury_void",
    ),
]
