"""The gateway: the one place that answers "may this person see or change this" and "who may".

Rules (DOMAIN.md 7.5, SECURITY.md 1.4 "enforce it in one place"):

1. A clinician sees only their own clinic's rows. This filter comes first and is unconditional,
   so clinic B's data cannot be reached from clinic A even by a bug further down.
2. Within the clinic, a clinician sees a couple's case only when they are its primary
   clinician, a co-clinician, or its assigned supervisor, or hold a live emergency grant to
   it (rebond/emergency). A clinic admin sees no clinical data through being an admin.
3. A fetch that is not allowed looks exactly like a fetch of a row that does not exist (404),
   so ids cannot be probed.

Views, API endpoints, exports and background jobs call these functions (`from rebond import
access`, then `access.get_couple_for_clinician(...)`); they never build clinical querysets,
filter by clinic or check case membership themselves (rebond/access/tests/test_one_home.py
fails when they do). Each condition sits on its own line so that coverage shows every case is
tested (zulip's `access_stream_by_id` convention).

Where each rule lives:
- membership.py: who is on a case's team (primary, co-therapists, supervisor), with roles;
  whom an alert on the case goes to.
- cases.py: a clinician's cases and every clinical row under them; a row fetched under the
  case its URL names; alerts a clinician may see; emergency readers.
- partners.py: what a partner may see: injuries, their own check-ins, safety plans, scores.
- clinic.py: clinic admins and safety leads: who may change settings, who is told.
- team.py: who sees a case's team and who changes it.
- outbox.py: the messages about a case's appointments that could not be delivered.
- calendar.py: a clinician's own calendar (case labels only on their cases), the clinic
  calendar of metadata for clinic admins, calendar feeds, own hours and time off.
- consultations.py: free consultations booked from a consultation request (whom they are
  booked with, the rows of one request).
- diary.py: each partner's diary: its author and the case's clinicians; the other partner only
  the entries its author shared, while sharing is open (the who-sees-what table is there).
- appointments.py: the appointments of a case (its clinicians), and what a partner is shown
  of them (only those they are invited to, while ahead; the who-sees-what table is there).
- lifecycle.py: retention and erasure: the closed cases a clinic's policy reaches, who asks
  for and approves erasing one partner's data.
- expected_recovery.py: expected recovery from the clinic's closed cases: the scores its fit
  reads, its fitted curves, who refits them (clinic admins and supervisors).
- outcomes.py: the clinic's outcome benchmarks: who sees them (admins, supervisors), and which
  rows feed them (ended cases, consent to service evaluation, no risk instruments).
- jobs.py: background exports and imports: only their requester sees them, and takes a file
  only while still on every case it holds.
- shelf.py: the reading shelf: the clinic's pages (its clinicians read, its admins change),
  a case's assignments (its clinicians), and the pages a partner is given (the table is there).

A package, not a Django app: it holds no models.
"""

from rebond.access.appointments import (
    PartnerAppointment,
    appointment_clinicians,
    appointments_for_clinician,
    appointments_for_partner,
    appointments_of_case,
    appointments_visible_to_partner,
    get_appointment_for_partner,
    get_appointment_of_case,
    session_types_for_case,
    shows_video_link,
)
from rebond.access.calendar import (
    CalendarEntry,
    ClinicCalendarEntry,
    calendar_of_clinician,
    clinic_calendar,
    feed_entries,
    feeds_of_clinician,
    get_calendar_clinic,
    get_feed_of_clinician,
    get_live_feed,
    get_session_type_for_admin,
    get_time_off_of,
    get_weekly_hours_of,
    session_types_for_admin,
    time_off_of,
    weekly_hours_of,
)
from rebond.access.cases import (
    administrations_for_clinician,
    alerts_for_clinician,
    belongs_to_case,
    couples_for_clinician,
    get_administration_for_clinician,
    get_administration_of_case,
    get_alert_for_clinician,
    get_channel_for_clinician,
    get_channel_of_case,
    get_consent_for_clinician,
    get_consent_of_case,
    get_couple_for_clinician,
    get_injury_for_clinician,
    get_injury_of_case,
    get_note_of_case,
    get_partner_for_clinician,
    get_partner_of_case,
    get_safety_concern_of_case,
    get_safety_plan_of_case,
    get_session_of_case,
    injuries_for_clinician,
    is_emergency_reader,
    open_alerts_on_case,
    partners_for_clinician,
)
from rebond.access.clinic import (
    SettingsRefused,
    clinic_admins,
    emergency_grants_to_approve,
    get_admin_clinic,
    get_clinician_for_admin,
    get_settings_clinic,
    is_active_colleague,
    is_clinic_admin,
    may_manage_safety_settings,
    safety_leads,
    settings_deciders,
)
from rebond.access.consultations import (
    consultation_clinicians,
    consultations_of_request,
    get_consultation_clinician,
    get_consultation_of_request,
    messages_to_requester,
)
from rebond.access.diary import (
    SHARING_PAUSED,
    diary_entries_for_clinician,
    diary_entries_of_case,
    diary_offered,
    entries_shared_with,
    get_diary_entry_of_case,
    get_own_diary_entry,
    other_partner_name,
    own_diary_entries,
    shared_entries_held_back,
    sharing_open,
    sharing_paused,
)
from rebond.access.expected_recovery import (
    TREATMENT_ENDED,
    ExpectedRecoveryRefused,
    closed_case_scores,
    closed_cases_for_fit,
    expected_recovery_fits,
    expected_recovery_state,
    get_expected_recovery_clinic,
    get_expected_recovery_threshold_clinic,
    treatment_endings,
)
from rebond.access.jobs import get_job_for_clinician, jobs_of_clinician, may_take_job_data
from rebond.access.lifecycle import (
    closed_cases_of_clinic,
    closed_requests_of_clinic,
    get_partner_for_erasure,
    get_partner_for_erasure_request,
    may_decide_erasure,
    pending_erasure_of,
    pending_erasures_of_clinic,
)
from rebond.access.membership import (
    TeamMember,
    TeamRole,
    case_clinicians,
    case_team,
    cases_treated_by,
    on_case_filter,
    roles_on_cases,
    team_ids,
    treating_clinicians,
    treating_filter,
    works_on_case,
)
from rebond.access.outbox import undelivered_messages_for_case
from rebond.access.outcomes import (
    benchmark_case_dates,
    benchmark_injuries,
    benchmark_submissions,
    get_benchmark_clinic,
)
from rebond.access.partners import (
    BOTH_PARTNERS_KNOW,
    PARTNER_INJURY_WORDS,
    PartnerInjury,
    administrations_for_partner,
    couple_chart_allowed,
    get_administration_for_partner,
    injuries_for_partner,
    injuries_visible_to_partner,
    plans_visible_to_partner,
    submissions_shown_to_partner,
)
from rebond.access.shelf import (
    get_page_assignment_for_partner,
    get_page_assignment_of_case,
    get_shelf_clinic_for_admin,
    get_shelf_page_for_admin,
    get_shelf_page_for_clinician,
    may_edit_shelf,
    page_assignments_for_clinician,
    page_assignments_of_case,
    page_assignments_visible_to_partner,
    pages_to_give,
    shelf_pages_for_clinician,
)
from rebond.access.team import (
    CaseTeam,
    TeamChangeRefused,
    case_teams_for_admin,
    get_case_team,
    get_couple_for_team_change,
    may_change_team,
)

__all__ = [
    "BOTH_PARTNERS_KNOW",
    "PARTNER_INJURY_WORDS",
    "SHARING_PAUSED",
    "TREATMENT_ENDED",
    "CalendarEntry",
    "CaseTeam",
    "ClinicCalendarEntry",
    "ExpectedRecoveryRefused",
    "PartnerAppointment",
    "PartnerInjury",
    "SettingsRefused",
    "TeamChangeRefused",
    "TeamMember",
    "TeamRole",
    "administrations_for_clinician",
    "administrations_for_partner",
    "alerts_for_clinician",
    "appointment_clinicians",
    "appointments_for_clinician",
    "appointments_for_partner",
    "appointments_of_case",
    "appointments_visible_to_partner",
    "belongs_to_case",
    "benchmark_case_dates",
    "benchmark_injuries",
    "benchmark_submissions",
    "calendar_of_clinician",
    "case_clinicians",
    "case_team",
    "case_teams_for_admin",
    "cases_treated_by",
    "clinic_admins",
    "clinic_calendar",
    "closed_case_scores",
    "closed_cases_for_fit",
    "closed_cases_of_clinic",
    "closed_requests_of_clinic",
    "consultation_clinicians",
    "consultations_of_request",
    "couple_chart_allowed",
    "couples_for_clinician",
    "diary_entries_for_clinician",
    "diary_entries_of_case",
    "diary_offered",
    "emergency_grants_to_approve",
    "entries_shared_with",
    "expected_recovery_fits",
    "expected_recovery_state",
    "feed_entries",
    "feeds_of_clinician",
    "get_admin_clinic",
    "get_administration_for_clinician",
    "get_administration_for_partner",
    "get_administration_of_case",
    "get_alert_for_clinician",
    "get_appointment_for_partner",
    "get_appointment_of_case",
    "get_benchmark_clinic",
    "get_calendar_clinic",
    "get_case_team",
    "get_channel_for_clinician",
    "get_channel_of_case",
    "get_clinician_for_admin",
    "get_consent_for_clinician",
    "get_consent_of_case",
    "get_consultation_clinician",
    "get_consultation_of_request",
    "get_couple_for_clinician",
    "get_couple_for_team_change",
    "get_diary_entry_of_case",
    "get_expected_recovery_clinic",
    "get_expected_recovery_threshold_clinic",
    "get_feed_of_clinician",
    "get_injury_for_clinician",
    "get_injury_of_case",
    "get_job_for_clinician",
    "get_live_feed",
    "get_note_of_case",
    "get_own_diary_entry",
    "get_page_assignment_for_partner",
    "get_page_assignment_of_case",
    "get_partner_for_clinician",
    "get_partner_for_erasure",
    "get_partner_for_erasure_request",
    "get_partner_of_case",
    "get_safety_concern_of_case",
    "get_safety_plan_of_case",
    "get_session_of_case",
    "get_session_type_for_admin",
    "get_settings_clinic",
    "get_shelf_clinic_for_admin",
    "get_shelf_page_for_admin",
    "get_shelf_page_for_clinician",
    "get_time_off_of",
    "get_weekly_hours_of",
    "injuries_for_clinician",
    "injuries_for_partner",
    "injuries_visible_to_partner",
    "is_active_colleague",
    "is_clinic_admin",
    "is_emergency_reader",
    "jobs_of_clinician",
    "may_change_team",
    "may_decide_erasure",
    "may_edit_shelf",
    "may_manage_safety_settings",
    "may_take_job_data",
    "messages_to_requester",
    "on_case_filter",
    "open_alerts_on_case",
    "other_partner_name",
    "own_diary_entries",
    "page_assignments_for_clinician",
    "page_assignments_of_case",
    "page_assignments_visible_to_partner",
    "pages_to_give",
    "partners_for_clinician",
    "pending_erasure_of",
    "pending_erasures_of_clinic",
    "plans_visible_to_partner",
    "roles_on_cases",
    "safety_leads",
    "session_types_for_admin",
    "session_types_for_case",
    "settings_deciders",
    "shared_entries_held_back",
    "sharing_open",
    "sharing_paused",
    "shelf_pages_for_clinician",
    "shows_video_link",
    "submissions_shown_to_partner",
    "team_ids",
    "time_off_of",
    "treating_clinicians",
    "treating_filter",
    "treatment_endings",
    "undelivered_messages_for_case",
    "weekly_hours_of",
    "works_on_case",
]
