"""The modality-probe input file: items with a picture (a path relative to the file), a question and options.

Example::

    format: 1
    items:
      - id: ball-1
        image: images/red_ball.png
        question: What colour is the ball?
        options: [red, blue]
        context: The caption says the ball is blue.   # optional text evidence
        image_answer: red                              # optional: what the picture supports
        text_answer: blue                              # optional: what the text supports
"""

from __future__ import annotations

from pathlib import Path

from causalbridge.errors import InputError
from causalbridge.probe.modality.images import load_image
from causalbridge.probe.modality.reliance import ModalityItem
from causalbridge.probe.specfile import Node, read_file

_ITEM = frozenset({"id", "image", "question", "options", "context", "image_answer", "text_answer"})


def _item(node: Node, base: Path) -> ModalityItem:
    node.check_keys(_ITEM, "an item")
    item_id = node.require("id", "an item").text("id")
    what = f"item {item_id!r}"
    image_node = node.require("image", what)
    path = Path(image_node.text("image"))
    try:
        image = load_image(path if path.is_absolute() else base / path)
    except InputError as error:
        raise image_node.error(f"{error.detail} ({error.where})" if error.where else error.detail) from None
    optional = {key: node.get(key) for key in ("context", "image_answer", "text_answer")}
    try:
        return ModalityItem(
            id=item_id,
            image=image,
            question=node.require("question", what).text("question"),
            options=node.require("options", what).texts("options"),
            context=optional["context"].text("context") if optional["context"] else "",
            image_answer=optional["image_answer"].text("image_answer") if optional["image_answer"] else None,
            text_answer=optional["text_answer"].text("text_answer") if optional["text_answer"] else None,
        )
    except InputError as error:
        raise node.error(error.detail) from None


def load_items(path: str | Path) -> tuple[ModalityItem, ...]:
    """Read a modality items file; pictures are loaded (and checked) now."""
    root = read_file(path)
    root.check_keys({"format", "items"}, "the items file")
    format_node = root.get("format")
    if format_node is not None and format_node.integer("format") != 1:
        raise format_node.error("only format 1 is known")
    items_node = root.require("items", "the items file")
    items = tuple(_item(n, Path(path).parent) for n in items_node.items("items"))
    seen: set[str] = set()
    for item, node in zip(items, items_node.items("items"), strict=True):
        if item.id in seen:
            raise node.error(f"duplicate item id {item.id!r}")
        seen.add(item.id)
    return items
