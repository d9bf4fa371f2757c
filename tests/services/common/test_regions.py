"""States and provinces in any of the ways an export writes them, stored in one form."""

from __future__ import annotations

import pytest

from app.services.common.regions import country_code, region_of


@pytest.mark.parametrize(
    ("country", "written", "stored"),
    [
        ("CN", "广东", "广东省"),
        ("CN", "广东省", "广东省"),
        ("CN", "GD", "广东省"),
        ("CN", "CN-GD", "广东省"),
        ("CN", "Guangdong", "广东省"),
        ("CN", "Guangdong Province", "广东省"),
        ("CN", "北京", "北京市"),
        ("CN", "Beijing", "北京市"),
        ("CN", "广西", "广西壮族自治区"),
        ("CN", "宁夏", "宁夏回族自治区"),
        ("CN", "Inner Mongolia", "内蒙古自治区"),
        ("CN", "新疆", "新疆维吾尔自治区"),
        ("CN", "Shanxi", "山西省"),
        ("CN", "Shaanxi", "陕西省"),
        ("US", "CA", "CA"),
        ("US", "ca", "CA"),
        ("US", "California", "CA"),
        ("US", "US-CA", "CA"),
        ("US", "加利福尼亚州", "CA"),
        ("US", "New York", "NY"),
        ("US", "District of Columbia", "DC"),
        ("GB", "England", "England"),
    ],
)
def test_every_spelling_reads_as_the_stored_form(country: str, written: str, stored: str) -> None:
    assert region_of(country, written) == stored


@pytest.mark.parametrize(("country", "written"), [("CN", "Atlantis"), ("CN", "CA"), ("US", "广东"),
                                                  ("US", "Calif"), ("CN", "")])  # fmt: skip
def test_an_unknown_region_of_a_checked_country_is_none(country: str, written: str) -> None:
    assert region_of(country, written) is None


def test_countries_by_code_or_english_name() -> None:
    assert [country_code(c) for c in ("cn", "US", "USA", "United States", "XX")] == [
        "CN",
        "US",
        "US",
        "US",
        None,
    ]
