"""Countries, states and provinces: the ways an export names them, read as the app stores them.

ISO 3166 through pycountry, with its Chinese names. The app stores a country by its ISO code
and, where the rules and the visit sheets depend on it, the region in one form: a mainland
province by its full Chinese name (北京市, 广东省, 广西壮族自治区), as the demo, the account view
and the visit sheets show it; a US state by its postal code (CA), the key of
resources/address_zones.json. Elsewhere the region is kept as written.
"""

from __future__ import annotations

import gettext
import re
from functools import cache

import pycountry

# Countries whose regions are checked: the contact rules and time zones depend on them.
CHECKED = ("CN", "US")
# The exonyms an export in English may use for a mainland region, beside its pinyin.
_ENGLISH = {"innermongolia": "NM", "tibet": "XZ", "macau": "MO"}
# Where pycountry's Chinese catalogue has no name yet.
_CHINESE = {"CN-NX": "宁夏回族自治区"}
# What an English or Chinese name may carry after the place itself.
_ENGLISH_TAIL = re.compile(
    r"(province|municipality|autonomousregion|specialadministrativeregion|sar|state|"
    r"sheng|shi|zizhiqu|zhuangzu|huizu|uygur)+$"
)
_CHINESE_TAIL = re.compile(r"((壮族|回族|维吾尔)?自治区|特别行政区|省|市|州)$")


def country_code(text: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country written as its code or English name, or None."""
    try:
        found = pycountry.countries.lookup(text.strip())
    except LookupError:
        return None
    return str(found.alpha_2)


def region_of(country: str, text: str) -> str | None:
    """The region as stored: CN and US regions resolved (None when unknown), others as written.

    A mainland province may be written 广东, 广东省, GD, CN-GD or Guangdong; a US state CA,
    US-CA, California or 加利福尼亚州.
    """
    if country not in CHECKED:
        return text
    names, key = _names(country), _key(text)
    for spelling in (key, _ENGLISH_TAIL.sub("", key), _CHINESE_TAIL.sub("", key)):
        if spelling and spelling in names:
            return names[spelling]
    return None


def _key(text: str) -> str:
    return re.sub(r"[\s.\-_]+", "", text.casefold())


@cache
def _names(country: str) -> dict[str, str]:
    """Every spelling of each region of a checked country (normalised) to its stored form."""
    chinese = gettext.translation("iso3166-2", pycountry.LOCALES_DIR, languages=["zh_CN"])
    names: dict[str, str] = {}
    for division in (d for d in pycountry.subdivisions if d.country_code == country):
        code = str(division.code)
        short = code.split("-", 1)[1]
        english = str(division.name)
        zh = _CHINESE.get(code) or chinese.gettext(english)
        stored = zh if country == "CN" else short
        spellings = {code, short, english, _ENGLISH_TAIL.sub("", _key(english))}
        if zh != english:
            spellings |= {zh, _CHINESE_TAIL.sub("", zh)}
        for spelling in spellings:
            names[_key(spelling)] = stored
    for spelling, short in _ENGLISH.items():
        if country == "CN":
            names[spelling] = names[_key(short)]
    return names
