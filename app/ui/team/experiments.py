"""The team's champion / challenger experiments on the lead's desk (issue 21, item 6): each
experiment's definition and its arms compared — cure rate, roll rate, amount collected per
account and contacts per cure, each with its 95 % interval and the number of accounts — and,
in plain words, where the challenger's difference from the champion is not yet significant.

A lead defines an experiment from the command line (`experiment create`, with the
challenger's weights file); here the lead reads it and may stop it. Opening an experiment
records the arms of the team's accounts that arrived since (a lead's look, as `experiment
compare`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.database import Database
from app.services.experiments.definitions import (
    METRICS,
    ExperimentInfo,
    list_experiments,
    record_arrivals,
    stop_experiment,
)
from app.ui.common.context import Context
from app.ui.common.dialogs import error_text, message_text
from app.ui.common.form_parts import buddy
from app.ui.common.runner import Latest
from app.ui.common.table_model import RowTableModel, TableColumn
from app.ui.common.tables import list_table

if TYPE_CHECKING:
    from app.services.experiments.comparison import Comparison, Figure

ARMS = ("champion", "challenger", "holdout")


@dataclass(frozen=True)
class ExperimentsView:
    experiments: tuple[ExperimentInfo, ...]
    comparison: Comparison | None


def load_experiments(db: Database, username: str, name: str | None) -> ExperimentsView:
    """Runs on the worker: the team's experiments and the one named compared (the newest when
    None), after recording the arms of accounts that arrived since."""
    found = list_experiments(db, username)
    chosen = next((info for info in found if info.name == name), found[0] if found else None)
    if chosen is None:
        return ExperimentsView(found, None)
    if record_arrivals(db, username, chosen.name):
        found = list_experiments(db, username)
    # numpy and scipy load here, on the worker, when a lead first opens the tab.
    from app.services.experiments.comparison import compare

    return ExperimentsView(found, compare(db, username, chosen.name))


def stop_and_load(db: Database, username: str, name: str) -> ExperimentsView:
    stop_experiment(db, username, name)
    return load_experiments(db, username, name)


class Column(enum.IntEnum):
    METRIC = 0
    CHAMPION = 1
    CHALLENGER = 2
    HOLDOUT = 3


@dataclass(frozen=True)
class _Line:
    metric: str
    figures: dict[str, Figure]


class ComparisonModel(RowTableModel[_Line, str]):
    """One row a metric, one column an arm."""

    def __init__(self, context: Context, parent: QObject | None = None) -> None:
        super().__init__(lambda line: line.metric, parent=parent)
        self.context = context
        names = {
            Column.CHAMPION: self.tr("Champion"),
            Column.CHALLENGER: self.tr("Challenger"),
            Column.HOLDOUT: self.tr("Holdout"),
        }
        columns: list[TableColumn[_Line]] = [
            TableColumn(self.tr("Measure"), lambda line: self.metric_name(line.metric))
        ]
        for column, arm in zip(
            (Column.CHAMPION, Column.CHALLENGER, Column.HOLDOUT), ARMS, strict=True
        ):
            columns.append(TableColumn(names[column], self._cell(arm)))
        self.set_columns(columns)

    def metric_name(self, metric: str) -> str:
        return {
            "cure_rate": self.tr("Cure rate (back to 0 days past due)"),
            "roll_rate": self.tr("Roll rate (to a worse bucket)"),
            "collected_per_account": self.tr("Collected per account (¥)"),
            "contacts_per_cure": self.tr("Contacts per cure"),
        }[metric]

    def _cell(self, arm: str) -> Callable[[_Line], str]:
        return lambda line: self.cell(line.metric, line.figures[arm])

    def value(self, metric: str, value: float | None) -> str:
        if value is None:
            return "—"
        locale = self.context.formats.locale
        if metric.endswith("_rate"):
            return self.tr("{value} %").format(value=locale.toString(100 * value, "f", 1))
        if metric == "collected_per_account":
            return locale.toString(value, "f", 2)
        return locale.toString(value, "f", 1)

    def cell(self, metric: str, figure: Figure) -> str:
        count = self.context.formats.number(figure.accounts)
        shown = self.value(metric, figure.value)
        if figure.low is None:
            return self.tr("{value} (n = {count})").format(value=shown, count=count)
        return self.tr("{value} (95 % CI {low} to {high}; n = {count})").format(
            value=shown,
            low=self.value(metric, figure.low),
            high=self.value(metric, figure.high),
            count=count,
        )


class ExperimentsPanel(QWidget):
    """The chooser, the definition, the comparison table and its notes. Nothing loads until
    `refresh()`. Signal `loaded()` after a (re)load."""

    loaded = Signal()

    def __init__(self, context: Context, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setObjectName("team-experiments")
        self._load = Latest()
        self.chosen: str | None = None
        self.view: ExperimentsView | None = None
        self.chooser = QComboBox()
        self.chooser.setAccessibleName(self.tr("Experiment"))
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName(self.tr("The experiment's definition"))
        self.model = ComparisonModel(context, self)
        self.table = list_table(self.model, self.tr("The arms compared"))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setAccessibleName(self.tr("What the comparison shows"))
        self.method = QLabel(
            self.tr(
                "Intervals: Wilson for the rates, the normal approximation for the amount per"
                " account, a bootstrap over the accounts for contacts per cure. The challenger"
                " is compared with the champion by Fisher's exact test (rates), Welch's t test"
                " (amount) and the bootstrap (contacts per cure). The holdout is ranked and"
                " reminded like the champion."
            )
        )
        self.method.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName(self.tr("Message"))
        self.stop_button = QPushButton(self.tr("&Stop the experiment"))
        self.stop_button.setEnabled(False)
        self.refresh_button = QPushButton(self.tr("Re&fresh"))
        header = QHBoxLayout()
        header.addWidget(buddy(self.tr("E&xperiment"), self.chooser))
        header.addWidget(self.chooser, 1)
        header.addWidget(self.stop_button)
        header.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notes)
        layout.addWidget(self.method)
        layout.addWidget(self.message)
        self.refresh_button.clicked.connect(self.refresh)
        self.stop_button.clicked.connect(self.stop)
        self.chooser.currentIndexChanged.connect(lambda _index: self._chosen())

    def refresh(self) -> None:
        self._load.run(
            self.context,
            load_experiments,
            self.context.username,
            self.chosen,
            on_done=self._loaded,
            on_error=self._failed,
        )

    def stop(self) -> None:
        if self.chosen is None:
            return
        asked = self.context.dialogs.confirm(
            self,
            self.tr("Stop the experiment"),
            self.tr(
                "Stop “{name}” now? Every account of the team is ranked by the champion's"
                " weights again; the arms recorded stay for the comparison."
            ).format(name=self.chosen),
        )
        if not asked:
            return
        self._load.run(
            self.context,
            stop_and_load,
            self.context.username,
            self.chosen,
            on_done=self._loaded,
            on_error=self._failed,
        )

    def _chosen(self) -> None:
        self.chosen = self.chooser.currentData()
        self.refresh()

    def _loaded(self, view: ExperimentsView) -> None:
        self.view = view
        self.message.clear()
        self.chooser.blockSignals(True)
        self.chooser.clear()
        for info in view.experiments:
            status = self.tr("running") if info.stopped_at is None else self.tr("stopped")
            self.chooser.addItem(
                self.tr("{name} ({status})").format(name=info.name, status=status), info.name
            )
        comparison = view.comparison
        self.chosen = None if comparison is None else comparison.experiment.name
        if self.chosen is not None:
            self.chooser.setCurrentIndex(max(self.chooser.findData(self.chosen), 0))
        self.chooser.blockSignals(False)
        self.chooser.setEnabled(bool(view.experiments))
        if comparison is None:
            self.summary.setText(
                self.tr(
                    "The team has no experiment yet. A lead defines one with"
                    " `experiment create` (the challenger's weights file, the shares)."
                )
            )
            self.model.set_rows([])
            self.notes.clear()
            self.stop_button.setEnabled(False)
            self.loaded.emit()
            return
        info = comparison.experiment
        formats = self.context.formats
        self.summary.setText(
            self.tr(
                "Team {team}, from {day}; shares champion / challenger / holdout {shares}."
                " Accounts: champion {champion}, challenger {challenger}, holdout {holdout}."
            ).format(
                team=info.team,
                day=formats.date(info.starts_on),
                shares=info.shares.as_text(),
                champion=formats.number(info.accounts["champion"]),
                challenger=formats.number(info.accounts["challenger"]),
                holdout=formats.number(info.accounts["holdout"]),
            )
        )
        self.model.set_rows(
            [
                _Line(metric, {arm: comparison.arms[arm][metric] for arm in ARMS})
                for metric in METRICS
            ]
        )
        significant = [
            self.tr("The challenger's {measure} differs significantly from the champion's.").format(
                measure=self.model.metric_name(d.metric).lower()
            )
            for d in comparison.differences
            if d.significant
        ]
        self.notes.setText(
            "\n".join([*significant, *(message_text(note) for note in comparison.notes)])
        )
        self.stop_button.setEnabled(info.stopped_at is None)
        self.loaded.emit()

    def _failed(self, error: BaseException) -> None:
        self.message.setText(error_text(error))
