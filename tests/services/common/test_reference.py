"""Business data read from resources/: the disposition catalogue's flags."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.services.common import reference
from app.services.common.reference import dispositions, load_json


@pytest.fixture
def fresh_catalogue() -> Iterator[None]:
    """The disposition cache emptied before and after, for a test that swaps the data."""
    dispositions.cache_clear()
    yield
    dispositions.cache_clear()


def test_disclosures_are_due_on_every_right_party_outcome_but_a_hang_up() -> None:
    codes = dispositions()
    assert not codes["HU"].needs_disclosures
    assert codes["PTP"].needs_disclosures and codes["CB"].needs_disclosures
    for code in codes.values():
        if code.code != "HU":
            assert code.needs_disclosures == code.rpc, code.code


def test_nobody_and_third_parties_never_hear_the_disclosures() -> None:
    for code in dispositions().values():
        if not code.contact or not code.rpc:
            assert not code.needs_disclosures, code.code


def test_the_about_text_explains_the_disclosures_flag() -> None:
    assert "needs_disclosures" in load_json("dispositions.json")["_about"]


def test_a_catalogue_asking_disclosures_of_a_third_party_outcome_is_refused(
    monkeypatch: pytest.MonkeyPatch, fresh_catalogue: None
) -> None:
    real = load_json("dispositions.json")

    def with_tpc_disclosing(relative: str) -> Any:
        if relative != "dispositions.json":
            return load_json(relative)
        codes = [
            {**item, "needs_disclosures": True} if item["code"] == "TPC" else item
            for item in real["codes"]
        ]
        return {**real, "codes": codes}

    monkeypatch.setattr(reference, "load_json", with_tpc_disclosing)
    with pytest.raises(ValueError, match="TPC"):
        dispositions()
