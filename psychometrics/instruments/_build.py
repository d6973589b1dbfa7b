"""Helpers for writing instrument modules."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from psychometrics.model import Item, options

__all__ = ["likert_items"]


def likert_items(
    topics: Sequence[str],
    labels: Sequence[str],
    values: Sequence[int],
    *,
    texts: Sequence[str] | None = None,
    reverse: Collection[int] = (),
    first: int = 1,
) -> tuple[Item, ...]:
    """Return items that share one response scale, numbered from ``first``.

    ``labels`` and ``values`` give the printed order and the forward key; the
    items numbered in ``reverse`` get the same labels with the values reversed.
    """
    forward = options(labels, values)
    backward = options(labels, list(reversed(values)))
    items = []
    for offset, topic in enumerate(topics):
        number = first + offset
        items.append(
            Item(
                number=number,
                topic=topic,
                options=backward if number in reverse else forward,
                text=None if texts is None else texts[offset],
                reverse=number in reverse,
            )
        )
    return tuple(items)
