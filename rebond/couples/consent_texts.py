"""The default consent documents, version 1, seeded by a data migration.

Clinics will replace them with their own wording (a new version, never an edit: a partner's
consent points at the exact text and its hash). The wording follows DOMAIN.md 4.4 (secrets
policy), 4.6 points 2 and 8 (not monitored in real time; not a crisis service) and 7.5.
"""

from __future__ import annotations

# Service evaluation (rebond/outcomes, docs/benchmarks.md): the practice looks at how much the
# couples who finished therapy with it changed, in group figures, to judge its own service. It
# is not research (which needs its own consent and an approved protocol, DOMAIN 7.5 rule 6).
SERVICE_EVALUATION_TEXT = (
    "I agree that this practice may use my questionnaire scores to evaluate its own service, "
    "for example to see how much couples who finish therapy here improve, compared with "
    "published studies. Only figures for groups of at least five couples are shown, without "
    "names, to the practice's managers and supervisors, and in its yearly review. This is not "
    "research. Saying no changes nothing about my care, and I may withdraw at any time."
)

DEFAULT_CONSENT_TEXTS: list[tuple[str, str, str]] = [
    (
        "treatment",
        "Consent to couple therapy",
        "I agree to take part in couple therapy with the clinicians of this practice. I "
        "understand that couple therapy may include joint sessions and individual sessions, that "
        "I may ask questions about it at any time, and that I may stop at any time.",
    ),
    (
        "secrets_policy",
        "Confidentiality between partners",
        "I have read my practice's policy on information shared in individual sessions or "
        "questionnaires, and I agree to it. I understand that, whatever the policy, anything I "
        "say about my own safety, or about being afraid of my partner, is never passed to my "
        "partner.",
    ),
    (
        "data_processing",
        "How your information is kept",
        "I agree that this practice keeps my questionnaire answers, notes and contact details in "
        "Rebond, on servers it controls, to provide my care. My answers are mine: my partner "
        "cannot see them. I may ask for a copy of my own information.",
    ),
    (
        "measurement_feedback",
        "Questionnaires and feedback",
        "I agree to answer short questionnaires during therapy so my clinician can follow how "
        "things are going and adjust our work. My clinician may talk with me about my results.",
    ),
    (
        "risk_screening",
        "Safety check-ins and their limits",
        "I understand that some questionnaires ask about safety, including feeling afraid at "
        "home and thoughts of self-harm. My answers go to my clinician only. Rebond is not "
        "watched in real time and is not a crisis service: if I am in danger I will contact "
        "emergency services or a crisis line shown on my screen.",
    ),
    (
        "service_evaluation",
        "Use of my scores to evaluate this service",
        SERVICE_EVALUATION_TEXT,
    ),
    (
        "research",
        "Use of de-identified data for research",
        "I agree that my questionnaire scores may be used for research after my name and "
        "anything that could identify me are removed. Saying no changes nothing about my care.",
    ),
]
