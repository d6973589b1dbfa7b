"""Tagged, accessible PDFs from Django templates (WeasyPrint, PDF/UA-1).

A report is an HTML template like any page; WeasyPrint lays it out and writes a *tagged* PDF:
the structure tree follows the HTML (h1-h6 become H1-H6, p becomes P, table cells TH/TD, an
`<img alt>` becomes a Figure with its alternative text), the document language comes from
`<html lang>` and the title from `<title>`, and text wraps by its measured width in the page's
font, not by a character count. `pdf/ua-1` makes WeasyPrint add what PDF/UA asks of the file
itself (the title shown in the window, the PDF/UA identifier in the XMP metadata).

Fonts are matplotlib's bundled DejaVu Sans (already a dependency for the charts), loaded by
@font-face from its file, so a report looks the same on every server whatever fonts the system
has; Pango (a system library, `libpango-1.0-0` on Debian) does the text shaping.

Nothing is fetched from outside: the URL fetcher allows only `data:` URIs (charts drawn to
SVG in memory) and the bundled font files. A name or note typed into Rebond can never make the
server request a URL while rendering (server-side request forgery).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import get_language
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT_FILES = {
    "regular": FONT_DIR / "DejaVuSans.ttf",
    "bold": FONT_DIR / "DejaVuSans-Bold.ttf",
    "italic": FONT_DIR / "DejaVuSans-Oblique.ttf",
}
ALLOWED_FILES = {path.resolve().as_uri() for path in FONT_FILES.values()}


class ForbiddenResource(FatalURLFetchingError):  # type: ignore[misc]  # untyped library
    """A report asked for a resource other than a data: URI or a bundled font.

    Fatal (WeasyPrint stops rendering) rather than a dropped image: a report that tries to
    load something from outside is a programming error to be seen, not a silent gap.
    """


class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]  # untyped library
    """WeasyPrint's fetcher, refusing everything but data: URIs and the bundled fonts."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:") or url in ALLOWED_FILES:
            response: URLFetcherResponse = super().fetch(url, headers)
            return response
        raise ForbiddenResource(f"reports load no outside resources (asked for {url[:40]!r})")


# 'Rebond Sans' for the report's own text; 'DejaVu Sans' too, because that is the family the
# charts' SVG text names (matplotlib, svg.fonttype "none"): WeasyPrint draws it with the same
# bundled file rather than whatever DejaVu the server has installed, or none.
FAMILIES = ("Rebond Sans", "DejaVu Sans")


def font_faces() -> str:
    """Return the @font-face rules for the bundled font (used by templates/pdf/base.html)."""
    rules = []
    for family in FAMILIES:
        for style, path in FONT_FILES.items():
            weight = "bold" if style == "bold" else "normal"
            font_style = "italic" if style == "italic" else "normal"
            rules.append(
                f"@font-face {{ font-family: '{family}';"
                f" src: url('{path.resolve().as_uri()}');"
                f" font-weight: {weight}; font-style: {font_style}; }}"
            )
    return "\n".join(rules)


def html_to_pdf(html: str) -> bytes:
    """Return a tagged PDF/UA-1 document laid out from `html` (a whole HTML document).

    The HTML must carry `<html lang="...">` and a `<title>`: PDF/UA requires both, and a
    screen reader announces them.
    """
    base_url = FONT_DIR.resolve().as_uri()
    document = HTML(string=html, url_fetcher=LocalOnlyFetcher(), base_url=base_url)
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
    return pdf


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render a Django template (extending pdf/base.html) to a tagged PDF.

    The document language is the active one (`<html lang>`, the PDF's /Lang) unless the
    context names another.
    """
    defaults = {"language": get_language() or settings.LANGUAGE_CODE, "font_faces": font_faces()}
    return html_to_pdf(render_to_string(template_name, {**defaults, **context}))
