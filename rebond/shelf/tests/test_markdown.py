"""Shelf pages are Markdown typed by clinic admins and read by partners: whatever is typed,
the HTML shown has no script, no event handler, no image, no style, no frame and no link
outside http, https, mailto and this site (issue 19: "rendered safely, no script, no external
images"). Real pages keep their headings, lists, emphasis and links."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from rebond.shelf.actions import starter_pages
from rebond.shelf.markdown import ALLOWED_TAGS, is_allowed_link, render_markdown


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag


def elements(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Collector()
    parser.feed(html)
    return parser.elements


HOSTILE = {
    "script block": "<script>alert(1)</script>",
    "script inline": "Hello <script>alert(1)</script> there",
    "img onerror": '<img src=x onerror="alert(1)">',
    "svg onload": "<svg onload=alert(1)><circle/></svg>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "style attribute": '<p style="background:url(https://evil.example/x)">styled</p>',
    "style element": "<style>body{display:none}</style>",
    "raw html block": "<div onclick=alert(1)>\n\n*still markdown*\n\n</div>",
    "object": '<object data="https://evil.example/x.swf"></object>',
    "form": '<form action="https://evil.example/"><input name=pin></form>',
    "javascript link": "[click](javascript:alert(1))",
    "javascript mixed case": "[click](JaVaScRiPt:alert(1))",
    "javascript with tab": "[click](java\tscript:alert(1))",
    "javascript entity": "[click](&#106;avascript:alert(1))",
    "javascript hex entity": "[click](&#x6A;&#x61;vascript:alert(1))",
    "javascript named entity colon": "[click](javascript&colon;alert(1))",
    "javascript percent": "[click](javascript%3Aalert(1))",
    "javascript leading space": "[click]( javascript:alert(1))",
    "javascript autolink": "<javascript:alert(1)>",
    "javascript reference": "[click][r]\n\n[r]: javascript:alert(1)",
    "javascript reference with title": '[click][r]\n\n[r]: javascript:alert(1) "t"',
    "vbscript link": "[click](vbscript:msgbox(1))",
    "data link": "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "file link": "[click](file:///etc/passwd)",
    "protocol-relative link": "[click](//evil.example/)",
    "backslash host": "[click](/\\evil.example/)",
    "external image": "![x](https://evil.example/img.png)",
    "image reference": "![x][i]\n\n[i]: https://evil.example/img.png",
    "image in link": "[![x](https://evil.example/i.png)](https://example.org/)",
    "html in link title": '[click](https://example.org/ "<script>alert(1)</script>")',
    "quote breaking title": '[click](https://example.org/ "x\\" onmouseover=\\"alert(1)")',
    "html in link text": "[<img src=x onerror=alert(1)>](https://example.org/)",
    "heading with html": "# <script>alert(1)</script>",
    "comment": "<!-- <script>alert(1)</script> -->",
    "nested markdown html": "> <a href=javascript:alert(1)>x</a>",
    "srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "math/mathml": "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
}


@pytest.mark.parametrize("markdown", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_markdown_renders_to_nothing_that_runs_or_loads(markdown: str) -> None:
    html = str(render_markdown(markdown))
    for tag, attrs in elements(html):
        assert tag in ALLOWED_TAGS, (tag, html)
        assert tag not in ("script", "img", "iframe", "svg", "style", "object", "form"), html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            assert name in ("href", "rel"), html
            if name == "href":
                assert is_allowed_link(value), html
                # As a browser reads it ("javascript%3A..." is a path on this site, not a scheme).
                parts = urlsplit(value.replace("\t", ""))
                assert parts.scheme in ("", "http", "https", "mailto"), html
                assert not parts.netloc or parts.scheme in ("http", "https"), html
        if tag == "a":
            assert attrs.get("rel") == "noopener noreferrer", html
    # What was typed as HTML is shown as text, escaped: never as markup.
    assert "<script" not in html
    assert "<img" not in html
    assert "https://evil.example/img.png" not in html


def test_an_image_is_shown_as_its_alt_text_only() -> None:
    html = str(render_markdown("Look: ![a calm lake](https://evil.example/lake.png)"))
    assert html == "<p>Look: a calm lake</p>\n"


def test_real_content_keeps_headings_lists_emphasis_and_links() -> None:
    html = str(
        render_markdown(
            "# Heading\n\n## Part\n\n### Detail\n\n#### Small\n\n##### Tiny\n\n"
            "Some **strong** and *soft* words.\n\n"
            "- one\n- two\n\n1. first\n2. second\n\n> a quote\n\n"
            "[a source](https://example.org/paper) and [us](mailto:help@example.org) and "
            "[your space](/me/).\n\n---\n\n`code`\n"
        )
    )
    tags = [tag for tag, _ in elements(html)]
    # Headings stay between h2 and h4: the page's title is its only h1.
    for tag in ("h2", "h3", "h4", "strong", "em", "ul", "ol", "li", "blockquote", "hr", "code"):
        assert tag in tags, (tag, html)
    assert "h1" not in tags
    assert "<h2>Heading</h2>" in html
    assert "<h2>Part</h2>" in html
    assert "<h3>Detail</h3>" in html
    assert "<h4>Small</h4>" in html
    assert "<h4>Tiny</h4>" in html
    hrefs = [attrs["href"] for tag, attrs in elements(html) if tag == "a"]
    assert hrefs == ["https://example.org/paper", "mailto:help@example.org", "/me/"]
    assert 'rel="noopener noreferrer"' in html


def test_every_starter_page_renders_with_its_sources() -> None:
    for page in starter_pages():
        html = str(render_markdown(page.body))
        assert "<h2>Sources</h2>" in html, page.key
        assert "<li>" in html, page.key
        assert "Written for Rebond" in html, page.key
