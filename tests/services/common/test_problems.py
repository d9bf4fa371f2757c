"""Several problems with one input, refused together, each naming the field it is about."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.services import messages
from app.services.common.errors import (
    Checks,
    DomainError,
    InvalidAmount,
    InvalidInput,
    Problems,
    problems_of,
)
from app.services.common.money import parse_amount


def test_one_problem_is_refused_as_it_is_and_names_its_field() -> None:
    checks = Checks()
    assert checks.check("amount", parse_amount, "12.50") == Decimal("12.50")
    assert checks.check("amount", parse_amount, "abc") is None
    assert checks.refused("amount") and not checks.refused("date")
    with pytest.raises(InvalidAmount) as caught:
        checks.verdict()
    assert caught.value.field == "amount"
    assert problems_of(caught.value) == (caught.value,)


def test_several_problems_are_refused_at_once_in_the_order_found() -> None:
    checks = Checks()
    checks.check("amount", parse_amount, "-3")
    checks.add("reason", InvalidInput("Say why."))
    checks.add("date", None)  # no problem there
    # A field the error already names stays its own.
    checks.add("other", InvalidInput("Unknown kind “{kind}”.", kind="x").at("kind"))
    with pytest.raises(Problems) as caught:
        checks.verdict()
    found = caught.value.problems
    assert [(type(p), p.field) for p in found] == [
        (InvalidAmount, "amount"),
        (InvalidInput, "reason"),
        (InvalidInput, "kind"),
    ]
    # One line each: what the command line prints, one `error:` line a problem.
    assert caught.value.message.splitlines() == [p.message for p in found]
    assert isinstance(caught.value, DomainError)


def test_problems_of_problems_are_flattened() -> None:
    inner = Checks()
    inner.add("a", InvalidInput("One."))
    inner.add("b", InvalidInput("Two."))
    outer = Checks()
    try:
        inner.verdict()
    except DomainError as error:
        outer.add(None, error)
    outer.add("c", InvalidInput("Three."))
    with pytest.raises(Problems) as caught:
        outer.verdict()
    assert [p.field for p in caught.value.problems] == ["a", "b", "c"]


def test_the_catalogue_does_not_take_problems_for_a_template_of_its_own() -> None:
    source = "raise Problems(found)\nraise InvalidInput(text)\n"
    namespace = {"Problems": Problems, "InvalidInput": InvalidInput}
    found = list(messages.find_sites(source, namespace, "example.py"))
    assert [(site.line, site.sink) for site in found] == [(2, "InvalidInput")]
