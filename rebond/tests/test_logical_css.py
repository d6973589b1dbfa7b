"""Rebond's stylesheets are ready for right-to-left languages (issue 20 item 5).

Every side of a box is named by its place in the line, not on the screen: margin-inline-start,
not margin-left; inset-inline-end, not right; text-align: start, not left. A page in a
right-to-left language (`<html dir="rtl">`, base.html) then mirrors itself, while a
left-to-right page looks exactly as before. This test reads every stylesheet Rebond serves and
fails on any physical left or right that remains.

`ALLOWED` lists the few that must stay physical, each with its reason. A mirrored rule for
right-to-left pages (`[dir="rtl"] ...`) is not a physical left or right: it is how a value
without a logical form (a shadow's offset) follows the direction.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STYLESHEETS = sorted(
    path
    for path in (ROOT / "rebond").rglob("*.css")
    if "static" in path.relative_to(ROOT).parts and "vendor" not in path.parts
)

# (stylesheet relative to the repository, property, value) -> why it must stay physical.
ALLOWED: dict[tuple[str, str, str], str] = {
    ("rebond/static/rebond/css/app.css", "float", "left"): (
        "A check-in question's legend floats only to leave the fieldset's border (it is 100%"
        " wide, so its side never shows); `left` also works in browsers older than"
        " `inline-start` (Chrome 118, Samsung Internet 25), which partners' phones may run."
    ),
}

COMMENT = re.compile(r"/\*.*?\*/", re.S)
DECLARATIONS = re.compile(r"\{([^{}]*)\}")
DECLARATION = re.compile(r"([-\w]+)\s*:\s*([^;]+)")
# Properties that name a physical side (or corner) of the box.
PHYSICAL_PROPERTY = re.compile(
    r"^(?:left|right"
    r"|(?:margin|padding|scroll-margin|scroll-padding)-(?:left|right)"
    r"|border-(?:left|right)(?:-(?:color|style|width))?"
    r"|border-(?:top|bottom)-(?:left|right)-radius)$"
)
# Properties whose value may name a physical side.
SIDE = re.compile(r"\b(?:left|right)\b")
SIDE_VALUES = frozenset({"text-align", "float", "clear", "caption-side", "text-align-last"})
# Shorthands whose four values run top, right, bottom, left.
FOUR_SIDES = frozenset(
    {
        "margin",
        "padding",
        "inset",
        "border-width",
        "border-style",
        "border-color",
        "scroll-margin",
        "scroll-padding",
    }
)


def _values(value: str) -> list[str]:
    """Split a shorthand's value into its parts, keeping calc(...) and var(...) whole."""
    parts: list[str] = []
    depth, current = 0, ""
    for char in value.strip():
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char.isspace() and depth == 0:
            if current:
                parts.append(current)
            current = ""
        else:
            current += char
    if current:
        parts.append(current)
    return parts


def physical_declarations(css: str) -> Iterator[tuple[str, str]]:
    """Yield each (property, value) of a stylesheet that names a physical left or right."""
    for block in DECLARATIONS.findall(COMMENT.sub("", css)):
        for prop, raw in DECLARATION.findall(block):
            prop, value = prop.lower(), raw.strip().lower()
            names_a_side = prop in SIDE_VALUES and SIDE.search(value) is not None
            if PHYSICAL_PROPERTY.match(prop) or names_a_side:
                yield prop, value
            elif prop in FOUR_SIDES:
                parts = _values(value)
                # Four values whose right and left differ: write -block and -inline instead.
                if len(parts) == 4 and parts[1] != parts[3]:
                    yield prop, value


def test_there_are_stylesheets_to_check() -> None:
    names = {path.name for path in STYLESHEETS}
    assert "app.css" in names
    assert len(STYLESHEETS) > 1


def test_no_stylesheet_names_a_physical_left_or_right() -> None:
    found = [
        f"{path.relative_to(ROOT)}: {prop}: {value}"
        for path in STYLESHEETS
        for prop, value in physical_declarations(path.read_text(encoding="utf-8"))
        if (str(path.relative_to(ROOT)), prop, value) not in ALLOWED
    ]
    assert not found, (
        "Use logical properties (margin-inline-start, padding-inline-end, inset-inline-start, "
        "border-inline-start, text-align: start, float: inline-start, padding-block and "
        "padding-inline for four different sides):\n" + "\n".join(found)
    )


def test_every_allowed_exception_is_still_there() -> None:
    present = {
        (str(path.relative_to(ROOT)), prop, value)
        for path in STYLESHEETS
        for prop, value in physical_declarations(path.read_text(encoding="utf-8"))
    }
    assert set(ALLOWED) <= present, "Remove the exceptions no stylesheet needs any more"


def test_the_check_finds_physical_sides_and_passes_logical_ones() -> None:
    css = """
    /* margin-left: 1rem in a comment is not a rule */
    .a { margin-left: 1rem; padding-inline-start: 2rem; }
    .b:hover { left: 0; inset-inline-end: 0; text-align: right; }
    @media (max-width: 30em) { .c { float: left; border-right-color: red; text-align: center; } }
    .d { padding: 1px 2px 1px 3px; margin: 1px calc(2px + 1px) 1px calc(2px + 1px); }
    .e { border-top-left-radius: 4px; border-radius: 4px; clear: both; float: inline-start; }
    """
    assert list(physical_declarations(css)) == [
        ("margin-left", "1rem"),
        ("left", "0"),
        ("text-align", "right"),
        ("float", "left"),
        ("border-right-color", "red"),
        ("padding", "1px 2px 1px 3px"),
        ("border-top-left-radius", "4px"),
    ]
