"""The caseload query: every active couple with its signal, scores, alerts and overdue check-ins.

A fixed number of queries whatever the caseload's size (pinned in the tests): the couples'
page with their stored track and two counted subqueries, the partners, the co-clinician rows,
and the clinic's check-in settings. Sorting, filtering and paging happen in SQL on the stored
`CoupleTrack`, so a clinic of 2,000 couples answers as fast as one of 20 (bench/caseload.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy

from rebond import access
from rebond.accounts.models import User
from rebond.alerts.models import Alert
from rebond.assessments.models import Administration, ClinicCheckinSettings
from rebond.couples.models import Couple, Partner
from rebond.measurement.stages import stage_labels

PAGE_SIZE = 50

SIGNAL_FILTERS = {
    "worse": gettext_lazy("Reliably worse"),
    "review": gettext_lazy("To review"),
    "not_yet": gettext_lazy("Nothing flagged yet"),
    "improving": gettext_lazy("Both reliably improved"),
    "not_judged": gettext_lazy("Not judged (no reliable-change figure)"),
    "none": gettext_lazy("No outcome scores"),
}
SORTS = {
    "signal": gettext_lazy("Signal (reliably worse, then to review, first)"),
    "label": gettext_lazy("Couple"),
    "stage": gettext_lazy("Stage"),
    "alerts": gettext_lazy("Open alerts"),
    "overdue": gettext_lazy("Overdue check-ins"),
    "opened": gettext_lazy("Opened"),
}


@dataclass(frozen=True)
class Filters:
    sort: str = "signal"
    descending: bool = False
    signal: str = ""
    status: str = ""
    has_alerts: bool = False
    has_overdue: bool = False
    query: str = ""

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> Filters:
        """Return the filters named in a query string; unknown values fall back to defaults."""
        sort = params.get("sort", "signal")
        signal = params.get("signal", "")
        status = params.get("status", "")
        return cls(
            sort=sort if sort in SORTS else "signal",
            descending=params.get("dir") == "desc",
            signal=signal if signal in SIGNAL_FILTERS else "",
            status=status if status in Couple.Status.values else "",
            has_alerts=params.get("alerts") == "1",
            has_overdue=params.get("overdue") == "1",
            query=params.get("q", "").strip()[:120],
        )

    @property
    def is_filtered(self) -> bool:
        return bool(self.signal or self.status or self.has_alerts or self.has_overdue or self.query)


@dataclass(frozen=True)
class PartnerCell:
    name: str
    score: float | None
    category: str
    signal: str


@dataclass(frozen=True)
class CaseloadRow:
    couple: Couple
    role: str
    stage: str
    partners: tuple[PartnerCell, ...]
    open_alerts: int
    overdue: int
    case_url: str
    progress_url: str
    checkins_url: str

    @property
    def signal(self) -> str:
        track = getattr(self.couple, "track", None)
        return track.signal if track is not None else "none"


def overdue_after_days(user: User) -> int:
    """Return after how many days an open check-in counts as overdue: the reminder delay."""
    if user.clinic_id is None:
        return ClinicCheckinSettings.DEFAULT_REMIND_AFTER_DAYS
    settings = ClinicCheckinSettings.objects.filter(clinic_id=user.clinic_id).first()
    if settings is None:
        return ClinicCheckinSettings.DEFAULT_REMIND_AFTER_DAYS
    return settings.remind_after_days


def caseload_queryset(user: User, filters: Filters) -> QuerySet[Couple]:
    """Return the clinician's active couples, annotated, filtered and sorted (not evaluated)."""
    overdue_before = now() - timedelta(days=overdue_after_days(user))
    alerts = (
        Alert.objects.open()
        .filter(couple=OuterRef("pk"), recipients=user)
        .order_by()
        .values("couple")
        .annotate(n=Count("id"))
        .values("n")
    )
    overdue = (
        Administration.objects.open()
        .filter(couple=OuterRef("pk"), due_at__lt=overdue_before)
        .order_by()
        .values("couple")
        .annotate(n=Count("id"))
        .values("n")
    )
    couples = (
        access.couples_for_clinician(user)
        .exclude(status__in=Couple.INACTIVE_STATUSES)
        .select_related("track")
        .annotate(
            open_alerts=Coalesce(Subquery(alerts, output_field=IntegerField()), Value(0)),
            overdue=Coalesce(Subquery(overdue, output_field=IntegerField()), Value(0)),
            signal_rank=Case(
                When(track__signal="worse", then=Value(0)),
                When(track__signal="review", then=Value(1)),
                When(track__signal="not_yet", then=Value(3)),
                When(track__signal="not_judged", then=Value(3)),
                When(track__signal="improving", then=Value(4)),
                default=Value(2),  # no outcome scores yet: just after the flagged couples
                output_field=IntegerField(),
            ),
        )
    )
    if filters.signal == "none":
        couples = couples.filter(track__isnull=True)
    elif filters.signal:
        couples = couples.filter(track__signal=filters.signal)
    if filters.status:
        couples = couples.filter(status=filters.status)
    if filters.has_alerts:
        couples = couples.filter(open_alerts__gt=0)
    if filters.has_overdue:
        couples = couples.filter(overdue__gt=0)
    if filters.query:
        couples = couples.filter(id__in=_ids_matching(couples, filters.query))
    # (field, largest first?) per sort; "dir=desc" turns every key of the sort around. Labels
    # are encrypted at rest, so ties break on the opening date and the label sort is done in
    # Python (caseload_page).
    keys = {
        "signal": [("signal_rank", False), ("opened_at", False)],
        "label": [("opened_at", False)],
        "stage": [("status", False), ("opened_at", False)],
        "alerts": [("open_alerts", True), ("opened_at", False)],
        "overdue": [("overdue", True), ("opened_at", False)],
        "opened": [("opened_at", False)],
    }[filters.sort]
    order = [
        F(name).desc() if largest_first != filters.descending else F(name).asc()
        for name, largest_first in keys
    ]
    return couples.order_by(*order, "id")


def _ids_matching(couples: QuerySet[Couple], query: str) -> list[uuid.UUID]:
    """Return the ids of the couples whose label or a partner's name contains `query`.

    Names are encrypted at rest (rebond/crypto), so they are matched here after decryption,
    over the clinician's own couples only, rather than in SQL.
    """
    wanted = query.casefold()
    candidates = {
        c.id: c.label for c in couples.order_by().select_related(None).only("id", "label")
    }
    names: dict[uuid.UUID, list[str]] = {i: [] for i in candidates}
    for partner in Partner.objects.filter(couple_id__in=list(candidates)).only(
        "couple_id", "display_name"
    ):
        names[partner.couple_id].append(partner.display_name)
    return [
        i
        for i, label in candidates.items()
        if wanted in label.casefold() or any(wanted in n.casefold() for n in names[i])
    ]


def _url_maker(name: str) -> Callable[[uuid.UUID], str]:
    """Return a maker of `name`'s URL for a couple: reversed once, not once per row."""
    placeholder = uuid.UUID(int=0)
    pattern = reverse(name, args=[placeholder]).replace(str(placeholder), "{}")
    return pattern.format


ROLE_LABELS = {
    access.TeamRole.PRIMARY: gettext_lazy("Primary clinician"),
    access.TeamRole.CO_THERAPIST: gettext_lazy("Co-clinician"),
    access.TeamRole.SUPERVISOR: gettext_lazy("Supervisor"),
}


def _role_label(roles: Mapping[uuid.UUID, access.TeamRole], couple: Couple) -> str:
    # A case reached through an emergency grant has no team role: the caseload has always
    # shown it as "Supervisor" (kept as it was by the refactor of issue 22).
    return str(ROLE_LABELS[roles.get(couple.id, access.TeamRole.SUPERVISOR)])


def caseload_page(
    user: User, filters: Filters, page_number: str | int | None
) -> tuple[Page[uuid.UUID], list[CaseloadRow]]:
    """Return one page of the caseload and its rows.

    Two steps: the page's ids, in order (the counts are computed for every couple only when
    the sort or a filter needs them), then those couples with their counts (fifty rows).
    """
    queryset = caseload_queryset(user, filters)
    ordered: Any = queryset.values_list("id", flat=True)
    if filters.sort == "label":
        # Labels are encrypted at rest: decrypted and sorted here.
        labelled = sorted(
            (
                (c.label.casefold(), c.id)
                for c in queryset.order_by().select_related(None).only("id", "label")
            ),
            reverse=filters.descending,
        )
        ordered = [i for _, i in labelled]
    paginator = Paginator(ordered, PAGE_SIZE)
    page = paginator.get_page(page_number)
    ids = list(page.object_list)
    by_id = {c.id: c for c in queryset.filter(id__in=ids).order_by()}
    couples = [by_id[i] for i in ids if i in by_id]
    partners: dict[uuid.UUID, list[Partner]] = {c.id: [] for c in couples}
    for partner in Partner.objects.filter(couple_id__in=ids).order_by("role"):
        partners[partner.couple_id].append(partner)
    roles = access.roles_on_cases(user, couples)
    stages = stage_labels(couples)
    case_url, progress_url = _url_maker("case"), _url_maker("couple_progress")
    checkins_url = _url_maker("case_checkins")
    rows = []
    for couple in couples:
        track = getattr(couple, "track", None)
        cells = []
        for partner in partners[couple.id]:
            if track is None:
                cells.append(PartnerCell(partner.display_name, None, "", "none"))
                continue
            is_a = partner.role == Partner.Role.A
            cells.append(
                PartnerCell(
                    partner.display_name,
                    track.a_score if is_a else track.b_score,
                    track.a_category if is_a else track.b_category,
                    track.a_signal if is_a else track.b_signal,
                )
            )
        rows.append(
            CaseloadRow(
                couple,
                _role_label(roles, couple),
                stages.get(couple.id, ""),
                tuple(cells),
                couple.open_alerts,  # type: ignore[attr-defined]
                couple.overdue,  # type: ignore[attr-defined]
                case_url(couple.id),
                progress_url(couple.id),
                checkins_url(couple.id),
            )
        )
    return page, rows
