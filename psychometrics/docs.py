"""Generate ``docs/instruments.md`` from the instrument definitions.

Run ``python -m psychometrics.docs > docs/instruments.md``; a test checks the
committed file equals this output, so the document never drifts from the code.
"""

from __future__ import annotations

import inspect
import sys
from types import ModuleType

from psychometrics.instruments import MODULES
from psychometrics.model import Instrument, Method

__all__ = ["main", "render", "render_instrument"]

HEADER = """\
# Instruments

Generated from `psychometrics/instruments/` by `python -m psychometrics.docs`; do not edit by
hand. Each section gives the source, version, scoring key, cut-offs, change rules, norms and
licence of one instrument, as the code scores it. Instruments whose key could not be verified
against a primary source are defined but kept out of the default catalogue; the reason is given.

Answers are stored as each option's scored value (the "value" below), never as a screen
position. Reverse keying is already part of those values.

## Languages

An instrument's own wording is its published English form. A partner answers in their own
language only when the instrument has wording in it: Rebond refuses to schedule it otherwise,
and records with each check-in the language it was given in. Scoring never depends on the
language: a translation's answer labels are positional (the first label is the key's first
option, with its scored value, and so on).

Rebond ships only published translations whose licence allows it; each is listed under
"Translations" below with its source and licence. At present these are the Spanish PHQ-9 and
GAD-7. Their text could not be checked against the phqscreeners.com PDF when it was added:
compare it with that PDF before clinical use.

A clinic that holds a licence for another translation loads it per language:

    rebond instruments load-wording --language es FILE

The file is the wording file described in `psychometrics/wording.py` (instrument, licence,
optional source, version and instructions, and per item its number, text and options), with
each item's options translated: as many labels as the key has, in the key's printed order
(they are matched by position, not by their words). It is stored in the wording directory
under the language's code (`$REBOND_WORDING_DIR/es/`); `rebond instruments` lists the
languages each instrument has wording in. English wording of a scoring-only instrument is
loaded without `--language`, and its options must then be the key's own labels. A shipped
translation is never replaced.
"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_instrument(instrument: Instrument, module: ModuleType | None = None) -> str:
    """Return the Markdown section of one instrument."""
    lines = [f"## {instrument.code}: {instrument.name}", ""]
    status = "in the default catalogue" if instrument.is_available else "NOT in the catalogue"
    if instrument.unverified is not None:
        status += f": {instrument.unverified}"
    licence = instrument.licence
    lines += [
        f"- Catalogue: {status}",
        f"- Version: {instrument.version}",
        f"- Citation: {instrument.citation}",
        f"- Scoring key checked against: {instrument.key_source}",
        f"- Licence status: {licence.status}; wording ships: "
        f"{'yes' if licence.wording_ships else 'no (clinic loads licensed wording)'}",
        f"- Licence terms: {licence.terms}",
        f"- Attribution: {licence.attribution}",
        f"- Reports: {instrument.interpretation}",
    ]
    if instrument.time_frame:
        lines.append(f"- Time frame: {instrument.time_frame}")
    lines += ["", "| Item | Topic | Options in printed order (label = value) | Reversed |"]
    lines.append("| --- | --- | --- | --- |")
    for item in instrument.items:
        choices = "; ".join(f"{option.label} = {option.value}" for option in item.options)
        extra = " (asked only when needed)" if item.conditional else ""
        reverse = "yes" if item.reverse else ""
        lines.append(
            f"| {item.number} | {_cell(item.topic)}{extra} | {_cell(choices)} | {reverse} |"
        )
    lines += [
        "",
        "| Scale | Items | Score | Range | Missing items |",
        "| --- | --- | --- | --- | --- |",
    ]
    for scale in instrument.scales:
        low, high = instrument.score_range(scale.code)
        how = "mean" if scale.method is Method.MEAN else "sum"
        if scale.multiplier != 1:
            how += f" x {scale.multiplier}"
        direction = "higher is better" if scale.higher_is_better else "higher is worse"
        items = ", ".join(str(number) for number in scale.items)
        primary = " (total)" if scale.code == instrument.primary else ""
        lines.append(
            f"| {scale.name}{primary} | {items} | {how}; {direction} | {low:g}-{high:g} | "
            f"{_cell(scale.missing.source)} |"
        )
    if instrument.bands:
        lines += ["", "Bands and screening outcomes (the first that applies):", ""]
        lines += [f"- {band.label}: {band.when.describe()}" for band in instrument.bands]
    if instrument.flags:
        lines += ["", "Flags (raised whatever the total):", ""]
        for rule in instrument.flags:
            kind = "risk" if rule.flag.risk else "note"
            lines.append(f"- `{rule.flag.code}` ({kind}) when {rule.when.describe()}")
    lines += ["", "Change:", ""]
    if not instrument.change:
        lines.append("- No published threshold, cut-off or norms: supply local norms.")
    for change in instrument.change:
        if change.reliable_change is not None:
            lines.append(
                f"- {change.scale}: reliable change >= {change.reliable_change:g} points "
                f"({change.reliable_change_source})"
            )
        if change.norms is not None:
            norms = change.norms
            lines.append(
                f"- {change.scale}: norms SD {norms.sd:g}, {norms.reliability_kind} "
                f"{norms.reliability:g} ({norms.source})"
            )
        if change.cutoff is not None:
            lines.append(
                f"- {change.scale}: clinical cut-off {change.cutoff:g} ({change.cutoff_source})"
            )
        if change.reliable_change is None and change.norms is None:
            lines.append(
                f"- {change.scale}: no published reliable-change figure: supply local norms"
            )
    if instrument.notes:
        lines += ["", "Notes:", ""]
        lines += [f"- {note}" for note in instrument.notes]
    if instrument.translations:
        lines += ["", "Translations (shipped; answer labels by position, scored as above):", ""]
        for translation in instrument.translations:
            labels = "; ".join(
                f"{label} = {option.value}"
                for label, option in zip(
                    translation.labels[0], instrument.items[0].options, strict=True
                )
            )
            lines.append(f"- `{translation.language}`: {translation.version or ''}".rstrip())
            lines.append(f"  - Source: {translation.source}")
            lines.append(f"  - Licence: {translation.licence}")
            every = all(labels == translation.labels[0] for labels in translation.labels)
            lines.append(f"  - {'Options of every item' if every else 'Item 1 options'}: {labels}")
            lines += [f"  - {note}" for note in translation.notes]
    if module is not None and module.__doc__:
        lines += ["", "Source notes (from the module):", "", "```text"]
        lines += inspect.cleandoc(module.__doc__).splitlines()
        lines.append("```")
    return "\n".join(lines) + "\n"


def render() -> str:
    """Return the whole of ``docs/instruments.md``."""
    sections = [HEADER]
    sections += [render_instrument(module.INSTRUMENT, module) for module in MODULES]
    return "\n".join(sections)


def main() -> int:
    """Print the document to standard output."""
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
