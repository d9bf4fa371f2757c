"""The dashboard's charts: the team's daily trend and where each bucket's accounts went.

Each chart is built once and fed new numbers with every report (series, sets and axes are
kept, their points replaced), and double-clicking a point or a bar asks for its drill. A chart
is drawn in the palette's colours (its background, its text) and its series in the scheme's
(`app.ui.common.look`), again whenever the scheme changes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QGuiApplication, QPainter, QPalette, QPen
from PySide6.QtWidgets import QWidget

from app.services.team.kpis import BucketMovement, DayTrend
from app.ui.common.i18n import Formats
from app.ui.common.look import Scheme, Series, follow, series_colour

# Tall enough to read a chart, short enough that a 1366×768 screen keeps the tables above.
CHART_HEIGHT = 220
# Short day labels for the axis; the year only when the span crosses one.
_DAY_FORMATS = {"zh_CN": "M-d", "en": "d MMM"}


def _counts_axis(axis: QValueAxis, most: float) -> None:
    """0 up to `most` in whole steps (a count has no fractions to label)."""
    step = max(1, math.ceil(most / 5))
    axis.setTickType(QValueAxis.TickType.TicksDynamic)
    axis.setTickAnchor(0)
    axis.setTickInterval(step)
    axis.setRange(0, step * max(1, math.ceil(most / step)))


def _new_chart(title: str) -> QChart:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    chart.setBackgroundRoundness(0)
    return chart


def _dress(chart: QChart) -> None:
    """The chart's background and words in the palette's colours (QtCharts' own theme is
    light whatever the window's): text on base, like a table."""
    palette = QGuiApplication.palette()
    text = palette.color(QPalette.ColorRole.Text)
    grid = palette.color(QPalette.ColorRole.Mid)
    chart.setBackgroundBrush(QBrush(palette.color(QPalette.ColorRole.Base)))
    chart.setBackgroundPen(QPen(grid))
    chart.setTitleBrush(QBrush(text))
    chart.legend().setLabelColor(text)
    for axis in chart.axes():
        axis.setLabelsColor(text)
        axis.setTitleBrush(QBrush(text))
        axis.setLinePenColor(grid)
        axis.setGridLineColor(grid)


class TrendChart(QChartView):
    """Right-party contacts and promises per day (lines, left axis), and the amount collected
    (bars, right axis). Emits `drill_requested(Drill)` for a double-clicked point or bar."""

    drill_requested = Signal(object)

    def __init__(self, formats: Formats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.formats = formats
        self.trend: tuple[DayTrend, ...] = ()
        chart = _new_chart(self.tr("Daily trend"))
        # No titles on the vertical axes: QtCharts elides a short Chinese one to "…" beside
        # narrow labels. The legend says which scale a series reads on instead.
        self.collected_set = QBarSet(self.tr("Collected (¥, right scale)"))
        self.collected = QBarSeries()
        self.collected.append(self.collected_set)
        self.rpcs = QLineSeries()
        self.rpcs.setName(self.tr("Right-party contacts"))
        self.ptps = QLineSeries()
        self.ptps.setName(self.tr("Promises to pay"))
        for series in (self.rpcs, self.ptps):
            series.setPointsVisible(True)
        chart.addSeries(self.collected)
        chart.addSeries(self.rpcs)
        chart.addSeries(self.ptps)
        self.day_axis = QBarCategoryAxis()
        self.count_axis = QValueAxis()
        self.count_axis.setLabelFormat("%d")
        self.money_axis = QValueAxis()
        self.money_axis.setLabelFormat("%.0f")
        chart.addAxis(self.day_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.count_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(self.money_axis, Qt.AlignmentFlag.AlignRight)
        for series in (self.rpcs, self.ptps):
            series.attachAxis(self.day_axis)
            series.attachAxis(self.count_axis)
        self.collected.attachAxis(self.day_axis)
        self.collected.attachAxis(self.money_axis)
        self.setChart(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(self.tr("Daily trend"))
        self.setAccessibleDescription(
            self.tr("Double-click a point or a bar for the accounts behind it.")
        )
        self.setMinimumHeight(CHART_HEIGHT)
        follow(self, self._colour)
        self.rpcs.doubleClicked.connect(lambda point: self._point_drill("day_rpcs", point))
        self.ptps.doubleClicked.connect(lambda point: self._point_drill("day_ptps", point))
        self.collected.doubleClicked.connect(
            lambda position, _set: self.drill_at("day_collected", position)
        )

    def _colour(self, scheme: Scheme) -> None:
        _dress(self.chart())
        self.collected_set.setColor(series_colour(Series.COLLECTED, scheme))
        self.collected_set.setBorderColor(series_colour(Series.COLLECTED, scheme))
        for series, name in ((self.rpcs, Series.RPCS), (self.ptps, Series.PTPS)):
            pen = QPen(series_colour(name, scheme))
            pen.setWidthF(2)
            series.setPen(pen)
            series.setBrush(QBrush(series_colour(name, scheme)))

    def show_trend(self, trend: Sequence[DayTrend]) -> None:
        self.trend = tuple(trend)
        self.rpcs.replace([QPointF(x, day.rpcs) for x, day in enumerate(trend)])
        self.ptps.replace([QPointF(x, day.ptps) for x, day in enumerate(trend)])
        self.collected_set.remove(0, self.collected_set.count())
        self.collected_set.append([float(day.collected) for day in trend])
        self.day_axis.clear()
        labels = [self._day_label(day.day) for day in trend]
        self.day_axis.append(labels)
        if labels:
            self.day_axis.setRange(labels[0], labels[-1])
        # Thirty dates side by side do not fit: turned, they do.
        self.day_axis.setLabelsAngle(-90 if len(labels) > 10 else 0)
        _counts_axis(self.count_axis, max([d.rpcs for d in trend] + [d.ptps for d in trend] + [1]))
        most = max([float(day.collected) for day in trend] + [1.0])
        self.money_axis.setRange(0, most)
        self.money_axis.applyNiceNumbers()

    def _day_label(self, day: date) -> str:
        if self.trend and self.trend[0].day.year != self.trend[-1].day.year:
            return self.formats.date(day)
        pattern = _DAY_FORMATS.get(self.formats.language, _DAY_FORMATS["en"])
        return self.formats.locale.toString(QDate(day.year, day.month, day.day), pattern)

    def _point_drill(self, kpi: str, point: QPointF) -> None:
        self.drill_at(kpi, round(point.x()))

    def drill_at(self, kpi: str, position: int) -> None:
        """Ask for `kpi` (day_rpcs, day_ptps, day_collected) on the day at `position`."""
        if 0 <= position < len(self.trend):
            self.drill_requested.emit(self.trend[position].drill(kpi))


class BucketRollChart(QChartView):
    """Per bucket at the start, stacked: the accounts cured, still there, and rolled further.
    Emits `drill_requested(Drill)` for a double-clicked bar."""

    drill_requested = Signal(object)

    def __init__(self, formats: Formats, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.formats = formats
        self.movements: tuple[BucketMovement, ...] = ()
        chart = _new_chart(self.tr("Bucket roll: accounts"))
        self.cured = QBarSet(self.tr("Cured"))
        self.stayed = QBarSet(self.tr("Stayed"))
        self.rolled = QBarSet(self.tr("Rolled"))
        self.series = QStackedBarSeries()
        for bar_set in (self.cured, self.stayed, self.rolled):
            self.series.append(bar_set)
        chart.addSeries(self.series)
        self.bucket_axis = QBarCategoryAxis()
        self.bucket_axis.setTitleText(self.tr("Bucket at the start"))
        self.count_axis = QValueAxis()
        self.count_axis.setLabelFormat("%d")
        chart.addAxis(self.bucket_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(self.count_axis, Qt.AlignmentFlag.AlignLeft)
        self.series.attachAxis(self.bucket_axis)
        self.series.attachAxis(self.count_axis)
        self.setChart(chart)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName(self.tr("Bucket roll"))
        self.setAccessibleDescription(self.tr("Double-click a bar for the accounts behind it."))
        self.setMinimumHeight(CHART_HEIGHT)
        follow(self, self._colour)
        self.series.doubleClicked.connect(self._bar_drill)

    def _colour(self, scheme: Scheme) -> None:
        _dress(self.chart())
        for bar_set, name in (
            (self.cured, Series.CURED),
            (self.stayed, Series.STAYED),
            (self.rolled, Series.ROLLED),
        ):
            bar_set.setColor(series_colour(name, scheme))
            bar_set.setBorderColor(series_colour(name, scheme))

    def show_buckets(self, movements: Sequence[BucketMovement]) -> None:
        """The movements of one collector, or the team's."""
        self.movements = tuple(movements)
        codes = [movement.bucket for movement in movements]
        for bar_set, values in (
            (self.cured, [m.cured for m in movements]),
            (self.stayed, [m.accounts - m.cured - m.rolled for m in movements]),
            (self.rolled, [m.rolled for m in movements]),
        ):
            bar_set.remove(0, bar_set.count())
            bar_set.append([float(value) for value in values])
        self.bucket_axis.clear()
        self.bucket_axis.append(codes)
        if codes:
            self.bucket_axis.setRange(codes[0], codes[-1])
        _counts_axis(self.count_axis, max([m.accounts for m in movements] + [1]))

    def _bar_drill(self, position: int, bar_set: QBarSet) -> None:
        if bar_set is self.cured:
            kpi = "cured"
        elif bar_set is self.rolled:
            kpi = "rolled"
        else:
            # Those that stayed have no list of their own: every account of the bucket.
            kpi = "bucket_start"
        self.drill_at(kpi, position)

    def drill_at(self, kpi: str, position: int) -> None:
        """Ask for `kpi` (bucket_start, cured, rolled) of the bucket at `position`."""
        if 0 <= position < len(self.movements):
            self.drill_requested.emit(self.movements[position].drill(kpi))
