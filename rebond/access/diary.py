"""Who sees a partner's diary (issue 19): its author and the case's clinicians; the other
partner only what its author chose to share.

    what                         | author | other partner                    | on the case | others
    -----------------------------+--------+----------------------------------+-------------+-------
    an entry, not shared         | yes    | no                               | yes         | no
    an entry, shared             | yes    | yes, exactly as written, while   | yes         | no
                                 |        | the case shows shared things (*) |             |
    an entry saying "not safe"   | yes    | never (it cannot be shared)      | yes         | no
    the diary plan (offered,     | offered| offered or not (both partners    | yes         | no
      reminders)                 | or not | are offered the same diary)      |             |

(*) While a safety concern is open on the case, the other partner is shown no shared entry,
and nobody may share a new one: the same rule as the couple chart
(partners.couple_chart_allowed). A concern is opened by a clinician, never by an answer. The
case being paused for safety does NOT hold shared entries back: a "not safe" diary answer or a
risk screen pauses conjoint work at once, and the other partner must not see any change in
what is shared with them because of it (DOMAIN 4.6 point 3). Both partners read the same
neutral words, and only where an entry is held back, so the pause tells nobody anything.
"On the case" is rebond/access/cases.py: the case's clinicians and supervisor, and a live
emergency grant; a clinic admin sees no entry.

The author always sees their own entries, even after the clinician stops offering the diary;
they may write new ones only while it is offered. No other channel (e-mail, reminder, export
for the other partner) carries an entry.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.utils.translation import gettext, gettext_noop

from rebond.access.base import get_or_404
from rebond.access.cases import couples_for_clinician
from rebond.accounts.models import User
from rebond.couples.models import Couple, Partner, SafetyConcern
from rebond.diary.models import DiaryEntry, DiaryPlan

# Marked for translation; shown in the reader's language through `sharing_paused()` (or
# `gettext(SHARING_PAUSED)`): the constant itself stays the English text.
SHARING_PAUSED = gettext_noop("Shared diary entries are not available at the moment.")


def sharing_paused() -> str:
    """Return SHARING_PAUSED in the active language (the reader's)."""
    return gettext(SHARING_PAUSED)


# --- The partner -------------------------------------------------------------------------------


def diary_offered(partner: Partner) -> bool:
    """Return whether the clinician offers the diary on this partner's case."""
    return DiaryPlan.objects.filter(couple_id=partner.couple_id, offered=True).exists()


def own_diary_entries(partner: Partner) -> QuerySet[DiaryEntry]:
    """Return the partner's own entries, shared or not, newest first."""
    return DiaryEntry.objects.filter(author=partner, couple_id=partner.couple_id)


def get_own_diary_entry(partner: Partner, entry_id: uuid.UUID | str) -> DiaryEntry:
    """Return one of the partner's own entries, or raise Http404 (the other's look absent)."""
    return get_or_404(own_diary_entries(partner), entry_id)


def other_partner_name(partner: Partner) -> str:
    """Return the name the author's shared entries are shown to: the other partner's display
    name (both partners know each other's), or "your partner" while there is none yet."""
    other = Partner.objects.filter(couple_id=partner.couple_id).exclude(pk=partner.pk).first()
    return other.display_name if other is not None else "your partner"


def sharing_open(couple_id: uuid.UUID) -> bool:
    """Return whether entries may be shared between the partners of this case now (the (*)
    rule above): no open safety concern. The case's status is not read on purpose."""
    open_concern = SafetyConcern.objects.filter(couple_id=couple_id).exclude(
        status=SafetyConcern.Status.CLOSED
    )
    return not open_concern.exists()


def shared_entries_held_back(partner: Partner) -> bool:
    """Return whether entries the other partner shared are held back from this partner now
    (sharing paused while some exist). Only then does their page say so: a pause with nothing
    to hold back changes nothing on it, so it tells this partner nothing."""
    if sharing_open(partner.couple_id):
        return False
    return (
        DiaryEntry.objects.filter(couple_id=partner.couple_id, shared_at__isnull=False)
        .exclude(author=partner)
        .exists()
    )


def entries_shared_with(partner: Partner) -> QuerySet[DiaryEntry]:
    """Return the other partner's entries shared with this partner, newest first: none while
    sharing is paused, and never one saying "not safe" (the database also refuses to share
    it; the filter keeps a bug's row out of reach too)."""
    if not sharing_open(partner.couple_id):
        return DiaryEntry.objects.none()
    return (
        DiaryEntry.objects.filter(couple_id=partner.couple_id, shared_at__isnull=False)
        .exclude(author=partner)
        .exclude(not_safe_now=True)
    )


# --- Clinicians on the case --------------------------------------------------------------------


def diary_entries_for_clinician(user: User) -> QuerySet[DiaryEntry]:
    """Return every entry, shared or not, of the cases the clinician works on."""
    return DiaryEntry.objects.filter(couple__in=couples_for_clinician(user))


def diary_entries_of_case(user: User, couple: Couple) -> QuerySet[DiaryEntry]:
    """Return the entries of one case the caller already fetched through
    `get_couple_for_clinician`; filtered again, so a couple fetched otherwise yields nothing."""
    return diary_entries_for_clinician(user).filter(couple_id=couple.pk)


def get_diary_entry_of_case(
    user: User, couple_id: uuid.UUID | str, entry_id: uuid.UUID | str
) -> DiaryEntry:
    """Return one entry of the case the URL names, or raise Http404."""
    return get_or_404(
        diary_entries_for_clinician(user).select_related("couple", "author"),
        entry_id,
        couple_id=couple_id,
    )
