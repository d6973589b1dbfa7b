"""`rebond audit verify` and `rebond audit anchor`: check the audit hash chain, and write its
signed head off the database (rebond/audit/anchor.py).

`verify` exits 0 when the chain is intact and agrees with every anchor, 1 when it does not.
`anchor` verifies first and refuses to anchor a broken chain (exit 1). Reports name entries
by id, sequence number and action only, never by their contents.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from rebond.audit import anchor as anchors
from rebond.audit.chain import Verdict, verify


class Command(BaseCommand):
    help = (
        "Audit trail tools. `verify` checks that no entry was edited, deleted or reordered;"
        " `anchor` writes the signed chain head to the anchor file and/or the safety leads."
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
        verdict = verify(options["database"], anchors=known)
        elapsed = f"{(time.perf_counter() - started) * 1000:.0f} ms"
        if not verdict.intact:
            raise CommandError(
                f"Audit chain broken: {verdict.problem}."
                f" {verdict.checked} of {verdict.total} entries checked before it.",
                returncode=1,
            )
        if options["subcommand"] == "anchor":
            self._anchor(options["database"], path, email=options["email"])
            return
        self.stdout.write(
            f"Audit chain intact: {verdict.checked} entries checked in {elapsed}; "
            + self._compared(verdict, path)
        )

    def _compared(self, verdict: Verdict, path: Path | None) -> str:
        if verdict.anchor is not None:
            return (
                f"it holds the latest anchor ({verdict.anchor.at_text},"
                f" sequence {verdict.anchor.sequence})."
            )
        if path is None:
            return "not compared with an anchor (set AUDIT_ANCHOR_FILE, docs/deploy.md)."
        return f"not compared with an anchor: {path} holds none yet."

    def _anchor(self, using: str, path: Path | None, *, email: bool) -> None:
        addresses = anchors.safety_lead_addresses() if email else []
        if path is None and not email:
            raise CommandError(
                "Nowhere to write the anchor: set AUDIT_ANCHOR_FILE, or give --file or --email."
            )
        if email and not addresses:
            raise CommandError("No active safety lead to e-mail the anchor to.")
        anchor = anchors.current(using)
        if path is not None:
            anchors.append(path, anchor)
            self.stdout.write(f"Anchored sequence {anchor.sequence} in {path}.")
        if email:
            sent = anchors.email(anchor, addresses)
            self.stdout.write(f"Anchored sequence {anchor.sequence}: e-mailed {sent} safety leads.")
