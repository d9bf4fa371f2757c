"""The readers of one cell of a lending system's file, as the import and the daily feed use them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.services.common.idnumbers import make
from app.services.portfolio import cells
from app.services.portfolio.cells import CellRefused

ID = make("440103", date(1990, 5, 17), 7)
TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("written", "country", "e164", "region"),
    [
        ("(212) 226-3328", "US", "+12122263328", "US"),
        ("(212) 226-3328", "CN", "+862122263328", "CN"),
        ("+1 212 226 3328", "CN", "+12122263328", "US"),
        ("138 1234 5678", "CN", "+8613812345678", "CN"),
        ("+86 138-1234-5678", "US", "+8613812345678", "CN"),
        ("2345 6789", "HK", "+85223456789", "HK"),
    ],
)
def test_a_number_is_read_as_people_in_the_country_write_it(
    written: str, country: str, e164: str, region: str
) -> None:
    phone = cells.phone(written, country)
    assert (phone.e164, phone.region) == (e164, region)


def test_a_number_that_is_none_in_the_country_says_how_it_was_read() -> None:
    with pytest.raises(CellRefused) as refused:
        cells.phone("138 1234 5678", "US")
    assert "read as +1 381-234-5678" in refused.value.message
    assert "Read as a number of US" in refused.value.message
    # phonenumbers would read full-width digits as plain ones: they are refused first.
    with pytest.raises(CellRefused, match="write digits as 0-9"):
        cells.phone("１３８ 1234 5678", "CN")


@pytest.mark.parametrize(
    "written", ["１２", "1²", "三", "٣", "①", "½", "Ⅻ", "২", "2026-０1-01"]
)  # fmt: skip
def test_digits_that_only_look_like_0_to_9_are_refused(written: str) -> None:
    with pytest.raises(CellRefused, match="write digits as 0-9"):
        cells.plain_digits(written)


def test_plain_digits_letters_and_signs_pass() -> None:
    assert cells.plain_digits("HX-2026/0001.a") == "HX-2026/0001.a"


def test_a_date_of_birth_must_be_the_one_the_id_number_carries() -> None:
    assert cells.date_of_birth("1990-05-17", ID, TODAY) == date(1990, 5, 17)
    with pytest.raises(CellRefused, match="the ID number says 1990-05-17"):
        cells.date_of_birth("1990-05-18", ID, TODAY)
    # Without a valid ID number (refused on its own cell) only the date is checked.
    assert cells.date_of_birth("1990-05-18", None, TODAY) == date(1990, 5, 18)
    with pytest.raises(CellRefused, match="in the future"):
        cells.date_of_birth("2027-01-01", None, TODAY)
    with pytest.raises(CellRefused, match="not a date"):
        cells.date_of_birth("17.05.1990", ID, TODAY)


def test_an_id_number_is_checked_and_its_x_written_in_capitals() -> None:
    born = date(1990, 5, 17)
    with_x = next(n for s in range(1, 200) if (n := make("110101", born, s)).endswith("X"))
    assert cells.id_number(with_x.lower()) == with_x
    with pytest.raises(CellRefused, match="check digit"):
        cells.id_number(ID[:-1] + ("0" if ID[-1] != "0" else "1"))


def test_provinces_and_states_are_stored_in_one_form_and_unknown_ones_refused() -> None:
    assert cells.province("Guangdong", "CN") == "广东省"
    assert cells.province("california", "US") == "CA"
    assert cells.province("Greater London", "GB") == "Greater London"
    with pytest.raises(CellRefused, match="not a province of CN"):
        cells.province("California", "CN")
    with pytest.raises(CellRefused, match="not a state of US"):
        cells.province("广东", "US")


def test_rates_above_the_limit_or_as_percentages_are_refused() -> None:
    assert cells.rate("0.18", Decimal("0.36"), 4) == Decimal("0.18")
    for written, said in [("18", "18 is more than any loan"), ("18%", "as a fraction"),
                          ("0.123456", "at most 4 decimal places"), ("-0.1", "zero or more"),
                          ("1e-1", "not a number")]:  # fmt: skip
        with pytest.raises(CellRefused, match=said):
            cells.rate(written, Decimal("0.36"), 4)


def test_every_refusal_is_a_template_and_its_values() -> None:
    with pytest.raises(CellRefused) as refused:
        cells.product("GOLD")
    assert refused.value.template == "unknown product “{code}” (one of {codes})"
    assert refused.value.params["code"] == "GOLD"


def test_hidden_characters_are_shown_by_their_code_not_obeyed() -> None:
    with pytest.raises(CellRefused) as refused:
        cells.screened("王\u202e芳", 80)
    assert "U+202E" in refused.value.message
    assert cells.shown("a\u202eb\x00") == "a<U+202E>b<U+0000>"
