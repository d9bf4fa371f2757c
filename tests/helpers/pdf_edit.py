"""Editing what a real PDF prints, the way a forger with a PDF library would: the page's content
stream is rewritten so that one printed value reads otherwise, with the glyphs the document's
own (subset) font already has; nothing else in the file is touched on purpose."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ByteStringObject, ContentStream, DictionaryObject

_BFCHAR = re.compile(rb"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]{4})>")


def edit_printed(data: bytes, label: str, old: str, new: str) -> bytes:
    """`data` with `old` replaced by `new` in the first text shown after the text `label`
    (spaces ignored) that contains `old`, on whichever page that is."""
    reader = PdfReader(BytesIO(data))
    writer = PdfWriter(clone_from=reader)
    for page in writer.pages:
        fonts = _fonts(page["/Resources"]["/Font"])
        content = ContentStream(page.get_contents(), writer)
        operations = content.operations
        font: dict[int, str] = {}
        seen_label = False
        for index, (operands, operator) in enumerate(operations):
            if operator == b"Tf":
                font = fonts[str(operands[0])][0]
            if operator != b"Tj":
                continue
            raw = _bytes(operands[0])
            text = "".join(font.get(code, "?") for code in raw)
            if not seen_label:
                seen_label = _squash(text) == _squash(label)
                continue
            if old in text:
                inverse = {char: code for code, char in font.items()}
                missing = [char for char in new if char not in inverse]
                assert not missing, f"the font has no glyph for {missing}"
                replaced = text.replace(old, new, 1)
                operations[index] = (
                    [ByteStringObject(bytes(inverse[char] for char in replaced))],
                    operator,
                )
                content.operations = operations
                page.replace_contents(content)
                out = BytesIO()
                writer.write(out)
                return out.getvalue()
    raise AssertionError(f"no “{old}” printed after “{label}”")


def _fonts(resources: Any) -> dict[str, tuple[dict[int, str], DictionaryObject]]:
    """Each font of a page: code -> character, from its ToUnicode map."""
    found = {}
    for name, reference in resources.items():
        font = reference.get_object()
        cmap = font["/ToUnicode"].get_object().get_data()
        found[str(name)] = (
            {int(code, 16): chr(int(char, 16)) for code, char in _BFCHAR.findall(cmap)},
            font,
        )
    return found


def _bytes(operand: Any) -> bytes:
    if isinstance(operand, bytes):
        return operand
    original = operand.get_original_bytes()
    assert isinstance(original, bytes)
    return original


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)
