"""Reading the tagged PDF reports in tests (pypdf): their text, and their structure tree.

`pdf_text` is what a reader or a screen reader gets out of a report: the text on its pages
(charts' text included: it stays text), every figure's alternative text and the document
title. Canary tests search it, so a value leaking through a chart's alt text is seen too.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject


def reader(body: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(body))


def catalog(document: PdfReader) -> DictionaryObject:
    """Return the document catalog (/Root): language, MarkInfo, viewer preferences."""
    root = _resolve(document.trailer["/Root"])
    assert isinstance(root, DictionaryObject)
    return root


@dataclass
class Element:
    """One structure element of the tag tree: its role, its /Alt, its attributes, its kids."""

    role: str
    obj: DictionaryObject
    kids: list[Element] = field(default_factory=list)

    def walk(self) -> Iterator[Element]:
        yield self
        for kid in self.kids:
            yield from kid.walk()


def _resolve(value: Any) -> Any:
    return value.get_object() if isinstance(value, IndirectObject) else value


def _element(obj: DictionaryObject) -> Element:
    element = Element(str(obj.get("/S", "")).lstrip("/"), obj)
    kids = _resolve(obj.get("/K", ArrayObject()))
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        kid = _resolve(kid)
        # Integers are marked content on a page, /OBJR an annotation: leaves, not elements.
        if isinstance(kid, DictionaryObject) and kid.get("/Type") == "/StructElem":
            element.kids.append(_element(kid))
    return element


def structure(body: bytes) -> Element:
    """Return the root of the document's tag tree (/StructTreeRoot), as Elements."""
    root = _resolve(catalog(reader(body))["/StructTreeRoot"])
    assert isinstance(root, DictionaryObject)
    return _element(root)


def pdf_text(body: bytes) -> str:
    """Return a report's page text, then every figure's alternative text, then its title."""
    document = reader(body)
    text = [page.extract_text() for page in document.pages]
    if "/StructTreeRoot" in catalog(document):
        text += [str(e.obj["/Alt"]) for e in structure(body).walk() if "/Alt" in e.obj]
    if document.metadata is not None and document.metadata.title:
        text.append(document.metadata.title)
    return "\n".join(text)


@dataclass(frozen=True)
class Run:
    """A piece of text shown on a page: its marked-content id, where it starts, its size."""

    page: int
    mcid: int | None
    text: str
    x: float  # in points from the page's left edge
    scale: float  # points per text-space unit horizontally (font size and matrices)
    bold: bool


@functools.lru_cache(maxsize=4)  # a test asks for the text of many elements of one report
def runs(body: bytes) -> tuple[Run, ...]:
    """Return every text-showing operation of every page, with its marked-content id."""
    found: list[Run] = []
    for number, page in enumerate(reader(body).pages):
        stack: list[int | None] = []  # the marked-content ids open at this point of the page

        def before(
            op: bytes, args: list[Any], cm: Any, tm: Any, stack: list[int | None] = stack
        ) -> None:
            if op == b"BDC":
                props = args[1] if len(args) > 1 else None
                stack.append(props.get("/MCID") if isinstance(props, DictionaryObject) else None)
            elif op == b"EMC" and stack:
                stack.pop()

        def shown(
            text: str,
            cm: Any,
            tm: Any,
            font: Any,
            size: float,
            page: int = number,
            stack: list[int | None] = stack,
        ) -> None:
            if not text.strip():
                return
            mcid = next((m for m in reversed(stack) if m is not None), None)
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            bold = "Bold" in str((font or {}).get("/BaseFont", ""))
            found.append(Run(page, mcid, text, x, size * tm[0] * cm[0], bold))

        page.extract_text(visitor_operand_before=before, visitor_text=shown)
    return tuple(found)


def text_of(body: bytes, element: Element) -> str:
    """Return the text an element of the tag tree marks (its marked content, in order)."""
    page_of = {
        page.indirect_reference.idnum: n
        for n, page in enumerate(reader(body).pages)
        if page.indirect_reference is not None
    }
    wanted: list[tuple[int, int]] = []

    def collect(node: DictionaryObject) -> None:
        page = node.get("/Pg")
        kids = _resolve(node.get("/K", ArrayObject()))
        for kid in kids if isinstance(kids, ArrayObject) else [kids]:
            kid = _resolve(kid)
            if isinstance(kid, int) and page is not None:
                wanted.append((page_of[page.idnum], int(kid)))
            elif isinstance(kid, DictionaryObject) and kid.get("/Type") == "/StructElem":
                collect(kid)

    collect(element.obj)
    shown = runs(body)
    return " ".join(
        " ".join(r.text.strip() for r in shown if (r.page, r.mcid) == key) for key in wanted
    ).strip()
