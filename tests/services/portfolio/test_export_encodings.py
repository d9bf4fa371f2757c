"""How an export's bytes are read: UTF-8 (BOM or not), else GB18030, or the encoding named."""

from __future__ import annotations

import codecs

import pytest

from app.services.common.errors import InvalidInput
from app.services.portfolio.exports import decode_export

# 䶮 (U+4DAE) is in GB18030 but not in GBK: only a four-byte GB18030 sequence carries it.
TEXT = "record,name,street\nborrower,刘䶮,广州市荔湾区中山七路12号\n"
GBK_TEXT = TEXT.replace("䶮", "芳")


@pytest.mark.parametrize(
    ("data", "read_as"),
    [
        (TEXT.encode("utf-8"), "UTF-8"),
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "UTF-8"),
        (GBK_TEXT.encode("gbk"), "GB18030"),
        (TEXT.encode("gb18030"), "GB18030"),
        (("\ufeff" + TEXT).encode("gb18030"), "GB18030"),
    ],
    ids=["utf-8", "utf-8-bom", "gbk", "gb18030", "gb18030-bom"],
)  # fmt: skip
def test_utf8_and_gb18030_are_told_apart_and_read(data: bytes, read_as: str) -> None:
    export = decode_export(data, "export.csv")
    assert export.encoding == read_as
    assert export.text in (TEXT, GBK_TEXT)


def test_gbk_text_is_not_valid_utf8_so_detection_has_work_to_do() -> None:
    with pytest.raises(UnicodeDecodeError):
        GBK_TEXT.encode("gbk").decode("utf-8")
    with pytest.raises(UnicodeEncodeError):
        TEXT.encode("gbk")


def test_a_named_encoding_is_used_and_a_wrong_one_refused_in_one_line() -> None:
    assert decode_export(GBK_TEXT.encode("gbk"), "x.csv", "gbk").text == GBK_TEXT
    with pytest.raises(InvalidInput) as wrong:
        decode_export(TEXT.encode("gb18030"), "x.csv", "gbk")
    assert "x.csv is not gbk" in wrong.value.message and "--encoding" in wrong.value.message
    assert "\n" not in wrong.value.message
    for name in ("klingon", "base64", "rot13"):
        with pytest.raises(InvalidInput, match="is not a text encoding"):
            decode_export(b"record\n", "x.csv", name)


def test_a_file_in_neither_encoding_is_refused_with_how_to_convert_it() -> None:
    latin = "record,name\nborrower,Zoë Müller\n".encode("latin-1")
    with pytest.raises(InvalidInput) as refused:
        decode_export(latin, "x.csv")
    message = refused.value.message
    assert "neither UTF-8 nor GB18030" in message and "line 2" in message
    assert "iconv -f ENCODING -t UTF-8 x.csv" in message and "--encoding" in message


def test_utf16_is_refused_with_its_own_conversion() -> None:
    for data in (TEXT.encode("utf-16"), TEXT.encode("utf-16-le")):
        with pytest.raises(InvalidInput, match="iconv -f UTF-16 -t UTF-8"):
            decode_export(data, "x.csv")


def test_utf8_with_one_damaged_byte_is_not_misread_as_gb18030() -> None:
    data = bytearray(TEXT.encode("utf-8"))
    broken = data.index("中".encode()) + 1
    data[broken] = 0x41  # the middle of 中 overwritten
    with pytest.raises(InvalidInput) as refused:
        decode_export(bytes(data), "x.csv")
    assert "UTF-8 with a damaged byte" in refused.value.message
    assert "line 2" in refused.value.message
