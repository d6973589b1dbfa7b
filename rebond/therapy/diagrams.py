"""Server-rendered SVG: the couple's cycle map and the case timeline.

No inline `style` attribute anywhere (the Content-Security-Policy forbids it): shapes carry
classes styled by therapy/therapy.css, and presentation attributes (fill, stroke) only where a
class cannot reach. Every diagram has a text alternative on the page beside it; the SVG itself
is `role="img"` labelled by the page's heading and description.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rebond.couples.models import Partner
from rebond.therapy.models import CycleMap, CyclePosition

# --- The cycle ----------------------------------------------------------------------------------

BOX_WIDTH = 300
WRAP = 38  # characters per line at the diagram's font size


@dataclass(frozen=True)
class CycleSide:
    partner: Partner
    position: CyclePosition | None

    def value(self, name: str) -> str:
        return getattr(self.position, name, "") if self.position else ""

    @property
    def position_label(self) -> str:
        if self.position and self.position.position:
            return self.position.get_position_display()
        return _("Position not clear yet")


def _labelled(label: str, value: str) -> str:
    # Translators: a line of the cycle diagram, e.g. "Fears: being left".
    return _("%(label)s: %(value)s") % {"label": label, "value": value}


def _lines(x: int, y: int, text: str, css: str, width: int = WRAP) -> tuple[list[str], int]:
    """Return <text> elements for a wrapped text and the y below it."""
    parts: list[str] = []
    for line in textwrap.wrap(text, width) or [""]:
        parts.append(format_html('<text x="{}" y="{}" class="{}">{}</text>', x, y, css, line))
        y += 18
    return parts, y


def _side(x: int, side: CycleSide) -> list[str]:
    parts: list[str] = [
        format_html(
            '<rect x="{}" y="70" width="{}" height="120" rx="8" class="cycle-box"/>', x, BOX_WIDTH
        ),
        format_html(
            '<rect x="{}" y="230" width="{}" height="170" rx="8" '
            'class="cycle-box cycle-box--deep"/>',
            x,
            BOX_WIDTH,
        ),
    ]
    tx = x + 14
    heading, y = _lines(
        tx, 94, f"{side.partner.display_name} · {side.position_label}", "cycle-name", 32
    )
    parts += heading
    for label, name in ((_("Does"), "action"), (_("Feels on the surface"), "reactive_emotion")):
        text, y = _lines(tx, y + 4, _labelled(label, side.value(name) or "—"), "cycle-text")
        parts += text
    y = 254
    for label, name in (
        (_("Underneath"), "primary_emotion"),
        (_("Fears"), "attachment_fear"),
        (_("Needs"), "need"),
    ):
        text, y = _lines(tx, y, _labelled(label, side.value(name) or "—"), "cycle-text")
        parts += text
        y += 8
    return parts


def cycle_svg(
    cycle: CycleMap | None, sides: list[CycleSide], title_id: str, desc_id: str
) -> SafeString:
    """Return the cycle as an SVG: each partner's surface reaction feeds the other's."""
    pattern = cycle.get_pattern_display() if cycle else CycleMap.Pattern.UNCLEAR.label
    parts = [
        format_html(
            '<svg class="cycle-svg" viewBox="0 0 760 430" role="img" '
            'aria-labelledby="{} {}" xmlns="http://www.w3.org/2000/svg">',
            title_id,
            desc_id,
        ),
        '<defs><marker id="cycle-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" '
        'markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'class="cycle-arrowhead"/></marker></defs>',
        format_html(
            '<text x="380" y="30" text-anchor="middle" class="cycle-title">{}</text>', pattern
        ),
        # The waterline: what each partner shows above it, what they feel beneath it.
        '<line x1="10" y1="210" x2="750" y2="210" class="cycle-waterline"/>',
        format_html(
            '<text x="740" y="205" text-anchor="end" class="cycle-caption">{}</text>',
            _("what shows"),
        ),
        format_html(
            '<text x="740" y="226" text-anchor="end" class="cycle-caption">{}</text>',
            _("what is felt beneath"),
        ),
        # A's reaction triggers B's; B's reaction triggers A's: the loop.
        '<path d="M330,100 C360,60 400,60 430,100" class="cycle-loop" '
        'marker-end="url(#cycle-arrow)"/>',
        '<path d="M430,160 C400,188 360,188 330,160" class="cycle-loop" '
        'marker-end="url(#cycle-arrow)"/>',
        format_html(
            '<text x="380" y="56" text-anchor="middle" class="cycle-caption">{}</text>',
            _("triggers"),
        ),
        format_html(
            '<text x="380" y="136" text-anchor="middle" class="cycle-caption">{}</text>',
            _("triggers"),
        ),
    ]
    for x, side in zip((20, 440), sides, strict=False):
        parts += _side(x, side)
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every value is escaped above


def cycle_text(cycle: CycleMap | None, sides: list[CycleSide]) -> list[str]:
    """Return the text alternative of the diagram, one sentence per line."""
    pattern = cycle.get_pattern_display() if cycle else CycleMap.Pattern.UNCLEAR.label
    lines = [_("Pattern: %(pattern)s.") % {"pattern": pattern}]
    if cycle and cycle.trigger:
        lines.append(_("What sets it off: %(trigger)s.") % {"trigger": cycle.trigger})
    for side in sides:
        unknown = _("not recorded")
        lines.append(
            _(
                "%(name)s · %(position)s. Does: %(action)s. Feels on the surface: %(reactive)s. "
                "Underneath: %(primary)s. Fears: %(fear)s. Needs: %(need)s."
            )
            % {
                "name": side.partner.display_name,
                "position": side.position_label,
                "action": side.value("action") or unknown,
                "reactive": side.value("reactive_emotion") or unknown,
                "primary": side.value("primary_emotion") or unknown,
                "fear": side.value("attachment_fear") or unknown,
                "need": side.value("need") or unknown,
            }
        )
    if len(sides) == 2:
        a, b = (s.partner.display_name for s in sides)
        lines.append(
            _("Each reaction triggers the other's: %(a)s's feeds %(b)s's, and back again.")
            % {"a": a, "b": b}
        )
    return lines


# --- The timeline ----------------------------------------------------------------------------

LANES = ["session", "stage", "airm", "score", "alert"]
LANE_NAMES = {
    "session": gettext_lazy("Sessions"),
    "stage": gettext_lazy("EFT stage"),
    "airm": "AIRM",
    "score": gettext_lazy("Scores"),
    "alert": gettext_lazy("Alerts"),
}
LEFT, RIGHT, TOP, LANE_HEIGHT = 110, 880, 20, 44


@dataclass(frozen=True)
class TimelineEvent:
    """One event of a case's timeline (built by rebond/therapy/timeline.py)."""

    at: datetime
    lane: str
    title: str
    detail: str = ""
    url: str = ""
    mark: str = ""  # Its short name on the progress charts' time axis (case, stage, AIRM).


def timeline_svg(events: list[TimelineEvent], title_id: str, desc_id: str) -> SafeString:
    """Return the events on one time axis, one lane per kind, each dot titled.

    Dates are the active time zone's: the clinic's (rebond/lib/clinic_time.py).
    """
    height = TOP + LANE_HEIGHT * len(LANES) + 40
    parts: list[str] = [
        format_html(
            '<svg class="timeline-svg" viewBox="0 0 900 {}" role="img" aria-labelledby="{} {}" '
            'xmlns="http://www.w3.org/2000/svg">',
            height,
            title_id,
            desc_id,
        )
    ]
    for index, lane in enumerate(LANES):
        y = TOP + LANE_HEIGHT * index + LANE_HEIGHT // 2
        parts.append(
            format_html(
                '<text x="8" y="{}" class="timeline-lane-name">{}</text>'
                '<line x1="{}" y1="{}" x2="{}" y2="{}" class="timeline-lane"/>',
                y + 5,
                LANE_NAMES[lane],
                LEFT,
                y,
                RIGHT,
                y,
            )
        )
    if events:
        start, end = events[0].at, events[-1].at
        span = max((end - start).total_seconds(), 1.0)

        def x_of(at: datetime) -> float:
            return LEFT + (RIGHT - LEFT) * (at - start).total_seconds() / span

        axis_y = TOP + LANE_HEIGHT * len(LANES) + 6
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" class="timeline-axis"/>',
                LEFT,
                axis_y,
                RIGHT,
                axis_y,
            )
        )
        for fraction in (0, 0.25, 0.5, 0.75, 1):
            at = start + (end - start) * fraction
            x = LEFT + (RIGHT - LEFT) * fraction
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="{}" class="timeline-tick">{}</text>',
                    f"{x:.1f}",
                    axis_y + 20,
                    "start" if fraction == 0 else "end" if fraction == 1 else "middle",
                    date_format(localtime(at), "d M Y"),
                )
            )
        for event in events:
            y = TOP + LANE_HEIGHT * LANES.index(event.lane) + LANE_HEIGHT // 2
            parts.append(
                format_html(
                    '<circle cx="{}" cy="{}" r="6" class="timeline-dot timeline-dot--{}">'
                    "<title>{} · {}</title></circle>",
                    f"{x_of(event.at):.1f}",
                    y,
                    event.lane,
                    date_format(localtime(event.at), "d M Y"),
                    event.title,
                )
            )
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every value is escaped above
