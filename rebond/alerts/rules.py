"""The rules that turn a scored submission into alerts (DOMAIN.md 4.5, 4.6; INSTRUMENTS.md).

Each rule reads the flags and scores `psychometrics` computed; no rule re-scores anything.
The core safety rules (PHQ-9 item 9, ASQ, partner violence) are always on: a clinic may only
make them stricter (`AlertRuleSetting.CORE_RULES`; issue 15 B6).
Severity decides what happens next: HIGH alerts pause conjoint work until a clinician records a
decision (DOMAIN 7.2 PAUSED_SAFETY) and escalate to the clinic's safety leads when nobody on
the case acknowledges them within the clinic's window.

Severities and their sources:
- PHQ-9 item 9 ("thoughts that you would be better off dead, or of hurting yourself"): any
  answer above "Not at all" raises an alert whatever the total (Kroenke, Spitzer & Williams
  2001; INSTRUMENTS.md 5.1). Risk of a suicide attempt rises with the frequency answered, from
  0.4% ("not at all") to 4% ("nearly every day") in a year (Simon et al. 2013, Psychiatric
  Services 64(12):1195-1202, cited in DOMAIN 4.5), so "several days" is PRIORITY and "more
  than half the days" or "nearly every day" is HIGH. A clinic may lower the HIGH threshold to
  "several days"; it may not raise it (the allowed values are the published answer values).
- ASQ: every positive screen is HIGH (NIMH ASQ Toolkit, Suicide Risk Screening Pathway). An
  acute positive (question 5) is imminent risk; a positive screen whose acuity question was
  not answered is treated like it. A non-acute positive needs a brief suicide safety
  assessment at the same encounter; a remote self-report has no encounter, so it means
  contact the same day, and it escalates within the clinic's window like any HIGH alert.
- HARK positive (any yes; Sohal, Eldridge & Feder 2007), a HITS positive screen (total above
  10: cut score 10.5, Sherin et al. 1998, Fam Med 30(7):508-512) and HITS item 1 (physical
  hurt) are HIGH: the partner must be seen alone before any further conjoint session (DOMAIN
  4.2). One submission raises one partner-violence alert, however many of these it meets.
- Very severe scores: the published top band of the instrument (PHQ-9 "severe", 20-27,
  Kroenke 2001; GAD-7 "severe", 15-21, Spitzer et al. 2006) raise a PRIORITY alert.
- Progress signal (rule code `not_on_track`, kept for stored settings; DOMAIN header, revised
  2026-12-06; the algorithm and its sources are in `psychometrics.signals`): when the couple's
  signal on the clinic's outcome instrument is red (a partner reliably worse than at intake)
  or amber (a partner without reliable improvement by the clinic's review session, or the
  partners diverging), an INFO alert, or a PRIORITY one when a partner got reliably worse
  (Lambert's feedback systems single out deterioration; DOMAIN 5). Judged only from published
  reliable-change figures (or the clinic's local norms): the CSI-4, without one, raises
  nothing. One open alert per couple is enough: it is not raised again until the clinician
  closes it. Partners never see it, like every alert.
- Diary "right now I don't feel safe" (issue 19; rule `diary_not_safe`, core, always on): a
  partner's own statement that they are not safe now is a disclosure of possible risk, and
  DOMAIN.md 4.4 (the safety carve-out: safety information is never kept inside the couple's
  shared space nor hidden from the clinician) and 4.6 (the obligations: crisis resources
  shown at once, a clinician alert, nothing analysed automatically) apply to it as to a
  screen. Severity HIGH, the same as a positive partner-violence screen: the statement does
  not say whether the danger is the partner, oneself or something else, so the partner must
  be seen alone before any further conjoint session (DOMAIN 4.2), conjoint work pauses until
  a clinician decides, and it escalates within the clinic's window like any HIGH alert. No
  free text is read: only the box the partner ticked raises it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from rebond.alerts.models import Alert, AlertRuleSetting

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

T = Alert.Type
HIGH, PRIORITY = Alert.Severity.HIGH, Alert.Severity.PRIORITY


@dataclass(frozen=True)
class AlertDraft:
    rule: str
    type: str
    severity: int


@dataclass(frozen=True)
class Rule:
    code: str
    label: StrOrPromise
    # Allowed threshold values (published answer values or band edges); the first is default.
    thresholds: tuple[int, ...] = ()

    @property
    def core(self) -> bool:
        """A core safety rule is always on; a clinic may only make it stricter (issue 15 B6)."""
        return self.code in AlertRuleSetting.CORE_RULES


RULES: tuple[Rule, ...] = (
    Rule("phq9_item9", _("PHQ-9 item 9 (thoughts of death or self-harm)"), thresholds=(2, 1)),
    Rule("asq", _("ASQ suicide risk screen")),
    Rule("ipv_screen", _("Partner violence screens (HARK positive, HITS positive or item 1)")),
    Rule("severe_score", _("Very severe depression or anxiety score (PHQ-9, GAD-7)")),
    Rule(
        "not_on_track",
        _(
            "Progress: a partner reliably worse, or not reliably improved by the review session, "
            "or the partners diverging"
        ),
    ),
    Rule("diary_not_safe", _("Diary: a partner says they don't feel safe right now")),
)
RULE_CODES = frozenset(rule.code for rule in RULES)
# In English (tests read it); said with gettext where it is shown.
CORE_RULE_ALWAYS_ON = gettext_noop(
    "This is a core safety rule: it is always on. A clinic can only make it stricter."
)


IPV_FLAGS = ("hark_positive", "hits_positive_screen", "hits_physical_hurt")
ASQ_FLAGS = ("asq_positive", "asq_acute", "asq_acuity_unknown")
# A more urgent flag's advice replaces a less urgent one's (acute risk is not "today").
SUPERSEDES = {"asq_acute": "asq_positive"}


def advice(flags: Sequence[Mapping[str, Any]]) -> list[str]:
    """Return what the risk flags of an alert's submission ask the clinician to do, most
    urgent advice only (shown on the alert page)."""
    superseded = {SUPERSEDES[f["code"]] for f in flags if f.get("code") in SUPERSEDES}
    return [
        f["message"]
        for f in flags
        if f.get("risk") and f.get("message") and f.get("code") not in superseded
    ]


def _has(flags: Sequence[Mapping[str, Any]], code: str) -> bool:
    return any(flag.get("code") == code for flag in flags)


def evaluate(
    instrument_code: str,
    answers: Mapping[str, int | None],
    flags: Sequence[Mapping[str, Any]],
    band: str,
    *,
    enabled: Mapping[str, bool] | None = None,
    thresholds: Mapping[str, int] | None = None,
) -> list[AlertDraft]:
    """Return the alerts one scored submission raises, given the clinic's rule settings.

    A setting that would switch a core rule off is ignored, wherever it came from.
    """
    on = dict.fromkeys(RULE_CODES, True) | dict(enabled or {})
    on |= dict.fromkeys(AlertRuleSetting.CORE_RULES, True)
    limits = {rule.code: rule.thresholds[0] for rule in RULES if rule.thresholds}
    limits.update(thresholds or {})
    drafts: list[AlertDraft] = []
    if instrument_code == "PHQ-9" and on["phq9_item9"] and _has(flags, "phq9_item9"):
        item9 = answers.get("9") or 0
        severity = HIGH if item9 >= limits["phq9_item9"] else PRIORITY
        drafts.append(AlertDraft("phq9_item9", T.SUICIDE_RISK, severity))
    if instrument_code == "ASQ" and any(_has(flags, code) for code in ASQ_FLAGS):
        drafts.append(AlertDraft("asq", T.SUICIDE_RISK, HIGH))
    if on["ipv_screen"] and any(_has(flags, code) for code in IPV_FLAGS):
        drafts.append(AlertDraft("ipv_screen", T.IPV_SCREEN_POSITIVE, HIGH))
    if on["severe_score"] and instrument_code in ("PHQ-9", "GAD-7") and band == "severe":
        drafts.append(AlertDraft("severe_score", T.SEVERE_SCORE, PRIORITY))
    return drafts


# The couple signals that raise the progress alert (psychometrics.signals.CoupleSignal): red
# and amber. Written out, not imported: rules stay free of the measurement app.
TRACK_ALERT_SIGNALS = frozenset({"worse", "review"})

# The diary's alert (rule `diary_not_safe` in the module docstring): HIGH, whatever the clinic.
DIARY_NOT_SAFE = AlertDraft("diary_not_safe", T.NOT_SAFE_NOW, HIGH)


def evaluate_track(
    couple_signal: str, *, deteriorated: bool, enabled: bool = True
) -> AlertDraft | None:
    """Return the alert a couple's new progress signal raises (red or amber), if it is on."""
    if not enabled or couple_signal not in TRACK_ALERT_SIGNALS:
        return None
    if deteriorated:
        return AlertDraft("not_on_track", T.RELIABLE_DETERIORATION, PRIORITY)
    return AlertDraft("not_on_track", T.NOT_ON_TRACK, Alert.Severity.INFO)
