"""The one table model: what its cells and headers answer, and which signals each change sends."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from app.ui.common.table_model import RIGHT, RowTableModel, TableColumn
from app.ui.common.tables import list_table

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole


@dataclass(frozen=True)
class Debt:
    id: str
    name: str
    amount: int
    new: bool = False


BOLD = QFont()
BOLD.setBold(True)


def make_model() -> RowTableModel[Debt, str]:
    return RowTableModel(
        lambda debt: debt.id,
        [
            TableColumn("Name", lambda debt: debt.name),
            TableColumn(
                "Amount",
                lambda debt: f"{debt.amount:,}",
                align=RIGHT,
                tooltip=lambda debt: f"{debt.amount} yuan" if debt.amount else None,
                sort=lambda debt: debt.amount,
                header_tooltip="What is overdue",
            ),
            TableColumn(
                "Flag",
                lambda debt: "new" if debt.new else "",
                roles={Qt.ItemDataRole.CheckStateRole: lambda _debt: Qt.CheckState.Checked},
            ),
        ],
        roles={
            ID_ROLE: lambda debt: debt.id,
            Qt.ItemDataRole.FontRole: lambda debt: BOLD if debt.new else None,
            TOOLTIP: lambda debt: f"Debt {debt.id}",
        },
        sort_role=SORT_ROLE,
    )


DEBTS = (Debt("a", "王芳", 900), Debt("b", "李娜", 10_000, new=True), Debt("c", "陈静", 0))


class Signals:
    """Every change signal of a model, in the order sent."""

    def __init__(self, model: RowTableModel[Debt, str]) -> None:
        self.sent: list[tuple[Any, ...]] = []
        model.modelReset.connect(lambda: self.sent.append(("reset",)))
        model.dataChanged.connect(
            lambda first, last, roles: self.sent.append(
                ("changed", first.row(), first.column(), last.row(), last.column(), list(roles))
            )
        )
        model.rowsInserted.connect(lambda _parent, a, b: self.sent.append(("inserted", a, b)))
        model.rowsRemoved.connect(lambda _parent, a, b: self.sent.append(("removed", a, b)))
        model.rowsMoved.connect(lambda *_args: self.sent.append(("moved",)))
        model.layoutChanged.connect(lambda *_args: self.sent.append(("layout",)))


@pytest.fixture
def model(qtbot: QtBot) -> Iterator[RowTableModel[Debt, str]]:
    model = make_model()
    model.set_rows(DEBTS)
    yield model


def names(model: RowTableModel[Debt, str]) -> list[str]:
    return [debt.name for debt in model.rows]


def test_the_model_passes_the_model_tester(qtmodeltester, model: RowTableModel[Debt, str]) -> None:  # type: ignore[no-untyped-def]
    qtmodeltester.check(model)
    model.merge_rows([DEBTS[2], Debt("d", "赵磊", 5), DEBTS[0]])
    qtmodeltester.check(model)


def test_cells_answer_from_their_column_then_from_the_row(model: RowTableModel[Debt, str]) -> None:
    amount = model.index(1, 1)
    assert amount.data() == "10,000"
    assert amount.data(Qt.ItemDataRole.TextAlignmentRole) == RIGHT
    assert amount.data(SORT_ROLE) == 10_000
    assert amount.data(TOOLTIP) == "10000 yuan"
    # A column's reader answers even when its answer is None: the row's does not stand in.
    assert model.index(2, 1).data(TOOLTIP) is None
    name = model.index(1, 0)
    assert name.data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert name.data(SORT_ROLE) == "李娜"  # no sort key: the text
    assert name.data(TOOLTIP) == "Debt b"  # the row's
    assert name.data(ID_ROLE) == "b"
    assert name.data(Qt.ItemDataRole.FontRole) == BOLD
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(0, 2).data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert model.index(0, 0).data(Qt.ItemDataRole.CheckStateRole) is None
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.data(QModelIndex()) is None


def test_headers_are_the_columns_and_nothing_else(model: RowTableModel[Debt, str]) -> None:
    horizontal, vertical = Qt.Orientation.Horizontal, Qt.Orientation.Vertical
    assert [model.headerData(n, horizontal) for n in range(model.columnCount())] == [
        "Name",
        "Amount",
        "Flag",
    ]
    assert model.headerData(1, horizontal, TOOLTIP) == "What is overdue"
    assert model.headerData(0, horizontal, TOOLTIP) is None
    assert model.headerData(0, vertical) is None
    assert model.headerData(3, horizontal) is None
    assert model.headerData(-1, horizontal) is None


def test_set_rows_is_one_reset_and_the_keys_follow(model: RowTableModel[Debt, str]) -> None:
    assert model.row_of("b") == 1
    signals = Signals(model)
    model.set_rows([Debt("x", "韩梅梅", 1), DEBTS[1]])
    assert signals.sent == [("reset",)]
    assert model.rowCount() == 2
    assert model.row_of("b") == 1
    assert model.row_of("x") == 0
    assert model.row_of("a") is None
    assert model.row_by_key("x") == Debt("x", "韩梅梅", 1)
    assert model.row_by_key("a") is None
    assert model.index_of("b", 1) == model.index(1, 1)
    assert not model.index_of("a").isValid()
    assert model.key_at(0) == "x"


def test_update_row_repaints_that_row_alone(model: RowTableModel[Debt, str]) -> None:
    signals = Signals(model)
    paid = replace(DEBTS[1], amount=0)
    assert model.update_row("b", paid, [DISPLAY])
    assert signals.sent == [("changed", 1, 0, 1, 2, [DISPLAY])]
    assert model.row_by_key("b") == paid
    assert model.index(1, 1).data() == "0"
    assert model.update_row("a", replace(DEBTS[0], name="王芳芳"))
    assert signals.sent[-1] == ("changed", 0, 0, 0, 2, [])
    assert not model.update_row("nobody", DEBTS[0])
    assert len(signals.sent) == 2
    # A row whose key changed is found by its new key.
    assert model.update_row("c", Debt("z", "陈静", 0))
    assert (model.row_of("z"), model.row_of("c")) == (2, None)


def test_merge_rows_moves_only_what_came_went_or_changed(model: RowTableModel[Debt, str]) -> None:
    signals = Signals(model)
    kept = QPersistentModelIndex(model.index(2, 0))
    changed = replace(DEBTS[2], amount=50)
    model.merge_rows([DEBTS[0], Debt("d", "赵磊", 5), changed])
    assert signals.sent == [("removed", 1, 1), ("inserted", 1, 1), ("changed", 2, 0, 2, 2, [])]
    assert names(model) == ["王芳", "赵磊", "陈静"]
    assert kept.row() == 2
    assert model.row_of("d") == 1 and model.row_of("b") is None
    signals.sent.clear()
    model.merge_rows(model.rows)
    assert signals.sent == []


def test_merge_rows_drops_a_row_out_of_its_new_order(model: RowTableModel[Debt, str]) -> None:
    signals = Signals(model)
    model.merge_rows([DEBTS[2], DEBTS[0], DEBTS[1]])
    assert names(model) == ["陈静", "王芳", "李娜"]
    assert ("reset",) not in signals.sent and ("layout",) not in signals.sent


def test_a_merge_keeps_the_views_selection(qtbot: QtBot, model: RowTableModel[Debt, str]) -> None:
    table = list_table(model, "Debts")
    qtbot.addWidget(table)
    table.selectRow(2)
    model.merge_rows([Debt("d", "赵磊", 5), DEBTS[1], replace(DEBTS[2], amount=7)])
    assert model.row_for(table.currentIndex()) == replace(DEBTS[2], amount=7)
    assert [index.row() for index in table.selectionModel().selectedRows()] == [2]


def test_a_reset_clears_the_views_selection(qtbot: QtBot, model: RowTableModel[Debt, str]) -> None:
    table = list_table(model, "Debts")
    qtbot.addWidget(table)
    table.selectRow(1)
    model.set_rows(DEBTS)
    assert not table.selectionModel().hasSelection()


def test_row_for_reads_through_a_sorting_proxy(
    qtbot: QtBot, model: RowTableModel[Debt, str]
) -> None:
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setSortRole(SORT_ROLE)
    table = QTableView()
    qtbot.addWidget(table)
    table.setModel(proxy)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    # By the amount as a number (0, 900, 10,000), not as text ("0", "10,000", "900").
    assert [model.row_for(proxy.index(n, 0)) for n in range(3)] == [DEBTS[2], DEBTS[0], DEBTS[1]]
    assert model.row_for(QModelIndex()) is None
    other = make_model()
    assert other.row_for(proxy.index(0, 0)) is None


class Ranked(RowTableModel[Debt, str]):
    """A subclass that reorders its rows as a layout change, as the queue does."""

    def __init__(self) -> None:
        super().__init__(lambda debt: debt.id, [TableColumn("Name", lambda debt: debt.name)])

    def rank(self, keys: Sequence[str]) -> None:
        self._arrange(keys)

    def move(self, number: int, to: int) -> None:
        self._move_row(number, to)


def test_a_new_order_is_a_layout_change_that_views_follow(qtbot: QtBot) -> None:
    model = Ranked()
    model.set_rows(DEBTS)
    table = list_table(model, "Debts")
    qtbot.addWidget(table)
    table.selectRow(0)
    signals = Signals(model)
    model.rank(["c", "b", "a"])
    assert signals.sent == [("layout",)]
    assert names(model) == ["陈静", "李娜", "王芳"]
    assert model.row_for(table.currentIndex()) == DEBTS[0]
    assert model.row_of("a") == 2
    model.rank(["c", "b", "a"])
    assert signals.sent == [("layout",)]  # the same order: nothing sent
    model.move(2, 1)
    assert signals.sent[-1] == ("moved",)
    assert names(model) == ["陈静", "王芳", "李娜"]
    assert model.row_of("a") == 1
    assert model.row_for(table.currentIndex()) == DEBTS[0]
