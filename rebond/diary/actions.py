"""What a partner does with their diary: write an entry, share it, take the share back.

Who may do what is in rebond/access/diary.py; these actions call it, write, and audit. The
audit names the entry and the fields written, never a rating nor the line (the values stay
in the entry, encrypted where they are words). An entry saying "right now I don't feel safe"
raises the clinician alert in the same transaction (rebond/alerts/rules.py `diary_not_safe`):
there is never such an entry without its alert.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from rebond import access, audit
from rebond.alerts.actions import raise_diary_alert
from rebond.couples.models import Partner
from rebond.diary.models import LINE_MAX, RATING_MAX, DiaryEntry
from rebond.lib.errors import ActionError
from rebond.lib.text import has_bidi_controls, normalise_line_breaks

# English, as the tests read them; refusals are raised in the reader's language (gettext).
NOT_OFFERED = gettext_noop(
    "Your therapist has not offered the diary. Your earlier entries are still here."
)
NOT_SAFE_NOT_SHARED = gettext_noop(
    "An entry where you said you don't feel safe right now stays between you and your "
    "therapist: it cannot be shared."
)
LINE_BIDI = gettext_noop(
    "Remove the invisible text-direction characters (Unicode bidirectional controls) from "
    "your line."
)


@dataclass(frozen=True)
class DiaryDraft:
    """One entry as the partner filled it in (built by the diary form)."""

    felt_safe: int | None
    felt_close: int | None
    triggered: bool = False
    trigger_kind: str = ""
    trigger_intensity: int | None = None
    helped: str = ""
    line: str = ""
    not_safe_now: bool = False


def _rating_error(value: int | None, missing: str) -> str:
    if value is None:
        return missing
    if not 0 <= value <= RATING_MAX:
        return _("Choose a number from 0 to %(max)s.") % {"max": RATING_MAX}
    return ""


def validate(draft: DiaryDraft) -> dict[str, list[str]]:
    """Return the draft's problems per field, as the database constraints would refuse them."""
    errors: dict[str, list[str]] = {}
    checks = {
        "felt_safe": _rating_error(draft.felt_safe, _("Choose how safe you feel today, 0 to 10.")),
        "felt_close": _rating_error(
            draft.felt_close, _("Choose how close you feel today, 0 to 10.")
        ),
    }
    if draft.triggered:
        if draft.trigger_kind not in DiaryEntry.TriggerKind.values:
            checks["trigger_kind"] = _("Choose what the trigger was (or 'Something else').")
        checks["trigger_intensity"] = _rating_error(
            draft.trigger_intensity, _("Choose how strong it was, 0 to 10.")
        )
        if draft.helped and draft.helped not in DiaryEntry.Helped.values:
            checks["helped"] = _("Choose one of the options, or leave it empty.")
    elif draft.trigger_kind or draft.trigger_intensity is not None or draft.helped:
        checks["triggered"] = _(
            "Say yes to 'Was something a trigger today?', or clear its answers."
        )
    line = normalise_line_breaks(draft.line).strip()
    if len(line) > LINE_MAX:
        checks["line"] = _("Keep it to %(max)s characters (it has %(count)s).") % {
            "max": LINE_MAX,
            "count": len(line),
        }
    elif has_bidi_controls(line):
        checks["line"] = _(LINE_BIDI)
    for name, message in checks.items():
        if message:
            errors[name] = [message]
    return errors


@transaction.atomic
def write_entry(partner: Partner, draft: DiaryDraft) -> DiaryEntry:
    """Write today's entry; an entry saying "not safe right now" also raises its alert."""
    if not access.diary_offered(partner):
        raise ActionError(_(NOT_OFFERED))
    errors = validate(draft)
    if errors or draft.felt_safe is None or draft.felt_close is None:
        raise ActionError(_("The entry could not be saved."), errors)
    entry = DiaryEntry.objects.create(
        couple_id=partner.couple_id,
        author=partner,
        felt_safe=draft.felt_safe,
        felt_close=draft.felt_close,
        triggered=draft.triggered,
        trigger_kind=draft.trigger_kind if draft.triggered else "",
        trigger_intensity=draft.trigger_intensity if draft.triggered else None,
        helped=draft.helped if draft.triggered else "",
        line=normalise_line_breaks(draft.line).strip(),
        not_safe_now=draft.not_safe_now,
    )
    written = ["felt_safe", "felt_close", "triggered", "not_safe_now"]
    if draft.triggered:
        written += ["trigger_kind", "trigger_intensity", "helped"]
    if entry.line:
        written.append("line")
    audit.log(
        actor=partner,
        action="diary.entry.write",
        obj=entry,
        clinic_id=partner.couple.clinic_id,
        fields=written,
    )
    if entry.not_safe_now:
        raise_diary_alert(entry)
    return entry


@transaction.atomic
def share_entry(partner: Partner, entry_id: uuid.UUID | str) -> DiaryEntry:
    """Share one of the partner's own entries with the other partner, exactly as written."""
    entry = access.get_own_diary_entry(partner, entry_id)
    if entry.not_safe_now:
        raise ActionError(_(NOT_SAFE_NOT_SHARED))
    if not access.sharing_open(partner.couple_id):
        raise ActionError(access.SHARING_PAUSED)
    if entry.shared_at is None:
        entry.shared_at = now()
        entry.save(update_fields=["shared_at"])
        audit.log(
            actor=partner,
            action="diary.entry.share",
            obj=entry,
            clinic_id=partner.couple.clinic_id,
            fields=["shared_at"],
        )
    return entry


@transaction.atomic
def stop_sharing(partner: Partner, entry_id: uuid.UUID | str) -> DiaryEntry:
    """Take a share back: the entry is again only the author's and their therapist's.

    Always allowed, even while sharing is paused: making something private is never refused.
    """
    entry = access.get_own_diary_entry(partner, entry_id)
    if entry.shared_at is not None:
        entry.shared_at = None
        entry.save(update_fields=["shared_at"])
        audit.log(
            actor=partner,
            action="diary.entry.unshare",
            obj=entry,
            clinic_id=partner.couple.clinic_id,
            fields=["shared_at"],
        )
    return entry
