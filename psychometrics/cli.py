"""The ``rebond`` command line for scoring: ``score``, ``change`` and ``instruments``.

Exit codes: 0 on success, 2 on bad input (the message goes to stderr and
nothing is printed as a score). Run it as ``python -m psychometrics`` or
through the project's ``rebond`` console script.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from psychometrics.change import ChangeResult, assess_change
from psychometrics.errors import ScoringError
from psychometrics.instruments import REGISTRY, get
from psychometrics.model import ORIGINAL_LANGUAGE, Instrument, Norms, Number, Result
from psychometrics.scoring import score_answers
from psychometrics.wording import (
    availability,
    languages,
    load_translation,
    load_wording,
    wording_dir,
)

__all__ = ["main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rebond", description="Score questionnaires and judge change."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    score = commands.add_parser("score", help="score one administration")
    score.add_argument("instrument", help="instrument code, e.g. PHQ-9")
    score.add_argument(
        "--answers",
        required=True,
        help="comma-separated answers, each a label or a 0-based position; empty = missing",
    )
    score.add_argument("--json", action="store_true", help="print JSON")

    change = commands.add_parser("change", help="judge change between two scores")
    change.add_argument("instrument", help="instrument code, e.g. PHQ-9")
    change.add_argument("--before", type=float, required=True, help="earlier score")
    change.add_argument("--after", type=float, required=True, help="later score")
    change.add_argument("--scale", help="scale code (default: the total)")
    change.add_argument("--sd", type=float, help="local norms: SD of your pre-treatment sample")
    change.add_argument("--reliability", type=float, help="local norms: reliability (0-1)")
    change.add_argument("--norms-source", default="local norms supplied by the clinic")
    change.add_argument("--cutoff", type=float, help="local clinical cut-off")
    change.add_argument("--json", action="store_true", help="print JSON")

    instruments = commands.add_parser("instruments", help="list instruments")
    instruments.add_argument("--json", action="store_true", help="print JSON")
    actions = instruments.add_subparsers(dest="action")
    load = actions.add_parser("load-wording", help="load licensed wording from a JSON file")
    load.add_argument(
        "--language",
        default=ORIGINAL_LANGUAGE,
        help="language of the wording, e.g. es for a licensed translation (default: en)",
    )
    load.add_argument("file", type=Path)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exit_:
        return EXIT_OK if exit_.code in (0, None) else EXIT_BAD_INPUT
    try:
        if args.command == "score":
            return _score(args, sys.stdout)
        if args.command == "change":
            return _change(args, sys.stdout)
        if args.action == "load-wording":
            return _load_wording(args, sys.stdout)
        return _instruments(args, sys.stdout)
    except ScoringError as error:
        print(f"rebond: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _score(args: argparse.Namespace, out: TextIO) -> int:
    instrument = get(args.instrument)
    answers = str(args.answers).split(",")
    result = score_answers(instrument, answers)
    if args.json:
        print(json.dumps(result_json(instrument, result), ensure_ascii=False), file=out)
    else:
        _print_result(instrument, result, out)
    return EXIT_OK


def result_json(instrument: Instrument, result: Result) -> dict[str, Any]:
    """Return the JSON shape of a result, as ``rebond score --json`` prints it."""
    low, high = (
        (None, None) if instrument.primary is None else instrument.score_range(instrument.primary)
    )
    return {
        "instrument": instrument.code,
        "name": instrument.name,
        "version": instrument.version,
        "total": result.total,
        "min": low,
        "max": high,
        "subscales": {
            code: value for code, value in result.scores.items() if code != instrument.primary
        },
        "band": result.band,
        "flags": [
            {"code": flag.code, "risk": flag.risk, "message": flag.message} for flag in result.flags
        ],
        "complete": result.complete,
        "missing_items": list(result.missing),
        "prorated": list(result.prorated),
        "interpretation": instrument.interpretation,
        "values": list(result.values),
    }


def _fmt(value: Number | None) -> str:
    if value is None:
        return "incomplete"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    return f"{value:g}"


def _print_result(instrument: Instrument, result: Result, out: TextIO) -> None:
    print(f"{instrument.code}: {instrument.name}", file=out)
    for scale in instrument.scales:
        low, high = instrument.score_range(scale.code)
        value = result.scores[scale.code]
        print(f"  {scale.name}: {_fmt(value)} (range {low:g}-{high:g})", file=out)
    if result.band is not None:
        print(f"  band: {result.band}", file=out)
    if not result.complete:
        missing = ", ".join(str(number) for number in result.missing)
        print(f"  incomplete: item(s) {missing} unanswered", file=out)
    for flag in result.flags:
        print(f"  {'RISK' if flag.risk else 'NOTE'} {flag.code}: {flag.message}", file=out)


def _change(args: argparse.Namespace, out: TextIO) -> int:
    instrument = get(args.instrument)
    norms = None
    if (args.sd is None) != (args.reliability is None):
        print("rebond: give both --sd and --reliability for local norms", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.sd is not None:
        norms = Norms(sd=args.sd, reliability=args.reliability, source=args.norms_source)
    result = assess_change(
        instrument,
        args.before,
        args.after,
        scale=args.scale,
        norms=norms,
        cutoff=args.cutoff,
    )
    if args.json:
        print(json.dumps(change_json(result)), file=out)
    else:
        _print_change(result, out)
    return EXIT_OK


def change_json(result: ChangeResult) -> dict[str, Any]:
    """Return the JSON shape of a change result, as ``rebond change --json`` prints it."""
    return {
        "instrument": result.instrument,
        "scale": result.scale,
        "before": result.before,
        "after": result.after,
        "difference": result.difference,
        "rci": result.rci,
        "category": str(result.category),
        "reliable": result.is_reliable,
        "direction": result.direction,
        "method": result.method,
        "reliable_change": result.reliable_change,
        "threshold_source": result.threshold_source,
        "sdiff": result.sdiff,
        "sd": result.sd,
        "reliability": result.reliability,
        "reliability_kind": result.reliability_kind,
        "norms_source": result.norms_source,
        "cutoff": result.cutoff,
        "crossed_cutoff": result.crossed_cutoff,
        "cutoff_source": result.cutoff_source,
        "higher_is_better": result.higher_is_better,
    }


def _print_change(result: ChangeResult, out: TextIO) -> None:
    print(
        f"{result.instrument} {result.scale}: {result.before:g} -> {result.after:g} "
        f"({result.difference:+g}): {result.category}",
        file=out,
    )
    if result.rci is not None:
        print(
            f"  RCI {result.rci:.2f} (SD {result.sd:g}, r {result.reliability:g}; "
            f"{result.norms_source})",
            file=out,
        )
    reliable = "reliable" if result.is_reliable else "not reliable"
    print(
        f"  {reliable}: threshold {result.reliable_change:.2f} points ({result.threshold_source})",
        file=out,
    )
    if result.cutoff is not None:
        print(
            f"  cut-off {result.cutoff:g} ({result.cutoff_source}); crossed: "
            f"{'yes' if result.crossed_cutoff else 'no'}",
            file=out,
        )


def _instruments(args: argparse.Namespace, out: TextIO) -> int:
    directory = wording_dir()
    rows: list[dict[str, Any]] = []
    for instrument in REGISTRY.values():
        state = availability(instrument, directory)
        rows.append(
            {
                "code": instrument.code,
                "name": instrument.name,
                "items": len(instrument.items),
                "licence_status": str(instrument.licence.status),
                "wording_ships": instrument.licence.wording_ships,
                "wording": state.wording,
                "available": state.available,
                "reason": state.reason,
                "languages": list(languages(instrument, directory)),
            }
        )
    if args.json:
        print(json.dumps(rows, ensure_ascii=False), file=out)
        return EXIT_OK
    for row in rows:
        status = "available" if row["available"] else f"unavailable: {row['reason']}"
        worded = f" (languages: {', '.join(row['languages'])})" if row["languages"] else ""
        print(
            f"{row['code']:<8} {row['items']:>3} items  {row['licence_status']:<12} "
            f"wording {row['wording']:<20} {row['name']} [{status}]{worded}",
            file=out,
        )
    return EXIT_OK


def _load_wording(args: argparse.Namespace, out: TextIO) -> int:
    if args.language != ORIGINAL_LANGUAGE:
        instrument, translation, path = load_translation(
            args.file, wording_dir(), str(args.language)
        )
        print(
            f"loaded {instrument.code} wording in {translation.language} "
            f"({len(translation.texts)} items) into {path}",
            file=out,
        )
        return EXIT_OK
    wording, stored = load_wording(args.file, wording_dir())
    print(
        f"loaded {wording.instrument} wording ({len(wording.texts)} items) into {stored}", file=out
    )
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
