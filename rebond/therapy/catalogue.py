"""The marker catalogue, as data: DOMAIN.md 1.4 (EFT) and 2.2 (AIRM), nothing else.

Each marker keeps the source and the evidence tag DOMAIN.md gives it, corrected by
DOMAIN-VERIFICATION.md where that file says so:

- [S] the source excerpt says it; [K] standard teaching not seen in a source (verify before
  treating it as literature); [P] Rebond's operationalisation for structured rating
  (0 = absent, 1 = emerging, 2 = clearly present), not a validated instrument (DOMAIN 1.4).
- De-escalation markers 1-4 are the eftqc.com condensation of Brubacher's 12 markers
  (VERIFIED, DOMAIN-VERIFICATION 3). Markers 5-9 are [K] and must not be attributed to
  Brubacher or eftqc, so their source says "commonly taught, unverified".
- AIRM steps 1-4 follow the "Steps and Interventions of AIRM" handout [S]; steps 5-8 are [K]
  (Makinen & Johnson 2006, as usually summarised) and carry short neutral labels in the UI
  (DOMAIN decisions).

`load_catalogue()` writes the table into `MarkerDefinition` (a data migration calls it, and so
do the demo and the tests after a flush); changing a marker's wording means a new row here and a
new migration calling it again, never an edit to an observation already rated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_noop as _

EFTQC = "https://www.eftqc.com/deescalation"
EFT_STEPS = (
    "https://www.windowsofopportunitycounseling.org/"
    "steps-and-stages-of-emotionally-focused-therapy.html"
)
AIRM_HANDOUT = "https://www.scribd.com/document/370496068/Steps-and-Interventions-of-AIRM"
MAKINEN_JOHNSON_2006 = (
    "https://www.researchgate.net/publication/6644242_Resolving_Attachment_Injuries_in_Couples_"
    "Using_Emotionally_Focused_Therapy_Steps_Toward_Forgiveness_and_Reconciliation"
)
JOHNSON_FORGIVENESS = (
    "https://www.taylorfrancis.com/books/9781351168366/chapters/10.4324/9781351168366-14"
)
ANTIDOTE = "https://eft-coupletherapy.ch/quiz/relational-traumas-and-wounds-attachment-injuries/"

# Whom a marker is rated for (DOMAIN 7.1 MarkerDefinition.applies_to_role).
EACH = "each"  # once per partner
COUPLE = "couple"  # once for the couple
HURT = "hurt"  # the hurt partner of the injury
HURTFUL = "hurtful"  # the hurtful partner of the injury


@dataclass(frozen=True)
class Marker:
    code: str
    model: str  # "eft" or "airm"
    stage: int | None  # EFT stage 1-3; None for AIRM
    step: int | None  # EFT step 1-9 or AIRM step 1-8; None for the de-escalation markers
    applies_to: str
    label: str
    description: str
    source: str
    source_url: str
    evidence: str  # "S", "K" or "P"
    order: int


DEESC_SOURCE = "eftqc.com condensation of Brubacher's 12 de-escalation markers"
DEESC_K_SOURCE = (
    "Commonly taught EFT de-escalation marker; wording unverified, not attributed to Brubacher "
    "or eftqc (DOMAIN-VERIFICATION 3)"
)
STEP_SOURCE = (
    "Rebond's proposed rating of Johnson's step (DOMAIN 1.4), step wording as reproduced in "
    "training materials; not a validated instrument"
)
AIRM_S_SOURCE = "Steps and Interventions of AIRM, training handout (Brubacher/ICEEFT materials)"
AIRM_K_SOURCE = "Makinen & Johnson (2006), as usually summarised; wording unverified"

# fmt: off
_ROWS: list[tuple[Any, ...]] = [
    # --- EFT Stage 1: de-escalation markers (DOMAIN 1.4) -------------------------------------
    ("EFT.DEESC.1", 1, None, EACH, _("Owns their position in the cycle"),
     _("Identifies and owns their habitual position in the cycle (“When I feel disconnected "
     "from you, I get angry and lash out”)."), DEESC_SOURCE, EFTQC, "S"),
    ("EFT.DEESC.2", 1, None, EACH, _("Owns the softer emotions under it"),
     _("Accesses and owns the softer emotions under that position (“…I get scared that "
     "one day you will leave”)."), DEESC_SOURCE, EFTQC, "S"),
    ("EFT.DEESC.3", 1, None, EACH, _("Links the other's reactivity to own emotions"),
     _("Links the other's reactive behaviour to their own attachment emotions and reactive "
     "behaviour."), DEESC_SOURCE, EFTQC, "S"),
    ("EFT.DEESC.4", 1, None, EACH, _("Links own reactivity to the other's emotions"),
     _("Links their own reactive behaviour to the other's attachment emotions and reactivity."),
     DEESC_SOURCE, EFTQC, "S"),
    ("EFT.DEESC.5", 1, None, COUPLE, _("The cycle is the shared enemy"),
     _("The couple frames the cycle as the shared enemy (“our dance got us again”)."),
     DEESC_K_SOURCE, "", "K"),
    ("EFT.DEESC.6", 1, None, COUPLE, _("Fewer, milder cycles at home"),
     _("Negative cycles are less frequent and less intense at home; the couple exits "
     "escalations and repairs faster."), DEESC_K_SOURCE, "", "K"),
    ("EFT.DEESC.7", 1, None, COUPLE, _("A hot topic without the cycle taking over"),
     _("In session, partners can talk about a hot topic without the cycle taking over."),
     DEESC_K_SOURCE, "", "K"),
    ("EFT.DEESC.8", 1, None, COUPLE, _("More hope and safety"),
     _("There is more hope and more sense of safety, and the withdrawer shows more engagement."),
     DEESC_K_SOURCE, "", "K"),
    ("EFT.DEESC.9", 1, None, COUPLE, _("A coherent story of the cycle"),
     _("The couple can tell the story of the cycle coherently, with both partners' underlying "
     "emotions."), DEESC_K_SOURCE, "", "K"),
    # --- EFT steps: the proposed per-step catalogue (DOMAIN 1.4 table) -----------------------
    ("EFT.STEP.1", 1, 1, COUPLE, _("Assessment complete"),
     _("Alliance with both partners; presenting issues and relationship history recorded; "
     "safety screen done; both partners' goals recorded (improve vs clarify)."),
     STEP_SOURCE, EFT_STEPS, "P"),
    ("EFT.STEP.2", 1, 2, COUPLE, _("Cycle mapped"),
     _("Cycle mapped with each partner's action tendency, perception and secondary emotion; "
     "the couple recognises the map."), STEP_SOURCE, EFT_STEPS, "P"),
    ("EFT.STEP.3", 1, 3, EACH, _("Primary emotion named and felt"),
     _("Primary emotion for each partner named and felt in session."), STEP_SOURCE, EFT_STEPS, "P"),
    ("EFT.STEP.4", 1, 4, COUPLE, _("Reframe accepted"),
     _("De-escalation markers 1–4 (and ideally 5–9) present; "  # noqa: RUF001
       "the couple accepts the reframe."), STEP_SOURCE, EFT_STEPS, "P"),
    ("EFT.STEP.5", 2, 5, EACH, _("In contact with attachment fears and longings"),
     _("The partner is in contact with attachment fears/longings and models of self/other, at "
     "deeper experiencing levels."), STEP_SOURCE, EFT_STEPS, "P"),
    ("EFT.STEP.6", 2, 6, EACH, _("Hears the other with acceptance"),
     _("The other partner hears the disclosure and responds with acceptance rather than "
     "reactivity."), STEP_SOURCE, EFT_STEPS, "P"),
    ("EFT.STEP.7", 2, 7, COUPLE, _("Bonding event"),
     _("A clear, direct request from vulnerability (an “enactment”) gets an "
     "accessible, responsive answer: a bonding event."), STEP_SOURCE, EFT_STEPS, "P"),
    ("EFT.STEP.8", 3, 8, COUPLE, _("Old problems solved without the cycle"),
     _("Old practical problems (money, sex, in-laws) get solved without the cycle escalating."),
     STEP_SOURCE, EFT_STEPS, "P"),
    ("EFT.STEP.9", 3, 9, COUPLE, _("Consolidated: ready to plan the ending"),
     _("The couple tells a coherent narrative of distress and repair; has rituals of "
     "connection; can name and exit the cycle alone; gains hold between sessions."),
     STEP_SOURCE, EFT_STEPS, "P"),
    # --- AIRM: observable markers per step (DOMAIN 2.2 table) --------------------------------
    ("AIRM.1", None, 1, HURT, _("Injury recounted, painfully alive"),
     _("The event comes up vividly (flashback quality), usually when the hurt partner is "
     "invited to risk or trust; “never again” statements."),
     AIRM_S_SOURCE, AIRM_HANDOUT, "S"),
    ("AIRM.2", None, 2, HURTFUL, _("Defensive stance"),
     _("Defensive explanations, minimising, withdrawal."), AIRM_S_SOURCE, AIRM_HANDOUT, "S"),
    ("AIRM.3", None, 3, HURT, _("Anger shifts to hurt and fear"),
     _("Anger shifts to hurt, fear, helplessness, shame; the injury is linked to the current "
     "cycle."), AIRM_S_SOURCE, AIRM_HANDOUT, "S"),
    ("AIRM.4", None, 4, HURTFUL, _("Hears the significance and gives an account"),
     _("Acknowledges the pain; understands it as a sign of their importance to the hurt "
     "partner, not as an indictment; gives an account of how the event came about."),
     AIRM_S_SOURCE, AIRM_HANDOUT, "S"),
    ("AIRM.5", None, 5, HURT, _("Grief and vulnerability"),
     _("Tears/grief, softer tone; “I was so alone” rather than “you are "
     "cruel”."), AIRM_K_SOURCE, MAKINEN_JOHNSON_2006, "K"),
    ("AIRM.6", None, 6, HURTFUL, _("Engaged responsibility and remorse"),
     _("Visible emotional distress at the partner's pain: the hurt partner needs “a felt "
     "sense that the injuring partner felt, was moved by and was visibly and obviously "
     "distressed by their pain”."), AIRM_K_SOURCE + "; quote from Johnson (T&F chapter)",
     JOHNSON_FORGIVENESS, "K"),
    ("AIRM.7", None, 7, HURT, _("Asks for comfort"),
     _("A direct request from vulnerability for the comfort that was missing."),
     AIRM_K_SOURCE, MAKINEN_JOHNSON_2006, "K"),
    ("AIRM.8", None, 8, HURTFUL, _("Antidote bonding event"),
     _("Bonding event; narrative coherence; trust-building thereafter."),
     AIRM_K_SOURCE + "; “antidote bonding event” from the EFT workbook exercise",
     ANTIDOTE, "K"),
]
# fmt: on


def _markers() -> list[Marker]:
    markers = []
    for order, row in enumerate(_ROWS, start=1):
        code, stage, step, applies_to, label, description, source, url, evidence = row
        model = "airm" if code.startswith("AIRM.") else "eft"
        markers.append(
            Marker(
                code,
                model,
                stage,
                step,
                applies_to,
                label,
                description,
                source,
                url,
                evidence,
                order,
            )
        )
    return markers


MARKERS: list[Marker] = _markers()
BY_CODE: dict[str, Marker] = {m.code: m for m in MARKERS}

# Gates of DOMAIN 7.3 and 7.4, by marker code.
DEESCALATION_GATE = ("EFT.DEESC.1", "EFT.DEESC.2", "EFT.DEESC.3", "EFT.DEESC.4")
BONDING_EVENT_GATE = "EFT.STEP.7"
AIRM_RESOLVED_GATE = "AIRM.8"


def load_catalogue(marker_model: Any) -> int:
    """Write the catalogue into the MarkerDefinition table; return how many rows changed.

    `marker_model` is the model class (the real one, or the historical one in a migration).
    """
    changed = 0
    for marker in MARKERS:
        fields = {
            "model": marker.model,
            "stage": marker.stage,
            "step": marker.step,
            "applies_to": marker.applies_to,
            "label": marker.label,
            "description": marker.description,
            "source": marker.source,
            "source_url": marker.source_url,
            "evidence": marker.evidence,
            "order": marker.order,
        }
        row = marker_model.objects.filter(code=marker.code).first()
        if row is None:
            marker_model.objects.create(code=marker.code, **fields)
            changed += 1
        elif any(getattr(row, k) != v for k, v in fields.items()):
            marker_model.objects.filter(pk=row.pk).update(**fields)
            changed += 1
    return changed
