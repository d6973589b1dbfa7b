"""Put a canary in every encrypted field the way users do: through the apps' actions.

Free-text fields get text containing the canary. Fields that hold choices or numbers (a
request's concerns and "feels safe", item answers, scores, totals, bands, flags) cannot hold
a canary; the canary tests check that those columns hold nothing but ciphertext instead.
"""

from __future__ import annotations

from datetime import time, timedelta

from rebond.accounts.models import User
from rebond.alerts import actions as alerts
from rebond.alerts import safety_plans
from rebond.alerts.models import Alert
from rebond.alerts.tests.helpers import ITEM9_MORE_THAN_HALF, answer
from rebond.appointments import sessions as appointment_sessions
from rebond.appointments.models import Appointment, SessionType
from rebond.assessments import actions as assessments
from rebond.couples import actions as couples
from rebond.couples import team
from rebond.couples.models import Couple, Injury, Partner
from rebond.diary import actions as diary
from rebond.diary.models import DiaryPlan
from rebond.emergency import actions as emergency
from rebond.intake import actions as intake
from rebond.intake.models import ConsultationRequest
from rebond.interop import jobs as interop_jobs
from rebond.interop.models import BackgroundJob
from rebond.lib.clinic_time import clinic_today
from rebond.test import ensure_totp_device

# Fields whose values are choices or numbers: no canary fits, their columns are checked to
# hold only ciphertext.
NON_TEXT_FIELDS = frozenset(
    {
        "intake.ConsultationRequest.concerns",
        "intake.ConsultationRequest.feels_safe",
        "couples.Partner.intake_goal",
        "assessments.DraftAnswer.value",
        "assessments.Submission.answers",
        "assessments.Submission.scores",
        "assessments.Submission.total",
        "assessments.Submission.band",
        "assessments.Submission.flags",
        "assessments.Submission.missing",
        "accounts.TOTPDevice.secret",  # a random base32 seed, never text a user typed
    }
)


def seed_everything(clinician: User, canary: str) -> Couple:
    """Write `canary` into every free-text encrypted field through the real actions."""
    assert clinician.clinic is not None
    draft = intake.RequestDraft(
        name=f"Requester {canary}",
        contact_method=ConsultationRequest.ContactMethod.EMAIL,
        contact_value=f"{canary}@example.org",
        safe_times=f"Weekday mornings {canary}",
        may_leave_message=False,
        feels_safe=ConsultationRequest.FeelsSafe.NOT_SURE,
        concerns=[ConsultationRequest.Concern.INFIDELITY],
        concerns_text=f"What happened: {canary}",
    )
    declined = intake.submit_request(clinician.clinic, draft, rate_key="canary-1")
    assert declined is not None
    intake.decline_request(clinician, declined.id, referral=f"Referred to {canary}")
    converted = intake.submit_request(clinician.clinic, draft, rate_key="canary-2")
    assert converted is not None
    couple = intake.convert_request_to_case(
        clinician,
        converted.id,
        label=f"Case {canary}",
        partner_a_name=f"Ada {canary}",
        partner_b_name=f"Ben {canary}",
        primary_clinician=clinician,
    )
    couples.update_case_details(
        clinician,
        couple.id,
        label=f"Case {canary}",
        relationship_agreement=Couple.Agreement.OTHER,
        relationship_agreement_notes=f"Our agreement: {canary}",
        secrets_policy=couple.secrets_policy,
        modality=couple.modality,
    )
    partner_a = couple.partners.get(role="A")
    partner_b = couple.partners.get(role="B")
    couples.update_partner(
        clinician, partner_a.id, display_name=f"Ada {canary}", pronouns=canary, language="en"
    )
    couples.set_intake_goal(partner_a, partner_a.id, Partner.Goal.CLARIFY)
    couples.add_contact_channel(
        clinician,
        partner_b.id,
        couples.ChannelDraft(
            # A channel's value must reach someone: the canary goes in an e-mail address.
            kind="email",
            value=f"{canary}@example.org",
            safe_to_contact=True,
            safe_hours=f"{canary} eve",
        ),
    )
    couples.record_injury(
        clinician,
        couple.id,
        couples.InjuryDraft(
            category=Injury.Category.INFIDELITY,
            subtype=Injury.Subtype.EMOTIONAL_AFFAIR,
            hurt_partner_id=partner_a.id,
            hurtful_partner_id=partner_b.id,
            disclosure_state=Injury.Disclosure.KNOWN_TO_BOTH,
            onset_period=f"Since {canary}",
        ),
    )
    couples.transition_case(
        clinician, couple.id, Couple.Status.INTAKE_SCHEDULED, reason=f"Because {canary}"
    )
    # A partner's answers: a draft left open, and a submitted PHQ-9 that raises an alert.
    administration = next(
        a
        for a in assessments.schedule_instrument(clinician, couple.id, "PHQ-9")
        if a.partner_id == partner_b.id
    )
    assessments.save_draft_answer(partner_b, administration.id, 1, 0)
    answer(clinician, couple, partner_a, ITEM9_MORE_THAN_HALF)
    alert = Alert.objects.get(couple=couple)
    alerts.acknowledge_alert(clinician, alert.id)
    alerts.close_alert(
        clinician, alert.id, disposition=Alert.Disposition.SAFETY_PLAN, reason=f"Plan {canary}"
    )
    safety_plans.save_safety_plan(
        clinician,
        couple.id,
        partner_a.id,
        safety_plans.SafetyPlanDraft(
            warning_signs=f"Signs {canary}",
            coping_steps=f"Steps {canary}",
            people_and_places=f"People {canary}",
            professional_contacts=f"Contacts {canary}",
            making_environment_safe=f"Safe {canary}",
        ),
    )
    # A partner's diary entry with its one line (the plan is the clinician's choice; made
    # directly here, the entry through the partner's own action).
    DiaryPlan.objects.update_or_create(couple=couple, defaults={"offered": True})
    diary.write_entry(
        partner_a, diary.DiaryDraft(felt_safe=5, felt_close=5, line=f"Diary {canary}")
    )
    # A video session scheduled ahead: the clinic's video room is stored encrypted.
    session_type = SessionType.objects.create(
        clinic=clinician.clinic,
        kind=SessionType.Kind.CONJOINT,
        name=f"Conjoint {canary[-8:]}",
        duration_minutes=50,
    )
    appointment_sessions.schedule_sessions(
        clinician,
        couple.id,
        appointment_sessions.ScheduleDraft(
            session_type_id=session_type.id,
            clinician_id=clinician.id,
            day=clinic_today(clinician.clinic) + timedelta(days=7),
            clock=time(10, 0),
            mode=Appointment.Mode.VIDEO,
            video_link=f"https://video.example.org/{canary}",
        ),
    )
    # A clinician's second factor, and an emergency grant with its reason.
    ensure_totp_device(clinician)
    admin = User.objects.create_user(
        email=f"admin-{canary[-8:]}@example.test",
        password=None,
        display_name="Seeding Admin",
        clinic=clinician.clinic,
        is_clinic_admin=True,
        is_therapist=False,
    )
    stand_in = User.objects.create_user(
        email=f"standin-{canary[-8:]}@example.test",
        password=None,
        display_name="Seeding Stand-in",
        clinic=clinician.clinic,
    )
    emergency.grant_emergency_access(
        admin, emergency.GrantDraft(couple.id, stand_in.id, f"Emergency because {canary}", 4)
    )
    # A handover of the case, with its note; the seeding clinician stays on as co-therapist.
    successor = User.objects.create_user(
        email=f"successor-{canary[-8:]}@example.test",
        password="Seeding successor passphrase 1",
        display_name="Seeding Successor",
        clinic=clinician.clinic,
    )
    ensure_totp_device(successor)
    team.hand_over(
        clinician, couple.id, successor.id, note=f"Handover: {canary}", previous_stays=True
    )
    # The therapy process on a couple of its own (sessions, EFT moves, AIRM, cycle, notes).
    from rebond.therapy.tests.helpers import make_case
    from rebond.therapy.tests.test_confidentiality import seed_everything as seed_therapy

    # Its canaries all start with THERAPY_CANARY_PREFIX; the raw-image test searches for it.
    seed_therapy(clinician, make_case(clinician))
    # Background jobs, run by the worker's code: an import refused for a row naming the canary
    # (its upload and row errors sealed) and a FHIR export of the caseload (its file sealed).
    refused = interop_jobs.start_import(
        clinician, couple, f"partner_role,instrument,date\nA,{canary},2025-01-01\n"
    )
    interop_jobs.run(refused.id)
    export = interop_jobs.start_export(
        clinician, BackgroundJob.Kind.FHIR_CASELOAD, include_risk=True
    )
    interop_jobs.run(export.id)
    return couple


THERAPY_CANARY_PREFIX = "THERAPY-CANARY"
