"""Home visits: candidates, the route, planning under the home-visit rules, outcomes offline."""

from __future__ import annotations

import random
import socket
import subprocess
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.database import Database
from app.models import (
    AuditEvent,
    Borrower,
    ContactKind,
    ContactPoint,
    Escalation,
    FieldVisit,
    PromiseToPay,
    Role,
    VisitRequest,
    VisitStatus,
)
from app.services.common.errors import InvalidDate, InvalidInput, NotAllowed, Problems
from app.services.common.reference import load_json
from app.services.contact.checklists import checklist_for
from app.services.contact.contacts import PromiseInput
from app.services.contact.escalations import kinds_raised_by
from app.services.contact.scripts import load_script
from app.services.field.visit_sheets import write_sheets
from app.services.field.visits import (
    VisitCandidate,
    VisitResult,
    day_visits,
    home_visit_rules,
    mark_for_visit,
    plan_visits,
    record_visit,
    route,
    visit_candidates,
    visit_outcomes,
)
from app.services.portfolio.accounts import account_detail
from app.services.portfolio.addresses import AddressInput
from tests.helpers.contacts import NOW
from tests.helpers.portfolio import Account, Portfolio

TODAY = date(2026, 11, 28)
TOMORROW = TODAY + timedelta(days=1)
BEIJING_AT = datetime(2026, 11, 29, 2, 30, tzinfo=UTC)  # 10:30 Beijing on the visit day


@pytest.fixture
def field(portfolio: Portfolio) -> Portfolio:
    portfolio.agent = portfolio.user("agent.zhao", Role.FIELD_AGENT)  # type: ignore[attr-defined]
    portfolio.user("agent.qian", Role.FIELD_AGENT)
    return portfolio


def _account(field: Portfolio, dpd: int = 45, **extra: object) -> Account:
    return field.account(today=TODAY, dpd=dpd, assigned_to=field.agent, **extra)  # type: ignore[attr-defined, arg-type]


def test_candidates_are_marked_accounts_and_those_the_rule_picks(
    db: Database, field: Portfolio
) -> None:
    quiet = _account(field, dpd=45)
    reached = _account(field, dpd=45)
    field.attempt(reached, NOW - timedelta(days=2), "RTP", user=field.agent)  # type: ignore[attr-defined]
    early = _account(field, dpd=10)
    paused = _account(field, dpd=60, vulnerable=True)
    mark_for_visit(db, "lead.wang", early.contract_no, "Borrower asked to meet.", now=NOW)
    found = {c.contract_no: c for c in visit_candidates(db, "agent.zhao", TOMORROW, now=NOW)}
    assert set(found) == {quiet.contract_no, early.contract_no}
    assert found[early.contract_no].reason == "marked"
    assert found[early.contract_no].note == "Borrower asked to meet."
    assert found[quiet.contract_no].reason == "rule"
    assert paused.contract_no not in found and reached.contract_no not in found


def test_only_a_team_lead_marks_an_account_and_says_why(db: Database, field: Portfolio) -> None:
    account = _account(field)
    with pytest.raises(NotAllowed):
        mark_for_visit(db, "agent.zhao", account.contract_no, "Go.", now=NOW)
    with pytest.raises(InvalidInput, match="why"):
        mark_for_visit(db, "lead.wang", account.contract_no, "  ", now=NOW)


def _candidate(district: str, street: str, contract: str) -> VisitCandidate:
    return VisitCandidate(
        loan_id=uuid.uuid4(),
        contract_no=contract,
        borrower_name="x",
        country="CN",
        province="北京市",
        city="北京市",
        district=district,
        street=street,
        dpd=40,
        overdue=Decimal("100.00"),
        currency="CNY",
        reason="rule",
        note="",
        last_rpc_on=None,
        planned_for=None,
    )


def test_the_route_keeps_districts_together_busiest_first_and_house_numbers_in_order() -> None:
    # Streets of a district go in character order (东 before 北), house numbers as numbers.
    stops = [
        _candidate("西城区", "金融街3号", "C1"),
        _candidate("东城区", "东四北大街10号", "C2"),
        _candidate("东城区", "东四北大街9号", "C3"),
        _candidate("东城区", "北新桥1号", "C4"),
    ]
    assert [c.contract_no for c in route(stops)] == ["C3", "C2", "C4", "C1"]


@given(st.randoms())
def test_the_route_is_the_same_whatever_order_the_accounts_come_in(rng: random.Random) -> None:
    stops = [
        _candidate(district, f"路{number}号", f"C{index:02d}")
        for index, (district, number) in enumerate(
            [
                ("东城区", 5),
                ("西城区", 12),
                ("东城区", 40),
                ("海淀区", 1),
                ("西城区", 2),
                ("东城区", 7),
            ]
        )
    ]
    shuffled = list(stops)
    rng.shuffle(shuffled)
    assert route(shuffled) == route(stops)


def test_a_visit_needs_two_agents_under_the_cn_profile(db: Database, field: Portfolio) -> None:
    account = _account(field)
    with pytest.raises(InvalidInput, match="at least 2 agents"):
        plan_visits(db, "agent.zhao", TOMORROW, [account.contract_no], now=NOW)
    with pytest.raises(InvalidInput, match="someone else"):
        plan_visits(
            db, "agent.zhao", TOMORROW, [account.contract_no], second_agent="agent.zhao", now=NOW
        )
    with pytest.raises(InvalidInput, match="cannot go on home visits"):
        plan_visits(
            db, "agent.zhao", TOMORROW, [account.contract_no], second_agent="zhang.wei", now=NOW
        )
    with db.reader() as session:
        assert session.scalars(select(FieldVisit)).all() == []


def test_planning_gives_each_stop_an_arrival_in_route_order(db: Database, field: Portfolio) -> None:
    accounts = [_account(field, street=f"东四北大街{n}号") for n in (1, 2, 3)]
    order = [accounts[2].contract_no, accounts[0].contract_no, accounts[1].contract_no]
    planned = plan_visits(
        db, "agent.zhao", TOMORROW, order, second_agent="agent.qian", start=time(9), now=NOW
    )
    assert [visit.contract_no for visit in planned] == order
    assert [visit.seq for visit in planned] == [1, 2, 3]
    # 40 minutes a stop and 15 to the next in the same district (visit_policy.json).
    assert [visit.planned_at for visit in planned] == [
        datetime(2026, 11, 29, 1, 0, tzinfo=UTC),
        datetime(2026, 11, 29, 1, 55, tzinfo=UTC),
        datetime(2026, 11, 29, 2, 50, tzinfo=UTC),
    ]
    assert planned[0].second_agent == "agent.qian"
    # The second agent sees the day too.
    assert [visit.id for visit in day_visits(db, "agent.qian", TOMORROW)] == [v.id for v in planned]


def test_replanning_the_day_reorders_and_cancels_what_was_dropped(
    db: Database, field: Portfolio
) -> None:
    first, second = _account(field), _account(field)
    plan_visits(
        db,
        "agent.zhao",
        TOMORROW,
        [first.contract_no, second.contract_no],
        second_agent="agent.qian",
        now=NOW,
    )
    again = plan_visits(
        db, "agent.zhao", TOMORROW, [second.contract_no], second_agent="agent.qian", now=NOW
    )
    assert [visit.contract_no for visit in again] == [second.contract_no]
    with db.reader() as session:
        statuses = sorted(v.status.value for v in session.scalars(select(FieldVisit)))
    assert statuses == ["cancelled", "planned"]


def test_a_route_running_past_visit_hours_is_refused(db: Database, field: Portfolio) -> None:
    accounts = [_account(field) for _ in range(3)]
    with pytest.raises(InvalidInput, match="outside the visit hours 08:00–20:00"):
        plan_visits(
            db,
            "agent.zhao",
            TOMORROW,
            [a.contract_no for a in accounts],
            second_agent="agent.qian",
            start=time(18, 30),
            now=NOW,
        )
    with pytest.raises(InvalidInput, match="outside the visit hours"):
        plan_visits(
            db,
            "agent.zhao",
            TOMORROW,
            [accounts[0].contract_no],
            second_agent="agent.qian",
            start=time(7),
            now=NOW,
        )


def test_a_past_day_and_an_account_planned_elsewhere_are_refused(
    db: Database, field: Portfolio
) -> None:
    account = _account(field)
    with pytest.raises(InvalidDate):
        plan_visits(
            db,
            "agent.zhao",
            TODAY - timedelta(days=1),
            [account.contract_no],
            second_agent="agent.qian",
            now=NOW,
        )
    plan_visits(
        db, "agent.zhao", TOMORROW, [account.contract_no], second_agent="agent.qian", now=NOW
    )
    with pytest.raises(InvalidInput, match="already has a visit planned"):
        plan_visits(
            db,
            "agent.zhao",
            TOMORROW + timedelta(days=1),
            [account.contract_no],
            second_agent="agent.qian",
            now=NOW,
        )


def _met(outcome: str = "MET", emotion: str = "calm", **extra: object) -> VisitResult:
    items = tuple(item.id for item in home_visit_rules("CN").checklist)
    code = visit_outcomes()[outcome].checklist_as
    assert code is not None
    emotional = tuple(item.id for item in checklist_for(emotion, code) if item.required)
    return VisitResult(outcome, BEIJING_AT, emotion=emotion, checklist=items + emotional, **extra)  # type: ignore[arg-type]


def _planned(db: Database, field: Portfolio, account: Account) -> object:
    return plan_visits(
        db, "agent.zhao", TOMORROW, [account.contract_no], second_agent="agent.qian", now=NOW
    )[0].id


def test_an_outcome_with_the_borrower_met_needs_the_home_visit_checklist(
    db: Database, field: Portfolio
) -> None:
    account = _account(field)
    visit_id = _planned(db, field, account)
    later = BEIJING_AT + timedelta(hours=1)
    incomplete = VisitResult(
        "MET", BEIJING_AT, emotion="calm", checklist=("all.calm_polite", "all.no_threats")
    )
    with pytest.raises(InvalidInput, match="home-visit checklist is not complete"):
        record_visit(db, "agent.zhao", visit_id, incomplete, now=later)  # type: ignore[arg-type]
    # No emotion and nothing ticked: both in one refusal, each at its field.
    with pytest.raises(Problems) as caught:
        record_visit(db, "agent.zhao", visit_id, VisitResult("MET", BEIJING_AT), now=later)  # type: ignore[arg-type]
    assert [(p.field, p.template.split(":")[0]) for p in caught.value.problems] == [
        ("emotion", "Choose the emotion you observed"),
        ("checklist", "The home-visit checklist is not complete. Still to confirm"),
    ]
    recorded = record_visit(
        db, "agent.qian", visit_id, _met(notes="Agreed to call back."), now=later
    )  # type: ignore[arg-type]
    visit = day_visits(db, "agent.zhao", TOMORROW)[0]
    assert visit.status is VisitStatus.DONE and visit.outcome == "MET"
    with db.reader() as session:
        stored = session.get_one(FieldVisit, recorded.visit_id)
        assert "visit.recording_notice" in stored.checklist and stored.emotion == "calm"
    with pytest.raises(InvalidInput, match="already recorded"):
        record_visit(db, "agent.zhao", visit_id, _met(), now=later)  # type: ignore[arg-type]


def test_nobody_home_records_no_emotion(db: Database, field: Portfolio) -> None:
    visit_id = _planned(db, field, _account(field))
    later = BEIJING_AT + timedelta(hours=1)
    with pytest.raises(InvalidInput, match="Nobody was met"):
        record_visit(
            db, "agent.zhao", visit_id, VisitResult("NH", BEIJING_AT, emotion="calm"), now=later
        )  # type: ignore[arg-type]
    record_visit(db, "agent.zhao", visit_id, VisitResult("NH", BEIJING_AT), now=later)  # type: ignore[arg-type]


def test_a_visit_note_with_a_hidden_character_is_refused_and_nothing_is_recorded(
    db: Database, field: Portfolio
) -> None:
    visit_id = _planned(db, field, _account(field))
    later = BEIJING_AT + timedelta(hours=1)
    hostile = VisitResult("NH", BEIJING_AT, notes="door \u202egnippohs\u202c closed")
    with pytest.raises(InvalidInput, match="U\\+202E"):
        record_visit(db, "agent.zhao", visit_id, hostile, now=later)  # type: ignore[arg-type]
    with db.reader() as session:
        assert session.get_one(FieldVisit, visit_id).status is not VisitStatus.DONE
    written = VisitResult("NH", BEIJING_AT, notes="  left a notice\nat the door  ")
    record_visit(db, "agent.zhao", visit_id, written, now=later)  # type: ignore[arg-type]
    with db.reader() as session:
        assert session.get_one(FieldVisit, visit_id).notes == "left a notice\nat the door"


def test_a_promise_on_a_visit_is_a_promise_to_pay_and_closes_the_leads_request(
    db: Database, field: Portfolio
) -> None:
    account = _account(field)
    mark_for_visit(db, "lead.wang", account.contract_no, "Large balance.", now=NOW)
    visit_id = _planned(db, field, account)
    later = BEIJING_AT + timedelta(hours=1)
    with pytest.raises(InvalidInput, match="amount and date"):
        record_visit(db, "agent.zhao", visit_id, _met("PTP"), now=later)  # type: ignore[arg-type]
    promise = PromiseInput("500.00", TOMORROW + timedelta(days=3))
    with pytest.raises(InvalidInput, match="Only a promise"):
        record_visit(db, "agent.zhao", visit_id, _met("MET", promise=promise), now=later)  # type: ignore[arg-type]
    recorded = record_visit(db, "agent.zhao", visit_id, _met("PTP", promise=promise), now=later)  # type: ignore[arg-type]
    with db.reader() as session:
        stored = session.get_one(PromiseToPay, recorded.promise_id)
        assert (stored.amount, stored.visit_id, stored.attempt_id) == (
            Decimal("500.00"),
            visit_id,
            None,
        )
        request = session.scalars(select(VisitRequest)).one()
        assert request.closed_at is not None and request.visit_id == visit_id
    assert visit_candidates(db, "agent.zhao", TOMORROW + timedelta(days=1), now=later) == ()


def test_a_harm_risk_on_a_visit_pauses_the_account_and_raises_an_escalation(
    db: Database, field: Portfolio
) -> None:
    account = _account(field)
    visit_id = _planned(db, field, account)
    recorded = record_visit(
        db,
        "agent.zhao",
        visit_id,
        _met("MET", emotion="self_harm_risk"),
        now=BEIJING_AT + timedelta(hours=1),  # type: ignore[arg-type]
    )
    assert recorded.flags_set == ("vulnerable",)
    with db.reader() as session:
        assert session.get_one(Borrower, account.borrower_id).vulnerable
        raised = session.scalars(select(Escalation)).all()
    assert [e.id for e in raised] == list(recorded.escalation_ids)
    assert [e.kind for e in raised] == [k.kind for k in kinds_raised_by("self_harm_risk", "HRD")]
    assert raised[0].kind


def test_someone_not_on_the_visit_cannot_record_it(db: Database, field: Portfolio) -> None:
    visit_id = _planned(db, field, _account(field))
    with pytest.raises(NotAllowed):
        record_visit(db, "zhang.wei", visit_id, VisitResult("NH", BEIJING_AT), now=BEIJING_AT)  # type: ignore[arg-type]


def test_outcomes_are_recorded_with_no_network_at_all(
    db: Database, field: Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    visit_id = _planned(db, field, _account(field))

    def offline(*_args: object, **_kwargs: object) -> socket.socket:
        raise OSError("network is unreachable")

    monkeypatch.setattr(socket, "socket", offline)
    monkeypatch.setattr(socket, "create_connection", offline)
    record_visit(db, "agent.zhao", visit_id, _met(), now=BEIJING_AT + timedelta(hours=1))  # type: ignore[arg-type]
    assert day_visits(db, "agent.zhao", TOMORROW)[0].outcome == "MET"


def test_every_talking_point_on_the_sheet_is_a_step_of_the_visit_script() -> None:
    script = load_script("field_visit", "en", "CN")
    assert set(load_json("visit_policy.json")["sheet_talking_points"]) <= set(script.steps)


def test_visit_sheets_print_the_route_the_rules_and_masked_ids(
    db: Database, field: Portfolio, tmp_path: Path
) -> None:
    accounts = [
        _account(field, street=f"东四北大街{n}号", name=name)
        for n, name in ((1, "李雷"), (2, "韩梅梅"))
    ]
    field.attempt(accounts[0], NOW - timedelta(days=9), "NA", user=field.agent)  # type: ignore[attr-defined]
    plan_visits(
        db,
        "agent.zhao",
        TOMORROW,
        [a.contract_no for a in accounts],
        second_agent="agent.qian",
        now=NOW,
    )
    out = write_sheets(db, "agent.zhao", TOMORROW, tmp_path / "day.pdf", language="zh_CN", now=NOW)
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "李雷" in text and "韩梅梅" in text
    assert "每次上门至少两名外访人员同行" in text
    with db.reader() as session:
        ids = [session.get_one(Borrower, a.borrower_id).id_number for a in accounts]
    assert all(number not in text for number in ids)
    assert all(f"{number[:6]}********{number[-4:]}" in text for number in ids)
    with db.reader() as session:
        printed = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "visit.sheets_printed")
        ).all()
    assert len(printed) == 1


def test_no_sheets_without_a_plan(db: Database, field: Portfolio, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="no visits planned"):
        write_sheets(db, "agent.zhao", TOMORROW, tmp_path / "day.pdf", now=NOW)
    assert not (tmp_path / "day.pdf").exists()


def test_a_visit_planned_for_a_day_gone_by_and_never_recorded_does_not_hold_the_account(
    db: Database, field: Portfolio
) -> None:
    account = _account(field)
    plan_visits(db, "agent.zhao", TODAY, [account.contract_no], second_agent="agent.qian", now=NOW)
    next_day = NOW + timedelta(days=1)
    found = visit_candidates(db, "agent.zhao", TOMORROW, now=next_day)
    assert [c.contract_no for c in found] == [account.contract_no]
    plan_visits(
        db, "agent.zhao", TOMORROW, [account.contract_no], second_agent="agent.qian", now=next_day
    )
    # The old visit can still be recorded (late paperwork), and the new one stands.
    assert [v.status for v in day_visits(db, "agent.zhao", TODAY)] == [VisitStatus.PLANNED]
    assert len(day_visits(db, "agent.zhao", TOMORROW)) == 1


# -- moved away, the timeline and why a visit is asked for -------------------------------------


def test_a_borrower_found_moved_away_is_visited_at_the_new_address_next_time(
    db: Database, field: Portfolio
) -> None:
    account = _account(field)
    visit_id = _planned(db, field, account)
    later = BEIJING_AT + timedelta(hours=1)
    new_home = AddressInput("北京", "北京市", "朝阳区", "建国路88号")
    with pytest.raises(InvalidInput, match="moved away"):
        record_visit(db, "agent.zhao", visit_id, _met(new_address=new_home), now=later)  # type: ignore[arg-type]
    hostile = AddressInput("北京", "北京市", "朝阳区", "建国路\u202e88号")
    with pytest.raises(InvalidInput, match="U\\+202E"):
        record_visit(
            db,
            "agent.zhao",
            visit_id,
            VisitResult("MOVED", BEIJING_AT, new_address=hostile),
            now=later,
        )  # type: ignore[arg-type]
    assert day_visits(db, "agent.zhao", TOMORROW)[0].status is VisitStatus.PLANNED
    recorded = record_visit(
        db,
        "agent.zhao",
        visit_id,
        VisitResult("MOVED", BEIJING_AT, notes="邻居说已搬走", new_address=new_home),
        now=later,
    )  # type: ignore[arg-type]
    assert recorded.new_address_id is not None
    with db.reader() as session:
        point = session.get_one(ContactPoint, recorded.new_address_id)
        assert (point.kind, point.value, point.time_zones) == (
            ContactKind.ADDRESS,
            "北京市朝阳区建国路88号",
            "Asia/Shanghai",
        )
        # The registered address is kept as it reads, marked as the one they left.
        assert session.get_one(Borrower, account.borrower_id).address_moved_from == (
            "北京市东城区东四北大街1号"
        )
    day_after = later + timedelta(days=1)
    (candidate,) = visit_candidates(db, "agent.zhao", TOMORROW + timedelta(days=1), now=day_after)
    assert (candidate.district, candidate.street) == ("朝阳区", "建国路88号")
    detail = account_detail(db, "agent.zhao", account.contract_no)
    assert detail.address_moved
    visit = next(item for item in detail.timeline if item.kind == "visit")
    assert (visit.details["status"], visit.details["outcome"], visit.details["notes"]) == (
        "done",
        "MOVED",
        "邻居说已搬走",
    )
    assert visit.at == BEIJING_AT


def test_moved_away_with_nowhere_known_is_no_candidate_and_cannot_be_planned(
    db: Database, field: Portfolio
) -> None:
    account = _account(field)
    visit_id = _planned(db, field, account)
    later = BEIJING_AT + timedelta(hours=1)
    record_visit(db, "agent.zhao", visit_id, VisitResult("MOVED", BEIJING_AT), now=later)  # type: ignore[arg-type]
    day_after = later + timedelta(days=1)
    assert visit_candidates(db, "agent.zhao", TOMORROW + timedelta(days=1), now=day_after) == ()
    with pytest.raises(InvalidInput, match="no new address is known"):
        plan_visits(
            db,
            "agent.zhao",
            TOMORROW + timedelta(days=1),
            [account.contract_no],
            second_agent="agent.qian",
            now=day_after,
        )


def test_a_visit_and_its_outcome_are_in_the_accounts_timeline(
    db: Database, field: Portfolio
) -> None:
    account = _account(field)
    mark_for_visit(db, "lead.wang", account.contract_no, "借款人要求当面沟通", now=NOW)
    visit_id = _planned(db, field, account)
    kinds = [item.kind for item in account_detail(db, "agent.zhao", account.contract_no).timeline]
    assert kinds.count("visit") == 1 and kinds.count("visit_request") == 1
    record_visit(db, "agent.qian", visit_id, _met(notes="答应月底前还款"), now=BEIJING_AT)  # type: ignore[arg-type]
    timeline = account_detail(db, "lead.wang", account.contract_no).timeline
    visit = next(item for item in timeline if item.kind == "visit")
    assert visit.details["outcome"] == "MET" and visit.details["emotion"] == "calm"
    assert visit.details["agents"] == ["agent.zhao", "agent.qian"]
    request = next(item for item in timeline if item.kind == "visit_request")
    assert request.details["reason"] == "借款人要求当面沟通" and request.details["closed"]


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_the_visit_sheet_says_why_in_the_leads_words_never_an_internal_code(
    db: Database, field: Portfolio, tmp_path: Path, language: str
) -> None:
    asked, overdue = _account(field, name="李雷"), _account(field, dpd=45, name="韩梅梅")
    mark_for_visit(db, "lead.wang", asked.contract_no, "借款人要求当面沟通还款安排", now=NOW)
    plan_visits(
        db,
        "agent.zhao",
        TOMORROW,
        [asked.contract_no, overdue.contract_no],
        second_agent="agent.qian",
        now=NOW,
    )
    out = write_sheets(db, "agent.zhao", TOMORROW, tmp_path / "day.pdf", language=language, now=NOW)
    text = subprocess.run(
        ["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = "".join(text.split())
    assert "借款人要求当面沟通还款安排" in flat
    if language == "zh_CN":
        assert "lead.wang于2026年11月28日要求上门" in flat
        assert "逾期45天，且已连续7天以上未联系到借款人本人" in flat
    else:
        assert "Askedforbylead.wangon" in flat
        assert "45dayspastdue,andtheborrowernotreachedfor7daysormore" in flat
    words = set(text.split())
    assert "marked" not in words and "rule" not in words
