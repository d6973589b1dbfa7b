"""`rebond audit verify` and `rebond audit anchor`: check every audit hash chain (one per
clinic, one of no clinic), and write their signed heads off the database
(rebond/audit/anchor.py).

`verify` exits 0 when every chain is intact and agrees with every anchor, 1 when any does not,
and reports each chain. `anchor` verifies first and refuses to anchor a broken trail (exit 1).
Reports name chains by clinic id and entries by id, sequence number and action only, never by
their contents.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rebond.audit import anchor as anchors
from rebond.audit.chain import Report, Verdict, verify


class Command(BaseCommand):
    help = (
        "Audit trail tools. `verify` checks that no entry was edited, deleted or reordered;"
        " `anchor` writes the signed chain heads to the anchor file and/or the safety leads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(
            dest="subcommand", required=True, metavar="{verify,anchor}"
        )
        check = subcommands.add_parser(
            "verify", help="Recompute the hash chain; exit 1 at the first broken link."
        )
        check.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="LINE",
            help="An anchor line (e.g. from an anchor e-mail) the chain must still contain.",
        )
        write = subcommands.add_parser(
            "anchor", help="Verify, then append the signed chain head to the anchor file."
        )
        write.add_argument(
            "--email",
            action="store_true",
            help="Also e-mail the anchor to every clinic's safety leads.",
        )
        for subcommand in (check, write):
            subcommand.add_argument("--database", default="default", help="Database alias.")
            subcommand.add_argument(
                "--file",
                default=settings.AUDIT_ANCHOR_FILE,
                help="The append-only anchor file (default: AUDIT_ANCHOR_FILE).",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"]) if options["file"] else None
        try:
            known = anchors.read_file(path) if path else []
            known += [anchors.parse(line) for line in options.get("anchor", [])]
        except anchors.AnchorError as exc:
            raise CommandError(f"Audit anchor refused: {exc}.", returncode=1) from exc
        started = time.perf_counter()
        report = verify(options["database"], anchors=known)
        elapsed = f"{(time.perf_counter() - started) * 1000:.0f} ms"
        if not report.intact:
            intact = len(report.chains) - len(report.broken)
            raise CommandError(
                "\n".join(
                    f"Audit chain broken ({v.label}): {v.problem}."
                    f" {v.checked} of {v.total} entries checked before it."
                    for v in report.broken
                )
                + f"\n{intact} of {len(report.chains)} chains intact.",
                returncode=1,
            )
        if options["subcommand"] == "anchor":
            self._anchor(options["database"], path, email=options["email"])
            return
        self.stdout.write(self._summary(report, elapsed, path))
        for verdict in report.chains:
            self.stdout.write(
                f"  {verdict.label}: {verdict.checked} entries; {self._compared(verdict)}"
            )

    def _summary(self, report: Report, elapsed: str, path: Path | None) -> str:
        summary = (
            f"Audit chains intact: {len(report.chains)} chains, {report.checked} entries checked"
            f" in {elapsed}"
        )
        if any(verdict.anchor is not None for verdict in report.chains):
            return summary + "; each anchored chain holds its latest anchor."
        if path is None:
            return (
                summary + "; not compared with an anchor (set AUDIT_ANCHOR_FILE, docs/deploy.md)."
            )
        return summary + f"; not compared with an anchor: {path} holds none yet."

    def _compared(self, verdict: Verdict) -> str:
        if verdict.anchor is None:
            return "no anchor."
        return (
            f"holds its latest anchor ({verdict.anchor.at_text},"
            f" sequence {verdict.anchor.sequence})."
        )

    def _anchor(self, using: str, path: Path | None, *, email: bool) -> None:
        addresses = anchors.safety_lead_addresses() if email else []
        if path is None and not email:
            raise CommandError(
                "Nowhere to write the anchor: set AUDIT_ANCHOR_FILE, or give --file or --email."
            )
        if email and not addresses:
            raise CommandError("No active safety lead to e-mail the anchor to.")
        heads = anchors.current(using)
        if path is not None:
            anchors.append(path, heads)
            self.stdout.write(f"Anchored the heads of {len(heads)} chains in {path}.")
        if email:
            sent = anchors.email(heads, addresses)
            self.stdout.write(
                f"Anchored the heads of {len(heads)} chains: e-mailed {sent} safety leads."
            )
