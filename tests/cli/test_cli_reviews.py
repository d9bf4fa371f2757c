"""`collector-workstation review …`, `feedback` and `acknowledge`: call review, coaching
feedback and the two-step escalation from the command line, on the review floor
(tests/helpers/reviews.py) in the embedded database of a data folder. Run in this process
(`main`), with its output captured."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.cli.common import EXIT_USAGE
from app.config import resolve
from app.database import Database
from app.services.team.reviews import criteria, criteria_for
from tests.helpers.portfolio import Portfolio
from tests.helpers.reviews import (
    COLLEAGUE,
    COLLECTOR,
    LEAD,
    OTHER_LEAD,
    TODAY,
    YESTERDAY,
    build_floor,
)


@dataclass(frozen=True)
class World:
    folder: Path
    contacts: dict[str, uuid.UUID]
    # The accounts' contract numbers by the floor's names (a1: the PTP, a3: li.na's two).
    contracts: dict[str, str]

    def name(self, attempt_id: object) -> str:
        by_id = {str(value): name for name, value in self.contacts.items()}
        return by_id[str(attempt_id)]


@pytest.fixture
def world(tmp_path: Path) -> World:
    folder = tmp_path / "data"
    folder.mkdir()
    db = Database(resolve(str(folder)).database_url)
    db.upgrade()
    floor = build_floor(db, Portfolio(db))
    db.dispose()
    contracts = {name: account.contract_no for name, account in floor.accounts.items()}
    return World(folder, floor.contacts, contracts)


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(world: World, capsys: pytest.CaptureFixture[str]) -> Run:
    def run(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = main(["--data-dir", str(world.folder), *args])
        except SystemExit as exit:  # argparse refusing the arguments
            code = int(exit.code or 0)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def listed(run: Run, world: World, *filters: str) -> list[str]:
    code, out, err = run("review", "list", "--user", LEAD, *filters, "--json")
    assert code == 0, err
    return [world.name(row["attempt_id"]) for row in json.loads(out)]


def shown(run: Run, world: World, contact: str, user: str = LEAD) -> dict[str, Any]:
    code, out, err = run("review", "show", str(world.contacts[contact]), "--user", user, "--json")
    assert code == 0, err
    detail: dict[str, Any] = json.loads(out)
    return detail


def test_the_list_filters_the_lead_s_team_contacts_newest_first(run: Run, world: World) -> None:
    team = ["ptp", "harm", "angry", "lead_own", "na_yesterday"]
    assert listed(run, world) == team
    assert listed(run, world, "--collector", COLLEAGUE) == ["harm", "angry"]
    assert listed(run, world, "--incomplete-checklist") == ["angry"]
    assert listed(run, world, "--escalated") == ["harm"]
    assert listed(run, world, "--outcome", "PTP,RTP") == ["ptp", "angry"]
    assert listed(run, world, "--emotion", "calm,angry", "--limit", "2") == ["ptp", "angry"]
    # 23:30 on the 27th in Beijing is the 27th, though it was 15:30 UTC.
    day = YESTERDAY.isoformat()
    assert listed(run, world, "--from", day, "--to", day) == ["na_yesterday"]
    assert listed(run, world, "--from", TODAY.isoformat()) == team[:-1]

    code, out, err = run("review", "list", "--user", LEAD, "--collector", COLLEAGUE)
    assert code == 0, err
    harm, angry, total = out.splitlines()
    assert harm.startswith(str(world.contacts["harm"])) and "escalated" in harm
    assert "self_harm_risk" in harm and "unreviewed" in harm
    assert angry.startswith(str(world.contacts["angry"])) and "checklist INCOMPLETE" in angry
    assert "2026-11-28 10:00" in angry  # Beijing time, as stored
    assert total == "2 contact(s)"


def test_the_list_refuses_bad_dates_with_2_and_collectors_with_1(run: Run) -> None:
    code, _, err = run(
        "review", "list", "--user", LEAD, "--from", "2026-11-28", "--to", "2026-11-27"
    )
    assert code == EXIT_USAGE and "after its end" in err
    code, _, err = run("review", "list", "--user", LEAD, "--from", "2026-13-01")
    assert code == EXIT_USAGE and "2026-13-01" in err
    code, out, err = run("review", "list", "--user", COLLECTOR)
    assert (code, out) == (1, "") and err == "error: Only a team lead can open the team's views.\n"
    code, _, err = run("review", "list", "--user", LEAD, "--outcome", "PTP,XYZ")
    assert code == 1 and "Unknown outcome code “XYZ”" in err


def test_show_then_save_all_met_and_the_score_shows(run: Run, world: World) -> None:
    ptp = str(world.contacts["ptp"])
    code, out, err = run("review", "show", ptp, "--user", LEAD)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ptp
    assert lines[1].startswith("2026-11-28 10:57  zhang.wei") and "PTP  calm" in lines[1]
    assert "script: Early collection (M1)" in lines
    assert "  Verify identity → Matches" in lines
    assert "  Recording notice → given" in lines
    assert "checklist complete" in lines
    assert any(line.startswith("  [x] all.recap ") for line in lines)
    assert "promise: ¥500.00 by 2026-12-01 (pending, paid ¥0.00)" in lines
    assert "notes: Forgot the date; pays on Tuesday." in lines
    assert "not reviewed; you may review it" in lines
    applicable = [item.id for item in criteria_for("PTP", "calm")]
    answered = lines[lines.index("criteria:") + 1 :]
    assert [line.split()[:2] for line in answered] == [["-", id_] for id_ in applicable]

    code, out, err = run("review", "save", ptp, "--user", LEAD, "--all-met", "--comment", "Good.")
    assert code == 0, err
    assert out == (
        f"saved: score 100% ({len(applicable)} met, 0 not met, 0 n/a)"
        f" on {world.contracts['a1']} by {COLLECTOR}\n"
    )
    detail = shown(run, world, "ptp")
    assert detail["review"]["score"] == 100 and detail["review"]["comment"] == "Good."
    assert detail["review"]["answers"] == dict.fromkeys(applicable, "met")
    assert detail["contact"]["review_score"] == 100

    # Reviewing again replaces it: a red line missed, one criterion n/a (PTP, calm: 115 points,
    # 105 without the n/a 10, of which 85 met: 81 %).
    code, out, err = run(
        "review", "save", ptp, "--user", LEAD, "--all-met", "--not-met", "no_threats",
        "--na", "options_offered", "--comment", "Threatened a court case.",
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith(f"saved: score 81% ({len(applicable) - 2} met, 1 not met, 1 n/a)")
    code, out, err = run("review", "show", ptp, "--user", LEAD, "--lang", "zh_CN")
    assert code == 0, err
    assert f"reviewed by {LEAD} ({LEAD}) at " in out and ", not seen: score 81%" in out
    assert "  not_met no_threats " in out and "  n/a     options_offered " in out
    assert "核实身份" in out  # the criteria in Chinese
    assert out.endswith("comment: Threatened a court case.\n")
    assert listed(run, world, "--unreviewed") == ["harm", "angry", "lead_own", "na_yesterday"]


def test_saving_is_refused_with_the_service_s_message_and_saves_nothing(
    run: Run, world: World
) -> None:
    ptp, angry = str(world.contacts["ptp"]), str(world.contacts["angry"])
    refusals = [
        # A collector, on a colleague's contact and on their own, with or without --all-met.
        ((angry, "--user", COLLECTOR, "--all-met"), "Only a team lead can review a call."),
        ((ptp, "--user", COLLECTOR, "--all-met"), "Only a team lead can review a call."),
        ((ptp, "--user", COLLECTOR, "--met", "opening"), "Only a team lead can review a call."),
        (
            (str(world.contacts["lead_own"]), "--user", LEAD, "--all-met"),
            "No one reviews their own contact: ask another team lead.",
        ),
        (
            (ptp, "--user", OTHER_LEAD, "--all-met"),
            f"The contact by {COLLECTOR} is not your team's: a lead reviews their own team.",
        ),
        ((ptp, "--user", LEAD, "--met", "opening"), "Answer every criterion; still open: "),
        ((ptp, "--user", LEAD, "--all-met", "--met", "x_factor"), "Not a criterion for this"),
        (
            (ptp, "--user", LEAD, "--met", "opening", "--na", "opening"),
            "“opening” is given two answers; give it one.",
        ),
        ((str(uuid.uuid4()), "--user", LEAD, "--all-met"), "There is no contact "),
    ]
    for args, message in refusals:
        code, out, err = run("review", "save", *args)
        assert (code, out) == (1, ""), args
        assert err.startswith(f"error: {message}"), (args, err)
    assert listed(run, world, "--unreviewed") == listed(run, world)
    code, _, err = run("review", "show", ptp, "--user", COLLECTOR)
    assert code == 1 and err == "error: This contact has not been reviewed yet.\n"
    code, _, err = run("review", "save", "not-an-id", "--user", LEAD, "--all-met")
    assert code == EXIT_USAGE and "invalid UUID value" in err


def test_the_criteria_all_or_those_an_outcome_and_emotion_need(run: Run) -> None:
    code, out, err = run("review", "criteria")
    assert code == 0, err
    firsts = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert firsts == [item.id for item in criteria()]
    assert "when: contact, not rpc" in out  # the third party's criterion says where it applies
    code, out, err = run("review", "criteria", "--outcome", "NA")
    assert code == 0, err
    assert out.split() == ["record_accurate", "5", *criteria_for("NA", None)[0].en.split()]
    code, out, err = run("review", "criteria", "--outcome", "RTP", "--emotion", "angry")
    assert code == 0, err
    ids = [line.split()[0] for line in out.splitlines()]
    assert ids == [item.id for item in criteria_for("RTP", "angry")]
    assert "emotion_handled" in ids and "when:" not in out
    code, out, err = run("review", "criteria", "--outcome", "PTP", "--lang", "zh_CN")
    assert code == 0 and "核实身份" in out, err
    code, _, err = run("review", "criteria", "--emotion", "angry")
    assert code == 1 and "--outcome" in err
    code, _, err = run("review", "criteria", "--outcome", "XX")
    assert code == 1 and "Unknown outcome code “XX”" in err


def test_feedback_lists_the_review_and_mark_seen_clears_unseen(run: Run, world: World) -> None:
    ptp = str(world.contacts["ptp"])
    code, out, err = run("feedback", "--user", COLLECTOR)
    assert (code, out) == (0, "0 review(s); 0 not seen yet\n"), err
    code, _, err = run(
        "review", "save", ptp, "--user", LEAD, "--all-met", "--comment", "Well done."
    )
    assert code == 0, err

    code, out, err = run("feedback", "--user", COLLECTOR, "--unseen")
    assert code == 0, err
    row, total = out.splitlines()
    assert (
        row.startswith(f"{ptp}  2026-11-28 10:57  {world.contracts['a1']}") and "score 100%" in row
    )
    assert row.endswith("  NEW  “Well done.”") and f"by {LEAD} " in row
    assert total == "1 review(s); 1 not seen yet"
    code, out, err = run("feedback", "--user", COLLECTOR, "--json")
    assert code == 0, err
    [review] = json.loads(out)
    assert (review["attempt_id"], review["score"], review["seen_at"]) == (ptp, 100, None)
    # The collector opens their own contact now that it is reviewed; opening marks nothing.
    assert shown(run, world, "ptp", COLLECTOR)["review"]["comment"] == "Well done."
    code, _, err = run("feedback", "--user", COLLEAGUE, "--mark-seen")
    assert code == 0, err

    code, out, err = run("feedback", "--user", COLLECTOR, "--unseen", "--mark-seen", "--json")
    assert code == 0 and err == "marked 1 review(s) as seen\n"
    assert [item["review_id"] for item in json.loads(out)] == [review["review_id"]]
    code, out, err = run("feedback", "--user", COLLECTOR, "--unseen")
    assert (code, out) == (0, "0 review(s); 0 not seen yet\n"), err
    code, out, err = run("feedback", "--user", COLLECTOR)
    assert code == 0, err
    assert "  seen  “Well done.”" in out and out.endswith("1 review(s); 0 not seen yet\n")
    assert shown(run, world, "ptp", COLLECTOR)["review"]["seen_at"] is not None


def escalations(run: Run, user: str = LEAD) -> list[dict[str, Any]]:
    code, out, err = run("escalations", "--user", user, "--json")
    assert code == 0, err
    found: list[dict[str, Any]] = json.loads(out)
    return found


def test_acknowledge_then_decide(run: Run, world: World) -> None:
    [case] = escalations(run)
    assert case["attempt_id"] == str(world.contacts["harm"]) and case["acknowledged_by"] is None
    code, out, err = run("acknowledge", case["id"], "--user", COLLEAGUE)
    assert (code, out) == (1, "")
    assert err == "error: Only a team lead can acknowledge an escalation.\n"
    code, _, err = run("acknowledge", case["id"], "--user", OTHER_LEAD)
    assert code == 1 and "belongs to another team's account" in err
    assert escalations(run)[0]["acknowledged_by"] is None

    code, out, err = run("acknowledge", case["id"], "--user", LEAD)
    assert code == 0, err
    assert out.startswith(f"acknowledged: self_harm_risk on {world.contracts['a3']} by {LEAD} at ")
    assert f"decide {case['id']} --user {LEAD} --decision" in out
    [acknowledged] = escalations(run)
    assert acknowledged["acknowledged_by"] == LEAD and acknowledged["decided_at"] is None

    code, out, err = run(
        "decide", case["id"], "--user", LEAD, "--decision", "refer", "--note", "Counsellor Li."
    )
    assert (code, out) == (0, f"refer: self_harm_risk on {world.contracts['a3']}\n"), err
    assert escalations(run) == []
    code, out, err = run("acknowledge", case["id"], "--user", LEAD)
    assert code == 0 and "already decided: refer at " in out, err
    code, out, err = run("review", "show", str(world.contacts["harm"]), "--user", LEAD)
    assert code == 0 and f"escalation {case['id']}  self_harm_risk  raised " in out, err
    assert " refer at " in out
    code, _, err = run("acknowledge", str(uuid.uuid4()), "--user", LEAD)
    assert code == 1 and "There is no escalation" in err
