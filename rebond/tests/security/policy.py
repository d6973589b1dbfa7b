"""The one policy table: who may use which method of every URL (SECURITY.md AC-01, AC-02).

Every named URL of the project is a key of `POLICY`; test_access_matrix.py walks the URL
resolver and fails on any route missing here. Each entry maps a method to the roles allowed
to use it; a method or role not listed is refused (deny by default). "Allowed" means the
request reaches the view's own work: a 2xx, a 3xx that is not the login page, or a 4xx
answer about the input (400, 409, 422). "Refused" means 403, 404, 405 or the login page.

The URLs are filled with the rows of case C1 (rebond/tests/security/world.py): partner-owned
rows (a contact channel, a check-in) are partner A's, so `partner_b` is the other partner of
the same couple reaching for them (SECURITY.md LK-03).

The table is a test oracle, written from the design (DOMAIN 7.5, SECURITY 3.1), not read off
the code: the views enforce it through rebond/access/ and each app's access rules.
"""

from __future__ import annotations

from rebond.tests.security.world import (
    ANONYMOUS,
    CLINIC_ADMIN,
    COLLEAGUE,
    DEACTIVATED,
    ENROLLING,
    INVITED,
    OUTSIDER,
    PARTNER_A,
    PARTNER_B,
    REVOKED_LINK,
    ROLES,
    SUPERVISOR,
    THERAPIST,
)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

EVERYONE = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()
# A partner holding a private-link session: their own space, never the other's rows.
PARTNERS = frozenset({PARTNER_A, PARTNER_B})
ROW_OWNER = frozenset({PARTNER_A})
# Any active clinician: their own lists (caseload, alerts), filtered to what they may see.
CLINICIANS = frozenset({THERAPIST, SUPERVISOR, COLLEAGUE, CLINIC_ADMIN, OUTSIDER})
# Clinicians on C1's case (primary and supervisor); the deactivated co-clinician is out.
ON_CASE = frozenset({THERAPIST, SUPERVISOR})
# Alerts go to the clinicians on the case when raised (rebond/alerts/actions.py).
ALERT_RECIPIENTS = ON_CASE
# Clinicians of Clinic A who triage consultation requests (therapists and the admin).
TRIAGE = frozenset({THERAPIST, SUPERVISOR, COLLEAGUE, CLINIC_ADMIN})
# Clinic settings: the clinic admin (safety settings: also safety leads, none in the matrix).
CLINIC_ADMINS = frozenset({CLINIC_ADMIN})
# The clinic's expected-recovery curves: its admins and supervisors see and refit them (issue 17).
CURVE_KEEPERS = frozenset({CLINIC_ADMIN, SUPERVISOR})
# Logged in with the password alone (issue 16): their own second factor's enrolment, and the
# way out; every other clinician page sends them to the enrolment (SecondFactorMiddleware).
OWES_SECOND_FACTOR = frozenset({ENROLLING})
# Nobody logged in: a visitor, a partner's private-link session, a deactivated clinician's
# dead session, an invited clinician who opened their link (issue 16).
NOT_LOGGED_IN = frozenset({ANONYMOUS, PARTNER_A, PARTNER_B, REVOKED_LINK, DEACTIVATED, INVITED})
# Who reads Clinic A's reading shelf: every active clinician of Clinic A (rebond/shelf).
SHELF_READERS = frozenset({THERAPIST, SUPERVISOR, COLLEAGUE, CLINIC_ADMIN})
# Who changes C1's team: its primary clinician and the clinic admin (issue 16 item 5).
TEAM_CHANGERS = frozenset({THERAPIST, CLINIC_ADMIN})

# Who reads Clinic A's outcome benchmarks: its admins and supervisors (rebond/outcomes).
BENCHMARK_READERS = frozenset({SUPERVISOR, CLINIC_ADMIN})

# A route no session reaches by any method (the JSON API takes a bearer token instead).
NOBODY_BY_ANY_METHOD: dict[str, frozenset[str]] = {}
# The login page and the public request form: open to anyone.
_PUBLIC_FORM = {"GET": EVERYONE, "POST": EVERYONE}

POLICY: dict[str, dict[str, frozenset[str]]] = {
    # --- accounts ---
    "home": {"GET": CLINICIANS},
    # A signed-in clinician who opens the login page, by any method, is sent to the caseload
    # (which sends one who owes the second factor on to it).
    "login": {
        **_PUBLIC_FORM,
        "PUT": CLINICIANS | OWES_SECOND_FACTOR,
        "PATCH": CLINICIANS | OWES_SECOND_FACTOR,
        "DELETE": CLINICIANS | OWES_SECOND_FACTOR,
    },
    "logout": {"POST": CLINICIANS | OWES_SECOND_FACTOR},  # partners leave through portal:leave
    # --- accounts: the clinician's own second factor (their account, no clinical data) ---
    "mfa_enrol": {"GET": CLINICIANS | OWES_SECOND_FACTOR, "POST": CLINICIANS | OWES_SECOND_FACTOR},
    "mfa_verify": {"GET": CLINICIANS, "POST": CLINICIANS},
    "mfa_settings": {"GET": CLINICIANS},
    "mfa_recovery_codes": {"GET": CLINICIANS, "POST": CLINICIANS},
    "mfa_reset": {"GET": CLINICIANS, "POST": CLINICIANS},
    "reauthenticate": {"GET": CLINICIANS, "POST": CLINICIANS},
    # --- accounts: the clinician's own account page (password change) ---
    "account": {"GET": CLINICIANS, "POST": CLINICIANS},
    # --- accounts: the forgotten password, public, one answer for every address (AU-06);
    # the link's page says "does not work" to everyone without its token (the matrix's) ---
    "password_reset": _PUBLIC_FORM,
    "password_reset_sent": {"GET": EVERYONE},
    "password_reset_confirm": _PUBLIC_FORM,
    # --- accounts: a clinic admin resets a colleague's lost second factor (step-up first) ---
    "staff_reset_second_factor": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    # --- accounts: the clinic's own settings (name, public request page, time zone, e-mails) ---
    "clinic_settings": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    # Passkeys beside the app (rebond/accounts/passkeys.py): the clinician's own, after login
    # (verify and its options are reached before the second factor, like mfa_verify).
    "passkey_verify": {"POST": CLINICIANS},
    "passkey_authentication_options": {"POST": CLINICIANS},
    "passkey_add": {"GET": CLINICIANS, "POST": CLINICIANS},
    "passkey_registration_options": {"POST": CLINICIANS},
    "passkey_remove": {"GET": frozenset({THERAPIST}), "POST": frozenset({THERAPIST})},  # owner
    # --- couples: the case page and its forms ---
    "caseload": {"GET": CLINICIANS},
    "case": {"GET": ON_CASE},
    "case_details": {"POST": ON_CASE},
    "case_transition": {"POST": ON_CASE},
    "partner_update": {"POST": ON_CASE},
    "partner_goal": {"POST": ON_CASE},
    "partner_screen": {"POST": ON_CASE},
    "channel_add": {"POST": ON_CASE},
    "channel_remove": {"POST": ON_CASE},
    "consent_record": {"POST": ON_CASE},
    "consent_withdraw": {"POST": ON_CASE},
    "injury_record": {"POST": ON_CASE},
    "injury_subtypes": {"GET": ON_CASE},
    "injury_update": {"POST": ON_CASE},
    "injury_void": {"POST": ON_CASE},
    # --- couples: the case team (issue 16 item 5). Everyone on the case sees it; its primary
    # clinician and the clinic admin (on the case or not: names and roles only, never the
    # case) change it. The supervisor on the case is refused a change (403, naming who can).
    "case_team": {"GET": ON_CASE | CLINIC_ADMINS},
    "case_team_add_co_therapist": {"POST": TEAM_CHANGERS},
    "case_team_remove_co_therapist": {"POST": TEAM_CHANGERS},
    "case_team_supervisor": {"POST": TEAM_CHANGERS},
    "case_team_remove_supervisor": {"POST": TEAM_CHANGERS},
    "case_team_handover": {"POST": TEAM_CHANGERS},
    # The clinic's list of case teams (references and people): its clinic admins.
    "case_teams": {"GET": CLINIC_ADMINS},
    # --- intake ---
    "consultation_request": _PUBLIC_FORM,
    # The receipt: only the browser that just sent a request is thanked; others get the form.
    "consultation_request_sent": {"GET": EVERYONE},
    "inbox": {"GET": TRIAGE | {OUTSIDER}},  # each clinic's own inbox (Charlie sees Clinic B's)
    "inbox_request": {"GET": TRIAGE},
    "inbox_request_accept": {"POST": TRIAGE},
    "inbox_request_decline": {"POST": TRIAGE},
    "inbox_request_spam": {"POST": TRIAGE},
    # Converting opens a case with the converting clinician as its primary: therapists only.
    "inbox_request_convert": {"GET": TRIAGE, "POST": TRIAGE},
    # --- appointments: the free consultation of a request (rebond/appointments) ---
    # Choosing a time, and its calendar file: like the receipt, only the browser that just sent
    # a request (none in the matrix) is offered anything; everyone else is sent to the form.
    "consultation_time": _PUBLIC_FORM,
    "consultation_time_ics": {"GET": EVERYONE},
    # Confirming, cancelling and proposing a time: whoever triages the request (a page that
    # showed no consultation is answered with the refusal, 409, as a stale page).
    "inbox_consultation_confirm": {"POST": TRIAGE},
    "inbox_consultation_cancel": {"POST": TRIAGE},
    "inbox_consultation_time": {"GET": TRIAGE, "POST": TRIAGE},
    # --- portal: the partner's space, through a private link only ---
    "portal:open_link": {"GET": EVERYONE},  # the token is the credential; anyone holding it
    "portal:pin": {},  # answers only a just-opened link awaiting its PIN (portal/tests/test_pin)
    "portal:choose_pin": {"POST": PARTNERS},  # a PIN of their own, while they have none
    "portal:elsewhere_seen": {"POST": PARTNERS},
    "portal:home": {"GET": PARTNERS},
    "portal:set_goal": {"POST": PARTNERS},
    "portal:channel_not_safe": {"POST": ROW_OWNER},
    "portal:channel_hours": {"POST": ROW_OWNER},
    "portal:agreement": {"GET": PARTNERS},
    "portal:agree": {"POST": PARTNERS},
    "portal:withdraw": {"POST": PARTNERS},
    "portal:leave": {"POST": PARTNERS},
    "portal:left": {"GET": EVERYONE},
    "invite_partner": {"POST": ON_CASE},
    "partner_links": {"GET": ON_CASE},
    "revoke_link": {"POST": ON_CASE},
    # --- assessments: check-ins (partner) and their case page (clinician) ---
    # --- diary: each partner's own (rebond/diary/partner_views.py); the URLs name A's "not
    # safe right now" entry, so its help page answers A and the other partner gets 404 ---
    "diary:diary": {"GET": PARTNERS},
    "diary:write": {"POST": PARTNERS},
    "diary:help": {"GET": ROW_OWNER},
    "diary:share": {"POST": ROW_OWNER},  # refused with its reason (400): "not safe" stays private
    "diary:stop_sharing": {"POST": ROW_OWNER},
    "checkin_list": {"GET": PARTNERS},
    "checkin": {"GET": ROW_OWNER},
    "checkin_autosave": {"POST": ROW_OWNER},
    "checkin_submit": {"POST": ROW_OWNER},
    "checkin_receipt": {"GET": ROW_OWNER},
    "case_checkins": {"GET": ON_CASE},
    "schedule_checkin": {"POST": ON_CASE},
    "apply_schedule": {"POST": ON_CASE},
    "case_schedule": {"POST": ON_CASE},
    "case_schedule_reset": {"POST": ON_CASE},
    "set_link_pin": {"POST": ON_CASE},
    "clear_link_pin": {"POST": ON_CASE},
    "cancel_checkin": {"POST": ON_CASE},
    "schedule_settings": {"GET": CLINIC_ADMINS},
    "schedule_settings_save": {"POST": CLINIC_ADMINS},
    "reminder_settings_save": {"POST": CLINIC_ADMINS},
    "approve_instrument": {"POST": CLINIC_ADMINS},
    "withdraw_instrument": {"POST": CLINIC_ADMINS},
    # --- emergency (break-glass) access: granted by the clinic admin ---
    "emergency_access": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    "emergency_access_end": {"POST": CLINIC_ADMINS},
    # An admin's grant to themselves: another clinic admin or a safety lead (none in the matrix)
    # approves; grant_a is already approved, so the admin's POST is answered, not refused.
    "emergency_access_approve": {"POST": CLINIC_ADMINS},
    # --- lifecycle: retention of closed cases and erasure on request (rebond/lifecycle). The
    # retention pages are clinic settings. A partner's erasure page is for the clinic admin
    # (who asks) and the case's team (who may approve); step-up comes after the access check.
    # The world has no pending request, so approving or cancelling is answered 409.
    "retention_settings": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    "retention_due": {"GET": CLINIC_ADMINS},
    "partner_erasure": {"GET": CLINIC_ADMINS | ON_CASE, "POST": CLINIC_ADMINS},
    "partner_erasure_approve": {"POST": CLINIC_ADMINS | ON_CASE},
    "partner_erasure_cancel": {"POST": CLINIC_ADMINS | ON_CASE},
    # --- outcomes: the clinic's outcome benchmarks, group figures of closed cases for its
    # admins and supervisors (rebond/access/outcomes.py); any other clinician gets a 404.
    "outcomes:benchmarks": {"GET": BENCHMARK_READERS},
    "outcomes:benchmarks_chart": {"GET": BENCHMARK_READERS},
    "outcomes:benchmarks_report": {"GET": BENCHMARK_READERS},
    # --- staff: a clinic's people, managed by its clinic admins (rebond/staff). Step-up comes
    # after the access check; the matrix's user_id is Bob, the only clinician on case C4, so
    # deactivating him is answered with the refusal (409), and reactivating him (active) with
    # a redirect to the staff page.
    "staff": {"GET": CLINIC_ADMINS},
    "staff_roles": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    "staff_deactivate": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    "staff_reactivate": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    "staff_invite": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    # Bob has no invitation waiting: the admin is sent back to the staff page, told so.
    "staff_invitation_resend": {"POST": CLINIC_ADMINS},
    "staff_invitation_cancel": {"POST": CLINIC_ADMINS},
    # --- alerts and safety ---
    "alerts": {"GET": CLINICIANS},
    "alert": {"GET": ALERT_RECIPIENTS},
    "alert_acknowledge": {"POST": ALERT_RECIPIENTS},
    "alert_close": {"POST": ALERT_RECIPIENTS},
    "alert_resume_case": {"POST": ALERT_RECIPIENTS},
    "case_safety": {"GET": ON_CASE},
    "safety_concern_update": {"POST": ON_CASE},
    "safety_plan_new": {"GET": ON_CASE, "POST": ON_CASE},
    "safety_plan_edit": {"GET": ON_CASE, "POST": ON_CASE},
    "safety_plan_delete": {"POST": ON_CASE},
    "safety_settings": {"GET": CLINIC_ADMINS},
    "safety_window": {"POST": CLINIC_ADMINS},
    "crisis_resource_add": {"POST": CLINIC_ADMINS},
    "crisis_resource_edit": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    "crisis_resource_delete": {"POST": CLINIC_ADMINS},
    "safety_lead_set": {"POST": CLINIC_ADMINS},
    "alert_rule_set": {"POST": CLINIC_ADMINS},
    # --- interop: exports, imports and API tokens (step-up after the access check) ---
    "interop:caseload_exports": {"GET": CLINICIANS, "POST": CLINICIANS},
    "interop:case_exports": {"GET": ON_CASE, "POST": ON_CASE},
    "interop:case_import": {"GET": ON_CASE, "POST": ON_CASE},
    # A background export or import, its progress and its file: the clinician who started it
    # only (rebond/access/jobs.py); the world's job is the therapist's finished research export.
    "interop:job": {"GET": frozenset({THERAPIST})},
    "interop:job_status": {"GET": frozenset({THERAPIST})},
    "interop:job_download": {"GET": frozenset({THERAPIST})},
    "interop:api_tokens": {"GET": CLINICIANS, "POST": CLINICIANS},
    "interop:api_token_revoke": {"POST": frozenset({THERAPIST})},  # the token's owner only
    # The API's documentation page (Swagger UI): a clinician page like the others (issue 23).
    "interop:api_docs": {"GET": CLINICIANS},
    # --- the JSON API: a bearer token, never a session (401 without one); its schema answers
    # a token too, or a clinician's session past the second factor (the documentation page's)
    "api:api-root": NOBODY_BY_ANY_METHOD,
    "api:openapi-json": {"GET": CLINICIANS},
    "api:list_cases": NOBODY_BY_ANY_METHOD,
    "api:get_case": NOBODY_BY_ANY_METHOD,
    "api:list_administrations": NOBODY_BY_ANY_METHOD,
    "api:get_scores": NOBODY_BY_ANY_METHOD,
    "api:list_alerts": NOBODY_BY_ANY_METHOD,
    # --- measurement: the caseload is above; progress, charts, reports (risk never shown) ---
    "couple_progress": {"GET": ON_CASE},
    "progress_chart": {"GET": ON_CASE},
    "progress_report": {"GET": ON_CASE},
    "client_report": {"GET": ON_CASE},
    "measurement_settings": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    # Expected recovery from the clinic's closed cases: counts and coefficients, no case (issue 17).
    "expected_recovery": {"GET": CURVE_KEEPERS},
    "expected_recovery_status": {"GET": CURVE_KEEPERS},
    "expected_recovery_refit": {"POST": CURVE_KEEPERS},
    "expected_recovery_threshold": {"POST": CLINIC_ADMINS},
    "my_progress": {"GET": PARTNERS},
    "my_progress_chart": {"GET": PARTNERS},
    # --- interop: the partner's own data, in their space (never a clinician's login) ---
    "my_data": {"GET": PARTNERS},
    "my_data_json": {"GET": PARTNERS},
    "my_data_pdf": {"GET": PARTNERS},
    # --- therapy: the EFT/AIRM process is clinician-only, never a partner's ---
    "therapy": {"GET": ON_CASE},
    "therapy_stage_move": {"POST": ON_CASE},
    "therapy_airm_move": {"POST": ON_CASE},
    "therapy_sessions": {"GET": ON_CASE},
    "therapy_session_record": {"POST": ON_CASE},
    "therapy_session": {"GET": ON_CASE},
    "therapy_session_void": {"POST": ON_CASE},
    "therapy_cycle": {"GET": ON_CASE, "POST": ON_CASE},
    "therapy_notes": {"GET": ON_CASE, "POST": ON_CASE},
    "therapy_note_edit": {"POST": ON_CASE},
    "therapy_note_addendum": {"POST": ON_CASE},
    "therapy_timeline": {"GET": ON_CASE},
    "therapy_markers": {"GET": CLINICIANS},
    "therapy_settings": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    # --- diary, the clinician's side (rebond/diary/clinician_views.py): every entry of the
    # case, shared or private, to the clinicians on it; never a clinic admin (issue 19) ---
    "case_diary": {"GET": ON_CASE},
    "case_diary_chart": {"GET": ON_CASE},
    "case_diary_plan": {"POST": ON_CASE},
    # --- appointments: a case's sessions scheduled ahead (rebond/appointments/case_views.py);
    # C1's appointment is partner A's individual session, ahead. Moving or cancelling it
    # answers the form (422) or a redirect; a no-show before its start is refused as a
    # conflict about the appointment (409), an answer, not an access refusal.
    "appointment_schedule": {"POST": ON_CASE},
    "appointment": {"GET": ON_CASE},
    "appointment_record": {"GET": ON_CASE, "POST": ON_CASE},
    "appointment_move": {"POST": ON_CASE},
    "appointment_cancel": {"POST": ON_CASE},
    "appointment_no_show": {"POST": ON_CASE},
    # Its calendar file: partner A's own; partner B never learns of it (DOMAIN 7.5 rule 4).
    "appointment_calendar_file": {"GET": ROW_OWNER},
    # --- staff: an invited clinician's enrolment (rebond/staff/views.py) ---
    # The link's token is the credential: anyone not logged in who holds it is sent on to the
    # password page; a logged-in clinician is told to log out first (403).
    "enrolment_link": {"GET": NOT_LOGGED_IN},
    # Only the session that opened a still-usable link (an empty POST: 400, the form's errors).
    "enrolment_password": {"GET": frozenset({INVITED}), "POST": frozenset({INVITED})},
    # --- appointments: calendars (issue 18). Every clinician keeps their own calendar, hours,
    # time off and feed; another's row is a 404 (the URL's rows are the therapist's own). The
    # clinic calendar (metadata only), session types and settings: clinic admins. The feed's
    # address is its credential: whoever holds a live one reads it, session or not.
    "calendar": {"GET": CLINICIANS},
    "calendar_availability": {"GET": CLINICIANS},
    "calendar_hours_add": {"POST": CLINICIANS},
    "calendar_hours_remove": {"POST": frozenset({THERAPIST})},
    "calendar_time_off_add": {"POST": CLINICIANS},
    "calendar_time_off_remove": {"POST": frozenset({THERAPIST})},
    "calendar_feeds": {"GET": CLINICIANS, "POST": CLINICIANS},
    "calendar_feed_revoke": {"POST": frozenset({THERAPIST})},
    "calendar_feed_labels": {"POST": frozenset({THERAPIST})},
    "calendar_feed": {"GET": EVERYONE},
    "clinic_calendar": {"GET": CLINIC_ADMINS},
    "appointment_settings": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    "session_types": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    "session_types_defaults": {"POST": CLINIC_ADMINS},
    "session_type_edit": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    "session_type_active": {"POST": CLINIC_ADMINS},
    # --- shelf: the clinic's reading pages (issue 19 item 5). Every clinician reads their own
    # clinic's list; the URL's page is Clinic A's, given to C1's partner A only. Its clinic
    # admins write, change, publish and unpublish pages and add Rebond's starter pages (other
    # clinicians of the clinic: 403 naming who can). A case's clinicians give a published
    # page to partner A, B or both and withdraw it. Partners read the pages given to them or
    # to both: the URL's assignment is partner A's alone, never partner B's to read.
    "shelf": {"GET": CLINICIANS},
    "shelf_page": {"GET": SHELF_READERS},
    "shelf_page_new": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    "shelf_page_edit": {"GET": CLINIC_ADMINS, "POST": CLINIC_ADMINS},
    "shelf_page_publish": {"POST": CLINIC_ADMINS},
    "shelf_starter": {"POST": CLINIC_ADMINS},
    "case_reading_assign": {"POST": ON_CASE},
    "case_reading_withdraw": {"POST": ON_CASE},
    "my_reading": {"GET": PARTNERS},
    "my_reading_page": {"GET": ROW_OWNER},
    # --- operations: the health check a load balancer polls; says only "ok" or what failed ---
    "healthz": {"GET": EVERYONE},
    # The scripts' words in one language: no data, the same for everyone.
    "javascript_catalogue": {"GET": EVERYONE},
}

# Routes whose GET legitimately writes, and the only tables it may write (SECURITY.md IV-05).
GET_WRITES: dict[str, frozenset[str]] = {
    # Opening a link swaps it for a session, binds it to the browser and records its first
    # use, or records that another browser opened it (audited).
    "portal:open_link": frozenset(
        {
            "portal_privatelink",
            "portal_linkopenedelsewhere",
            "django_session",
            "audit_auditentry",
            "audit_auditchainhead",
        }
    ),
    # A calendar app reading a clinician's feed: when it was last read, so the clinician sees
    # whether a device still uses the address (rebond/appointments/feeds.py).
    "calendar_feed": frozenset({"appointments_calendarfeed"}),
    # A partner opening a page given to them: when it was first opened, once, for the case's
    # clinicians (rebond/shelf/actions.py record_first_reading).
    "my_reading_page": frozenset({"shelf_pageassignment"}),
}
# Tables any GET may write: the session (sign-in state, idle clock) and the audit trail
# (read events, SECURITY.md LG-01).
GET_WRITABLE_TABLES = frozenset({"django_session", "audit_auditentry", "audit_auditchainhead"})

__all__ = ["ANONYMOUS", "DEACTIVATED", "ENROLLING", "INVITED", "METHODS", "POLICY"]


def allowed(route: str, method: str) -> frozenset[str]:
    """Return the roles the table allows to use `method` on `route`."""
    return POLICY[route].get(method, NOBODY)
