"""Find text in templates that is not marked for translation, and read the shipped catalogues.

`makemessages` only collects what is marked; it says nothing of the words left out. This module
reads every template the way a translator would meet it: template tags and variables become a
neutral mark, the content of `{% translate %}` / `{% blocktranslate %}` and of comments drops
out, and what is left is parsed as HTML. Any visible text, or user-facing attribute (a label
for assistive technology, a tooltip, a placeholder), still holding a letter is an unmarked
string. Inline scripts and styles are skipped: Rebond has none, and JavaScript takes its words
from the JavaScript catalogue.

Words that are the same in every language are listed in `SAME_IN_EVERY_LANGUAGE`: product and
instrument names, not sentences.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

from rebond.lib.catalogues import ROOT

TEMPLATE_DIRS = sorted(p for p in (ROOT / "rebond").rglob("templates") if p.is_dir())

# A neutral mark for whatever a template tag or variable puts in the page.
MARK = "\x00"
# Attributes a person reads or hears (WCAG's accessible name and description, tooltips, hints).
READ_ATTRIBUTES = frozenset(
    {"alt", "title", "placeholder", "aria-label", "aria-description", "aria-roledescription"}
)
# Names, codes and symbols that no language translates.
SAME_IN_EVERY_LANGUAGE = frozenset(
    {
        "Rebond",
        "FHIR",
        "CSV",
        "PDF",
        "JSON",
        "PHQ-9",
        "GAD-7",
        "ASQ",
        "RCI",
        "EFT",
        "AIRM",
        "TOTP",
        "OK",
    }
)
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
TRANSLATE_BLOCKS = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}
SKIPPED_BLOCKS = {"comment": "endcomment", "verbatim": "endverbatim", **TRANSLATE_BLOCKS}
# Template blocks that hold no text a person reads: base.html's `<body class>`, and the
# `<style>` of pdf/base.html.
NOT_TEXT_BLOCKS = frozenset({"body_class", "style"})


@dataclass(frozen=True, slots=True)
class Unmarked:
    """One piece of text a translator would never see."""

    template: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.template}:{self.line}: {self.text!r}"


def _neutral_source(source: str) -> str:
    """Return the template with tags and variables replaced by MARK, line breaks kept."""
    out: list[str] = []
    closing: str | None = None
    for token in Lexer(source).tokenize():
        # Only text spans lines (a tag or variable is on one line); keep them for line numbers.
        newlines = "\n" * token.contents.count("\n")
        if closing is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[:1] == [closing]:
                closing = None
            out.append(MARK + newlines)
            continue
        if token.token_type == TokenType.TEXT:
            out.append(token.contents)
        elif token.token_type == TokenType.BLOCK:
            words = token.contents.split()
            name = words[0] if words else ""
            closing = SKIPPED_BLOCKS.get(name)
            if name == "block" and words[1:2] and words[1] in NOT_TEXT_BLOCKS:
                closing = "endblock"
            out.append(MARK + newlines)
        else:  # a variable or a comment
            out.append(MARK + newlines)
    return "".join(out)


def _needs_translation(text: str) -> bool:
    words = text.replace(MARK, " ")
    for name in SAME_IN_EVERY_LANGUAGE:
        words = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", words)
    return bool(LETTER.search(words))


class _TextFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip_depth += 1
        line = self.getpos()[0]
        kind = dict(attrs).get("type")
        for name, value in attrs:
            if value is None:
                continue
            read = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and kind in ("submit", "button", "reset")
            )
            if read and _needs_translation(value):
                self.found.append((line, f"{name}={value.replace(MARK, '…')}"))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in ("script", "style"):
            self._skip_depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip_depth and _needs_translation(data):
            self.found.append((self.getpos()[0], " ".join(data.replace(MARK, "…").split())))


def unmarked_in(path: Path) -> list[Unmarked]:
    """Return the text of one template that is not marked for translation."""
    source = path.read_text(encoding="utf-8")
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    neutral = _neutral_source(source)
    if path.suffix != ".html":  # plain-text templates (e-mails): every word is text
        return [
            Unmarked(name, number, " ".join(line.replace(MARK, "…").split()))
            for number, line in enumerate(neutral.splitlines(), start=1)
            if _needs_translation(line)
        ]
    finder = _TextFinder()
    finder.feed(neutral)
    finder.close()
    return [Unmarked(name, line, text) for line, text in finder.found]


def templates() -> Iterator[Path]:
    """Yield every template Rebond renders (HTML pages, PDFs, plain-text messages)."""
    for directory in TEMPLATE_DIRS:
        for path in sorted(directory.rglob("*")):
            if path.is_file() and path.suffix in (".html", ".txt"):
                yield path


def unmarked_strings() -> list[Unmarked]:
    """Return every unmarked string in every template."""
    return [found for path in templates() for found in unmarked_in(path)]


def gettext_tool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run one of GNU gettext's tools and return what it printed."""
    return subprocess.run(args, capture_output=True, text=True, check=False)
