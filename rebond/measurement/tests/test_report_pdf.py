"""The PDF reports are tagged and accessible, and their text wraps inside the page.

No PDF/UA checker from the package registries reached here runs a full check (veraPDF is
Java and not among them; PyPI's `pdfua` 0.1.3 checks 15% of the rules, crashes on one of
them with the current pikepdf and misreads WeasyPrint's table headers), so these tests read
the tag tree itself with pypdf: what PDF/UA-1 asks of the file, the headings in the order of
the report's sections, a data-built alternative text on every figure, header cells on every
table. Wrapping is measured: each text run's width from the embedded font's own advances.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.timezone import now
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # matplotlib's dependency

from rebond.accounts.models import User
from rebond.couples.models import Couple
from rebond.lib.pdf import FONT_FILES
from rebond.measurement import progress, reports
from rebond.measurement.tests.helpers import submit_csi4_series
from rebond.test import make_couple, sign_in
from rebond.tests.pdf import catalog, reader, runs, structure, text_of

pytestmark = pytest.mark.django_db

A4_WIDTH = 595.276  # points
MARGIN = 16 / 25.4 * 72  # the side margins of pdf/base.html, in points


@pytest.fixture
def couple(alice: User) -> Couple:
    couple = make_couple(alice, "Tagged couple", partners=("Noor", "Theo"))
    submit_csi4_series(alice, couple, [6, 9, 12], [8, 8, 11])
    return couple


def test_the_progress_report_is_tagged_pdf_ua_with_its_sections_in_order(
    client: Client, alice: User, couple: Couple
) -> None:
    sign_in(client, alice)
    body = client.get(reverse("progress_report", args=[couple.id])).content
    document = reader(body)
    root: Any = catalog(document)  # pypdf types a dictionary's values as bare PdfObject
    assert root["/MarkInfo"]["/Marked"].value is True
    assert str(root["/Lang"]) == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert document.metadata is not None
    assert document.metadata.title == "Progress report: Tagged couple"
    xmp: Any = root["/Metadata"].get_object()
    assert b"pdfuaid:part" in xmp.get_data()  # the file says it is PDF/UA-1

    tree = structure(body)
    headings = [(e.role, text_of(body, e)) for e in tree.walk() if e.role in ("H1", "H2", "H3")]
    assert headings == [
        ("H1", "Progress report: Tagged couple"),
        ("H2", "Signal on CSI-4: Not judged"),
        ("H2", "Latest scores"),
        ("H2", "How the signal is computed"),
        ("H2", "Charts"),
    ]
    figures = [e for e in tree.walk() if e.role == "Figure"]
    assert len(figures) == 1
    # The alternative text is the chart's data in words, not a generic "chart".
    assert str(figures[0].obj["/Alt"]) == (
        "CSI-4: Relationship satisfaction: line chart of Relationship satisfaction (higher is "
        "better) by check-in. Noor, at check-in 0, 1, 2: 6, 9, 12. Theo, at check-in 0, 1, 2: "
        "8, 8, 11. Clinical cut-off 13.5 (higher is better)."
    )
    tables = [e for e in tree.walk() if e.role == "Table"]
    assert len(tables) == 1  # latest scores (no case events yet)
    for table in tables:
        header_ids = {str(e.obj["/ID"]) for e in table.walk() if e.role == "TH"}
        assert header_ids
        for cell in (e for e in table.walk() if e.role == "TD"):
            # Every data cell names its header cells (PDF/UA 7.5: /Headers and /ID).
            attributes: Any = cell.obj["/A"]
            assert attributes["/Headers"]
            assert {str(h) for h in attributes["/Headers"]} <= header_ids
    latest = text_of(body, tables[0])
    assert "Measure Noor Theo Note" in latest
    assert "CSI-4 12 (" in latest


def test_the_partners_summary_is_tagged_and_says_what_its_chart_shows(
    client: Client, alice: User, couple: Couple
) -> None:
    noor = couple.partners.get(role="A")
    sign_in(client, alice)
    body = client.get(reverse("client_report", args=[couple.id, noor.id])).content
    tree = structure(body)
    assert [(e.role, text_of(body, e)) for e in tree.walk() if e.role in ("H1", "H2")] == [
        ("H1", "Your check-ins: Noor"),
        ("H2", "Your scores"),
        ("H2", "Your charts"),
    ]
    [chart] = [e for e in tree.walk() if e.role == "Figure"]
    alt = str(chart.obj["/Alt"])
    assert "You, at check-in 1, 2, 3: 6, 9, 12." in alt
    assert "Theo" not in alt  # only what Noor may see
    assert "8, 8, 11" not in alt
    metadata = reader(body).metadata
    assert metadata is not None
    assert metadata.title == "Your check-ins: Noor"


def _width(run_text: str, scale: float, bold: bool) -> float:
    """Return a run's width in points, from the bundled font's own glyph advances."""
    font = TTFont(FONT_FILES["bold" if bold else "regular"])
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    units = sum(metrics[cmap[ord(c)]][0] for c in run_text if ord(c) in cmap)
    return float(units / font["head"].unitsPerEm * scale)


def test_a_long_line_and_an_unbroken_word_wrap_inside_the_page(alice: User) -> None:
    word = "W" * 120  # a label typed without a space, as long as the field allows
    couple = make_couple(alice, word, partners=("Noor", "Theo"))
    submit_csi4_series(alice, couple, [6, 9], [8, 8])
    line = " ".join(["A long note of several words."] * 10)  # 300 characters
    assert len(line) == 299
    state = dataclasses.replace(progress.load(couple), split_alliance=line)
    body = reports.clinician_report(state, word, now())  # the author's name: the same word
    shown = runs(body)
    relevant = [r for r in shown if "WWW" in r.text or "several" in r.text]
    assert relevant
    for run in relevant:
        right = run.x + _width(run.text, run.scale, run.bold)
        assert run.x >= MARGIN - 1, run.text
        assert right <= A4_WIDTH - MARGIN + 1, (run.text, right)
    # Nothing was cut: the whole word and the whole line are there, wrapped over lines.
    assert sum(r.text.count("W") for r in shown) == 2 * len(word)  # the heading, the author
    note = " ".join(r.text.strip() for r in shown if "several" in r.text or "note" in r.text)
    assert note.count("several words.") == 10
    assert len([r for r in shown if "several" in r.text]) >= 2  # on more than one line
