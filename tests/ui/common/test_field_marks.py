"""Every problem at its field: a red border, the problem as tooltip and under the field, the
first field (as the form reads) focused, and the field as it was once the problem is gone."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.services.common.errors import Checks, DomainError, InvalidInput, Problems
from app.ui.common.field_marks import PROPERTY, FieldMarks


def refusal() -> Problems:
    checks = Checks()
    checks.add("reason", InvalidInput("Say why the accounts move: the audit trail keeps it."))
    checks.add(None, InvalidInput("Choose at least one account."))
    checks.add("name", InvalidInput("Give the attorney's name."))
    try:
        checks.verdict()
    except Problems as error:
        return error
    raise AssertionError("refused")


def test_each_problem_is_marked_at_its_field_and_the_first_in_the_form_is_focused(
    qtbot: QtBot,
) -> None:
    form_widget = QWidget()
    qtbot.addWidget(form_widget)
    form = QFormLayout(form_widget)
    name, reason = QLineEdit(), QLineEdit()
    name.setToolTip("The attorney's full name")
    reason.setStyleSheet("color: #333")
    marks = FieldMarks()
    form.addRow("Name", name)
    form.addRow("", marks.add("name", name))
    form.addRow("Reason", reason)
    form.addRow("", marks.add("reason", reason))
    with qtbot.waitActive(form_widget):
        form_widget.show()
        form_widget.activateWindow()

    elsewhere = marks.show(refusal())
    # What is about no field comes back for the form to say where it says such things.
    assert elsewhere == ["Choose at least one account."]
    assert marks.marked() == {
        "name": "Give the attorney's name.",
        "reason": "Say why the accounts move: the audit trail keeps it.",
    }
    assert name.property(PROPERTY) is True and "border" in reason.styleSheet()
    assert name.toolTip() == "Give the attorney's name."
    assert marks.note("reason").isVisible()
    # Name comes first in the form, though the service found the reason first.
    qtbot.waitUntil(name.hasFocus)

    # Put right: one problem left; the other field is as it was before.
    checks = Checks()
    checks.add("reason", InvalidInput("Say why the accounts move: the audit trail keeps it."))
    try:
        checks.verdict()
    except DomainError as error:
        assert marks.show(error, focus=False) == []
    assert set(marks.marked()) == {"reason"}
    assert name.property(PROPERTY) is False
    assert name.toolTip() == "The attorney's full name" and name.styleSheet() == ""
    assert not marks.note("name").isVisible()
    marks.clear()
    assert marks.marked() == {} and reason.styleSheet() == "color: #333"


def test_an_error_that_is_not_the_users_is_said_elsewhere() -> None:
    marks = FieldMarks()
    assert marks.show(RuntimeError("boom")) == [
        "Something went wrong (RuntimeError). The details are in the log."
    ]
