"""Render a shelf page's Markdown to HTML a partner's browser may safely show.

Two layers, so that a mistake in one is caught by the other (issue 19 item 5: "no script, no
external images"):

1. markdown-it-py (CommonMark) with raw HTML off: `<script>` and every other tag typed into a
   page is shown as text. Images are never rendered: `![alt](url)` becomes its alt text, so no
   page makes a partner's browser fetch anything from another site (which would tell that site
   who reads what, and when). A link is kept only to http, https or mailto, or to a path on this
   site; anything else (javascript:, vbscript:, data:, file:, however it is spelled or encoded)
   stays text. Headings are kept between the second and fourth level: the page's title is its
   only first-level heading, so `#` and `##` both make a second-level one (`###` a third, and
   anything deeper a fourth).
2. nh3 (ammonia) cleans the result against an allowlist of tags, the one attribute `href` on
   links, and the same URL schemes, and adds rel="noopener noreferrer" to every link.

Only nh3's output is marked safe.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {
        "p",
        "h2",
        "h3",
        "h4",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "blockquote",
        "a",
        "code",
        "pre",
        "hr",
        "br",
    }
)
# "*" (attributes allowed on every tag) empty: nh3 would otherwise keep `title` and `lang`.
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}, "*": set()}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "noopener noreferrer"

# A scheme is letters, digits, "+", "-" or "." after a letter, then ":" (RFC 3986 3.1).
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.IGNORECASE)
# Characters browsers drop from a URL before reading its scheme ("java\tscript:").
_IGNORED_BY_BROWSERS = re.compile(r"[\x00-\x20\x7f]")


def is_allowed_link(url: str) -> bool:
    """Return whether a link may point there: http(s), mailto, or a path on this site."""
    cleaned = _IGNORED_BY_BROWSERS.sub("", url)
    if cleaned.startswith(("//", "\\", "/\\")):
        return False  # another host, without a scheme
    match = _SCHEME.match(cleaned)
    if match is None:
        return ":" not in cleaned.split("/", 1)[0]  # relative; "a:b" would be read as a scheme
    return match.group(1).lower() in URL_SCHEMES


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = is_allowed_link  # type: ignore[method-assign]

    def image_as_alt_text(
        self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
    ) -> str:
        token = tokens[idx]
        return escape(self.renderInlineAsText(token.children or [], options, env))

    def heading_between_two_and_four(
        self: Any, tokens: Sequence[Token], idx: int, options: Any, env: Any
    ) -> str:
        token = tokens[idx]
        level = min(max(int(token.tag[1]), 2), 4)
        token.tag = f"h{level}"
        return str(self.renderToken(tokens, idx, options, env))

    md.add_render_rule("image", image_as_alt_text)
    md.add_render_rule("heading_open", heading_between_two_and_four)
    md.add_render_rule("heading_close", heading_between_two_and_four)
    return md


_MARKDOWN = _parser()


def clean(html: str) -> str:
    """Return `html` with only the allowed tags, attributes and link schemes left."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render_markdown(text: str) -> SafeString:
    """Return the page's Markdown as safe HTML (see the module docstring)."""
    return mark_safe(clean(_MARKDOWN.render(text)))  # noqa: S308 - nh3's allowlisted output
