"""`Latest`: of the calls in one slot only the newest answers, and the slot says when it is free."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from app.database import Database
from app.ui.common.context import Context
from app.ui.common.dialogs import Dialogs
from app.ui.common.i18n import Formats
from app.ui.common.runner import Latest, Runner
from app.ui.common.settings import Settings

WAIT = 5.0


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[Runner]:
    runner = Runner()
    yield runner
    runner.stop()


def settled(qtbot: QtBot, runner: Runner) -> None:
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=5_000)


def held(gate: threading.Event, answer: Any) -> Any:
    """Runs on the worker: answers once the test opens `gate`."""
    gate.wait(WAIT)
    return answer


def fail(message: str) -> None:
    raise ValueError(message)


def test_a_new_call_drops_the_answer_of_the_one_before(qtbot: QtBot, runner: Runner) -> None:
    latest = Latest()
    gate = threading.Event()
    answers: list[str] = []
    errors: list[BaseException] = []
    first = latest.run(runner, held, gate, "first", on_done=answers.append, on_error=errors.append)
    second = latest.run(runner, held, gate, "second", on_done=answers.append)
    assert first.cancelled and not second.cancelled
    assert latest.busy
    gate.set()
    settled(qtbot, runner)
    assert answers == ["second"]
    assert errors == []
    assert not latest.busy


def test_only_the_newest_error_is_reported(qtbot: QtBot, runner: Runner) -> None:
    latest = Latest()
    errors: list[str] = []
    latest.run(runner, fail, "old", on_error=lambda error: errors.append(str(error)))
    latest.run(runner, fail, "new", on_error=lambda error: errors.append(str(error)))
    settled(qtbot, runner)
    assert errors == ["new"]
    assert not latest.busy


def test_an_error_nobody_takes_goes_to_the_window(qtbot: QtBot, runner: Runner) -> None:
    latest = Latest()
    with qtbot.waitSignal(runner.unhandled_error, timeout=5_000) as caught:
        latest.run(runner, fail, "nobody listens")
    assert str(caught.args[0]) == "nobody listens"
    assert not latest.busy


def test_cancel_drops_the_answer_and_frees_the_slot(qtbot: QtBot, runner: Runner) -> None:
    latest = Latest()
    gate = threading.Event()
    answers: list[str] = []
    job = latest.run(runner, held, gate, "dropped", on_done=answers.append)
    latest.cancel()
    assert job.cancelled
    assert not latest.busy
    gate.set()
    settled(qtbot, runner)
    assert answers == []
    latest.cancel()  # nothing in the slot: nothing happens


def test_the_slot_is_free_when_the_answer_comes(qtbot: QtBot, runner: Runner) -> None:
    """A caller that refuses a second call while one runs may ask again from its answer."""
    latest = Latest()
    seen: list[tuple[str, bool]] = []

    def answered(answer: str) -> None:
        seen.append((answer, latest.busy))
        if answer == "first":
            latest.run(runner, str.upper, "again", on_done=answered)

    latest.run(runner, str, "first", on_done=answered)
    settled(qtbot, runner)
    assert seen == [("first", False), ("AGAIN", False)]
    assert not latest.busy


def test_slots_are_independent(qtbot: QtBot, runner: Runner) -> None:
    lists, details = Latest(), Latest()
    answers: list[str] = []
    lists.run(runner, str, "list", on_done=answers.append)
    details.run(runner, str, "detail", on_done=answers.append)
    details.run(runner, str, "other detail", on_done=answers.append)
    settled(qtbot, runner)
    assert answers == ["list", "other detail"]


def test_through_a_context_the_service_gets_the_database_first(
    qtbot: QtBot, runner: Runner
) -> None:
    database = cast(Database, object())
    context = Context(
        db=database,
        username="zhang.wei",
        display_name="张伟",
        runner=runner,
        dialogs=cast(Dialogs, None),
        settings=cast(Settings, None),
        formats=Formats("en", ZoneInfo("Asia/Shanghai")),
    )
    latest = Latest()
    answers: list[tuple[Any, ...]] = []

    def service(db: Database, *args: Any, **kwargs: Any) -> tuple[Any, ...]:
        return (db, args, kwargs)

    latest.run(context, service, "old", on_done=answers.append)
    latest.run(context, service, 1, 2, now="today", on_done=answers.append)
    settled(qtbot, runner)
    assert answers == [(database, (1, 2), {"now": "today"})]
