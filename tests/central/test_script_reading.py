"""The server follows a saved script path exactly as the workstation does (issue 15).

`replay` (app.services.contact.scripts) and the server's `cw_script_reading` (migration 0008)
are two implementations of one rule: whatever path a collector's window saves, or an attacker
writes by hand, they must accept and refuse the same paths and read the same identity check and
the same untold disclosures from them. Random walks through every script under every profile
(answers, Back, ticks and unticks), some of them corrupted, go to both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import DataError

from app.database import Database
from app.services.common.errors import DomainError
from app.services.contact.scripts import (
    SAID,
    VISIT_STAGE,
    Script,
    ScriptRun,
    load_script,
    replay,
    stages,
)
from app.services.sync.central import init_central

# Each profile, by a country that has it (resources/compliance/jurisdictions.json).
COUNTRIES = {"CN": "CN", "US": "US", "UK": "GB"}

Verdict = tuple[bool | None, tuple[str, ...]] | str


@pytest.fixture(scope="module")
def server() -> Iterator[Database]:
    from tests.helpers.postgres import fresh_database

    with fresh_database() as url:
        database = Database(url)
        database.upgrade()
        init_central(database)
        yield database
        database.dispose()


def _python(script: Script, path: tuple[str, ...]) -> Verdict:
    try:
        run = replay(script, path)
    except DomainError:
        return "refused"
    return run.right_party, tuple(sorted(step.id for step in run.missing_disclosures()))


def _server(db: Database, stage: str, path: list[str], country: str) -> Verdict:
    channel = "visit" if stage == VISIT_STAGE else "call"
    try:
        with db.engine.connect() as connection:
            reading = connection.exec_driver_sql(
                "SELECT cw_script_reading(%s, %s::jsonb, %s, %s)",
                (stage, json.dumps(path), channel, country),
            ).scalar_one()
    except DataError:  # a NUL character, which no jsonb text holds: refused all the same
        return "refused"
    if "error" in reading:
        return "refused"
    return reading["right_party"], tuple(sorted(reading["untold"]))


@st.composite
def walks(draw: st.DrawFn) -> tuple[str, str, tuple[str, ...], ScriptRun]:
    """A stage, a profile, and the run of a collector who clicks about in its script."""
    stage = draw(st.sampled_from(stages()))
    profile = draw(st.sampled_from(sorted(COUNTRIES)))
    run = ScriptRun(load_script(stage, "en", profile))
    for _ in range(draw(st.integers(0, 40))):
        step = run.current
        moves: list[str] = []
        if step.kind == "ask":
            moves += [f"answer:{choice.id}" for choice in step.choices]
        elif step.next is not None:
            moves.append("advance")
        if run.can_go_back:
            moves.append("back")
        if step.kind == "disclosure":
            moves.append("untick" if run.is_ticked(step.id) else "tick")
        if not moves:
            break
        move = draw(st.sampled_from(moves))
        if move.startswith("answer:"):
            run.answer(move.removeprefix("answer:"))
        elif move == "advance":
            run.advance()
        elif move == "back":
            run.back()
        elif move == "tick":
            run.tick(step.id)
        else:
            run.untick(step.id)
    return stage, profile, run.path(), run


def _corrupt(draw: st.DrawFn, path: tuple[str, ...], script: Script) -> tuple[str, ...]:
    entries = list(path)
    ids = sorted(script.steps)
    junk = st.sampled_from(
        ["=", "==", "=said", "said", "", " ", "\u00a0", "verify=match=said", "x=y", "\u200b"]
    )
    kind = draw(
        st.sampled_from(["drop", "duplicate", "swap", "answer", "said", "replace", "append"])
    )
    at = draw(st.integers(0, max(len(entries) - 1, 0)))
    if kind == "drop" and len(entries) > 1:
        del entries[at]
    elif kind == "duplicate":
        entries.insert(at, entries[at])
    elif kind == "swap" and len(entries) > 1:
        other = draw(st.integers(0, len(entries) - 1))
        entries[at], entries[other] = entries[other], entries[at]
    elif kind == "answer":
        step_id = entries[at].partition("=")[0]
        entries[at] = f"{step_id}={draw(st.one_of(junk, st.text(max_size=6)))}"
    elif kind == "said":
        entries[at] = entries[at].partition("=")[0] + "=" + SAID
    elif kind == "replace":
        entries[at] = draw(st.one_of(st.sampled_from(ids), junk, st.text(max_size=8)))
    else:
        entries.append(draw(st.one_of(st.sampled_from(ids), junk)))
    return tuple(entries)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(walk=walks(), data=st.data())
def test_the_server_reads_every_path_as_the_workstation_does(
    server: Database, walk: tuple[str, str, tuple[str, ...], ScriptRun], data: st.DataObject
) -> None:
    stage, profile, path, run = walk
    script = run.script
    # A path the window saved is one replay follows to the same place, reading the same.
    followed = replay(script, path)
    assert followed.path() == path
    assert followed.right_party == run.right_party
    assert followed.missing_disclosures() == run.missing_disclosures()
    if data.draw(st.booleans()):
        path = _corrupt(data.draw, path, script)
    assert _server(server, stage, list(path), COUNTRIES[profile]) == _python(script, path), path
