"""How a lending system's file is read: UTF-8 (BOM or not), else GB18030, or the encoding named.

Chinese lending systems and spreadsheets write CSV as UTF-8, often with a byte-order mark, or
as GBK (the "ANSI" of a Chinese Windows), which GB18030 contains along with GB2312. Strict
UTF-8 first tells them apart: GBK text is almost never valid UTF-8. A file in neither, or in
UTF-16, is refused with one line that says how to convert it, never a codec's error.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from app.services.common.errors import InvalidInput
from app.services.portfolio.cells import shown


@dataclass(frozen=True)
class ExportText:
    """The decoded file and the encoding it was read in (as people name it)."""

    text: str
    encoding: str


def read_export(path: Path, encoding: str | None = None) -> ExportText:
    """The text of the file at `path`: UTF-8 (BOM or not), else GB18030, or `encoding`.

    Raises InvalidInput with one line saying how to convert a file in another encoding.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(
            "Cannot read {path}: {reason}.", path=str(path), reason=error.strerror or str(error)
        ) from None
    return decode_export(data, str(path), encoding)


def decode_export(data: bytes, path: str, encoding: str | None = None) -> ExportText:
    """Decode a file's bytes (see `read_export`); `path` names the file in messages."""
    if encoding:
        return _decode_as(data, path, encoding)
    header = data.split(b"\n", 1)[0]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in header:
        # UTF-16 ("Unicode text" in Excel) puts a NUL beside every ASCII letter.
        raise InvalidInput(
            "{path} looks like UTF-16, which is not read here: save it as CSV UTF-8, or"
            " convert it (iconv -f UTF-16 -t UTF-8 {path} > converted.csv) and import that.",
            path=path,
        )
    try:
        return ExportText(data.decode("utf-8-sig"), "UTF-8")
    except UnicodeDecodeError as error:
        utf8 = error
    if _mostly_utf8(data):
        # Real UTF-8 with a broken byte would also "decode" as GB18030, into nonsense.
        raise InvalidInput(
            "{path} is UTF-8 with a damaged byte ({byte}) on line {line}: export the file"
            " again or fix that line; if the file is in another encoding, name it with"
            " --encoding.",
            path=path,
            byte=f"0x{data[utf8.start]:02X}",
            line=data[: utf8.start].count(b"\n") + 1,
        )
    try:
        return ExportText(data.decode("gb18030").removeprefix("\ufeff"), "GB18030")
    except UnicodeDecodeError as error:
        raise InvalidInput(
            "{path} is neither UTF-8 nor GB18030 (GBK): the byte {byte} on line {line} is not"
            " text in either. Save the file as CSV UTF-8, or convert it (iconv -f ENCODING"
            " -t UTF-8 {path} > converted.csv), or name its encoding with --encoding.",
            path=path,
            byte=f"0x{data[error.start]:02X}",
            line=data[: error.start].count(b"\n") + 1,
        ) from None


def _decode_as(data: bytes, path: str, encoding: str) -> ExportText:
    try:
        known = codecs.lookup(encoding)
    except LookupError:
        known = None
    # base64, rot13 and the like are codecs too, but not of text (CPython marks them so).
    if known is None or not getattr(known, "_is_text_encoding", True):
        raise InvalidInput(
            "“{encoding}” is not a text encoding (try utf-8, gb18030 or gbk).",
            encoding=shown(encoding),
        )
    try:
        text = data.decode(known.name)
    except UnicodeDecodeError as error:
        raise InvalidInput(
            "{path} is not {encoding}: the byte {byte} on line {line} is not {encoding} text."
            " Name the file's real encoding with --encoding, or convert it (iconv -f ENCODING"
            " -t UTF-8 {path} > converted.csv).",
            path=path,
            encoding=known.name,
            byte=f"0x{data[error.start]:02X}",
            line=data[: error.start].count(b"\n") + 1,
        ) from None
    return ExportText(text.removeprefix("\ufeff"), known.name.upper())


def _mostly_utf8(data: bytes) -> bool:
    """Whether bytes that are not valid UTF-8 still read as UTF-8 almost everywhere.

    GBK text read as UTF-8 fails on most of its characters; UTF-8 with one damaged byte
    fails on that one only.
    """
    text = data.decode("utf-8", errors="replace")
    broken = text.count("\ufffd")
    read = sum(1 for character in text if ord(character) > 0x7F) - broken
    return read > broken
