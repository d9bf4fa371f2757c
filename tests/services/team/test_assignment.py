"""A team lead's queue management: the team's accounts, moves (chosen and by rule), priority
overrides and visit requests; who may do them, all or nothing, and the audit trail."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import (
    AuditEvent,
    Loan,
    LoanStatus,
    PriorityOverride,
    Role,
    Team,
    User,
    VisitRequest,
)
from app.services.common.errors import InvalidDate, InvalidInput, NotAllowed, NotFound
from app.services.portfolio.accounts import account_detail
from app.services.team.assignment import (
    AccountFilter,
    ReassignRule,
    apply_reassignment,
    clear_priority,
    mark_for_visits,
    plan_reassignment,
    priority_until,
    reassign,
    reassign_targets,
    set_priority,
    team_accounts,
)
from tests.helpers.contacts import NOW
from tests.helpers.portfolio import Account, Portfolio

TODAY = date(2026, 11, 28)  # NOW in Beijing
LEAD = "lead.wang"


class TeamWorld:
    """The portfolio's team: the lead, zhang.wei and li.na (collectors), a field agent, a
    second lead, a deactivated collector; and one collector of another team."""

    def __init__(self, db: Database, portfolio: Portfolio) -> None:
        self.db = db
        self.portfolio = portfolio
        self.zhang = portfolio.collector
        self.li = portfolio.user("li.na", Role.COLLECTOR)
        self.field = portfolio.user("zhao.field", Role.FIELD_AGENT)
        portfolio.user("lead.two", Role.TEAM_LEAD)
        self.gone = portfolio.user("gone.away", Role.COLLECTOR)
        with db.session() as session:
            session.get_one(User, self.gone).active = False
            other = Team(name="电催二组")
            session.add(other)
            session.flush()
            session.add(
                User(
                    username="other.team",
                    display_name="other.team",
                    role=Role.COLLECTOR,
                    team_id=other.id,
                )
            )

    def account(self, owner: uuid.UUID | None = None, **extra: object) -> Account:
        values: dict[str, object] = {"today": TODAY, "dpd": 30}
        values.update(extra)
        return self.portfolio.account(assigned_to=owner or self.zhang, **values)  # type: ignore[arg-type]

    def assignee(self, account: Account) -> str:
        with self.db.reader() as session:
            return (
                session.scalar(
                    select(User.username)
                    .join(Loan, Loan.assigned_to_id == User.id)
                    .where(Loan.id == account.loan_id)
                )
                or ""
            )

    def events(self, action: str) -> list[AuditEvent]:
        with self.db.reader() as session:
            return list(
                session.scalars(
                    select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.at)
                )
            )


@pytest.fixture
def team(db: Database, portfolio: Portfolio) -> TeamWorld:
    return TeamWorld(db, portfolio)


# -- the list --------------------------------------------------------------------------------


def test_the_list_holds_the_teams_active_accounts_with_balance_dpd_and_assignee(
    db: Database, team: TeamWorld
) -> None:
    mine = team.account(dpd=47, principal="24000")
    current = team.account(team.li, dpd=0)
    found = {a.contract_no: a for a in team_accounts(db, LEAD, now=NOW)}
    assert set(found) == {mine.contract_no, current.contract_no}
    row = found[mine.contract_no]
    balance = account_detail(db, "zhang.wei", mine.contract_no, NOW).balance
    assert (row.dpd, row.bucket, row.overdue) == (47, "M2", balance.overdue)
    assert row.overdue > 0 and balance.penalty > 0
    assert (row.assignee, row.city, row.district) == ("zhang.wei", "北京市", "东城区")
    assert (found[current.contract_no].dpd, found[current.contract_no].bucket) == (0, "C")
    assert found[current.contract_no].overdue == Decimal("0.00")


def test_the_list_shows_last_contact_visit_request_priority_and_pauses(
    db: Database, team: TeamWorld
) -> None:
    account = team.account(vulnerable=True)
    team.portfolio.attempt(account, NOW - timedelta(days=3), "PTP")
    team.portfolio.attempt(account, NOW - timedelta(days=1), "NA")  # nobody answered
    mark_for_visits(db, LEAD, [account.contract_no], "Never home by phone.", now=NOW)
    until = NOW + timedelta(days=2)
    set_priority(db, LEAD, [account.contract_no], "high", "Salary day.", until, now=NOW)
    [row] = team_accounts(db, LEAD, now=NOW)
    assert row.last_contact_on == TODAY - timedelta(days=3)
    assert row.visit_request == "Never home by phone."
    assert row.priority is not None and (row.priority.level, row.priority.expires_at) == (
        "high",
        until,
    )
    assert row.paused == ("vulnerable",)


def test_filters_by_assignee_bucket_dpd_area_and_text(db: Database, team: TeamWorld) -> None:
    m1 = team.account(dpd=12, name="陈静")
    m2 = team.account(dpd=45, district="朝阳区")
    m3 = team.account(team.li, dpd=75)

    def listed(**fields: object) -> set[str]:
        flt = AccountFilter(**fields)  # type: ignore[arg-type]
        return {a.contract_no for a in team_accounts(db, LEAD, flt, now=NOW)}

    assert listed(assignees=("li.na",)) == {m3.contract_no}
    assert listed(buckets=("M1", "M3")) == {m1.contract_no, m3.contract_no}
    assert listed(min_dpd=40, max_dpd=75) == {m2.contract_no, m3.contract_no}
    assert listed(area="朝阳") == {m2.contract_no}
    assert listed(text="陈静") == {m1.contract_no}
    assert listed(text=m3.contract_no.lower()) == {m3.contract_no}
    with pytest.raises(InvalidInput):
        listed(buckets=("M9",))
    with pytest.raises(InvalidInput):
        listed(min_dpd=50, max_dpd=10)
    with pytest.raises(NotFound):
        listed(assignees=("other.team",))


def test_collectors_cannot_open_the_list(db: Database, team: TeamWorld) -> None:
    team.account()
    with pytest.raises(NotAllowed):
        team_accounts(db, "zhang.wei", now=NOW)


def test_an_administrator_reads_the_team_but_moves_nothing(
    db: Database, team: TeamWorld, portfolio: Portfolio
) -> None:
    account = team.account()
    # The portfolio's administrator (admin.zhou), who has no team.
    with db.reader() as session:
        name = session.scalars(select(Team.name)).first()
    assert [a.contract_no for a in team_accounts(db, "admin.zhou", team=name, now=NOW)] == [
        account.contract_no
    ]
    # The central database takes moves from the team's lead alone: refused here, not there.
    with pytest.raises(NotAllowed, match="Only a team lead"):
        reassign(db, "admin.zhou", [account.contract_no], "li.na", reason="x", team=name, now=NOW)
    assert team.assignee(account) == "zhang.wei" and team.events("loan.reassigned") == []


def test_accounts_go_to_active_collectors_and_field_agents_only(
    db: Database, team: TeamWorld
) -> None:
    names = [member.username for member in reassign_targets(db, LEAD)]
    assert names == ["li.na", "zhang.wei", "zhao.field"]


# -- moving by hand --------------------------------------------------------------------------


def test_reassign_moves_the_accounts_and_audits_each_one(db: Database, team: TeamWorld) -> None:
    first, second = team.account(), team.account()
    already = team.account(team.li)
    done = reassign(
        db,
        LEAD,
        [first.contract_no, second.contract_no, already.contract_no],
        "li.na",
        reason="zhang.wei is on leave",
        now=NOW,
    )
    assert done.moved == (first.contract_no, second.contract_no)
    assert done.unchanged == (already.contract_no,)
    changes = {c.username: (c.gained, c.lost) for c in done.changes}
    assert changes == {"li.na": (2, 0), "zhang.wei": (0, 2)}
    assert {team.assignee(a) for a in (first, second, already)} == {"li.na"}
    with db.reader() as session:
        assert session.get_one(Loan, first.loan_id).assigned_at == NOW
    events = team.events("loan.reassigned")
    assert [e.entity_id for e in events] == [str(first.loan_id), str(second.loan_id)]
    assert events[0].details == {
        "contract_no": first.contract_no,
        "from": "zhang.wei",
        "to": "li.na",
        "reason": "zhang.wei is on leave",
    }
    assert events[0].user_id == team.portfolio.lead


def test_one_bad_contract_moves_nothing(db: Database, team: TeamWorld) -> None:
    good = team.account()
    with pytest.raises(NotFound):
        reassign(db, LEAD, [good.contract_no, "T-NO-SUCH"], "li.na", reason="leave", now=NOW)
    assert team.assignee(good) == "zhang.wei"
    assert team.events("loan.reassigned") == []


def test_an_account_of_another_team_or_closed_moves_nothing(db: Database, team: TeamWorld) -> None:
    good = team.account()
    with team.db.session() as session:
        stranger = session.scalar(select(User.id).where(User.username == "other.team"))
    theirs = team.account(stranger)
    with pytest.raises(NotAllowed):
        reassign(db, LEAD, [good.contract_no, theirs.contract_no], "li.na", reason="x", now=NOW)
    with team.db.session() as session:
        session.get_one(Loan, theirs.loan_id).assigned_to_id = team.zhang
        session.get_one(Loan, theirs.loan_id).status = LoanStatus.SETTLED
    with pytest.raises(InvalidInput):
        reassign(db, LEAD, [good.contract_no, theirs.contract_no], "li.na", reason="x", now=NOW)
    assert team.assignee(good) == "zhang.wei"


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("other.team", NotAllowed),  # another team's collector
        ("lead.two", NotAllowed),  # a lead works no queue of their own
        ("lead.wang", NotAllowed),
        ("gone.away", NotAllowed),  # deactivated
        ("nobody", NotFound),
    ],
)
def test_accounts_only_go_to_an_active_worker_of_the_team(
    db: Database, team: TeamWorld, target: str, error: type[Exception]
) -> None:
    account = team.account()
    with pytest.raises(error):
        reassign(db, LEAD, [account.contract_no], target, reason="x", now=NOW)
    assert team.assignee(account) == "zhang.wei"


def test_a_collector_cannot_reassign_and_a_reason_is_needed(db: Database, team: TeamWorld) -> None:
    account = team.account()
    with pytest.raises(NotAllowed):
        reassign(db, "zhang.wei", [account.contract_no], "li.na", reason="mine", now=NOW)
    with pytest.raises(InvalidInput):
        reassign(db, LEAD, [account.contract_no], "li.na", reason="  ", now=NOW)
    with pytest.raises(InvalidInput):
        reassign(db, LEAD, [], "li.na", reason="x", now=NOW)
    assert team.assignee(account) == "zhang.wei"


def test_a_field_agent_may_receive_accounts(db: Database, team: TeamWorld) -> None:
    account = team.account()
    reassign(db, LEAD, [account.contract_no], "zhao.field", reason="visit work", now=NOW)
    assert team.assignee(account) == "zhao.field"


# -- moving by rule --------------------------------------------------------------------------


def test_a_rule_spreads_by_count_so_each_target_ends_even(db: Database, team: TeamWorld) -> None:
    leaving = [team.account(principal=str(6000 + 1000 * n)) for n in range(7)]
    team.account(team.li)  # li.na holds one already
    rule = ReassignRule(AccountFilter(assignees=("zhang.wei",)), ("li.na", "zhao.field"), "leave")
    plan = plan_reassignment(db, LEAD, rule, now=NOW)
    shares = {s.username: (s.before_count, s.after_count) for s in plan.shares}
    assert shares == {"li.na": (1, 4), "zhao.field": (0, 4)}
    assert len(plan.moves) == 7 and plan.unchanged == ()
    assert {m.from_username for m in plan.moves} == {"zhang.wei"}
    # Largest first: the biggest account goes to the emptier target.
    assert plan.moves[0].contract_no == leaving[-1].contract_no
    assert plan.moves[0].to_username == "zhao.field"
    # Nothing is written by a plan.
    assert {team.assignee(a) for a in leaving} == {"zhang.wei"}


def test_a_rule_by_amount_evens_the_overdue_and_is_deterministic(
    db: Database, team: TeamWorld
) -> None:
    big = team.account(principal="90000")
    smalls = [team.account(principal="10000") for _ in range(9)]
    rule = ReassignRule(
        AccountFilter(assignees=("zhang.wei",)), ("zhao.field", "li.na"), "leave", by="amount"
    )
    plan = plan_reassignment(db, LEAD, rule, now=NOW)
    by_target: dict[str, set[str]] = {}
    for move in plan.moves:
        by_target.setdefault(move.to_username, set()).add(move.contract_no)
    # The one large account on one side, the nine small ones (as much in all) on the other.
    assert sorted(by_target.values(), key=len) == [
        {big.contract_no},
        {a.contract_no for a in smalls},
    ]
    amounts = [s.after_amount for s in plan.shares]
    assert abs(amounts[0] - amounts[1]) < max(amounts) / 5
    again = plan_reassignment(db, LEAD, replace(rule, to=("li.na", "zhao.field")), now=NOW)
    assert again == plan


def test_a_rule_keeps_an_account_with_its_holder_when_that_is_fair(
    db: Database, team: TeamWorld
) -> None:
    ones = [team.account(team.li, dpd=45), team.account(dpd=45)]
    rule = ReassignRule(AccountFilter(buckets=("M2",)), ("li.na", "zhang.wei"), "rebalance M2")
    plan = plan_reassignment(db, LEAD, rule, now=NOW)
    assert plan.moves == ()
    assert set(plan.unchanged) == {a.contract_no for a in ones}
    with pytest.raises(InvalidInput):
        apply_reassignment(db, LEAD, plan, now=NOW)


def test_applying_a_plan_moves_its_accounts_unless_one_changed_hands(
    db: Database, team: TeamWorld
) -> None:
    accounts = [team.account() for _ in range(4)]
    rule = ReassignRule(AccountFilter(assignees=("zhang.wei",)), ("li.na", "zhao.field"), "leave")
    plan = plan_reassignment(db, LEAD, rule, now=NOW)
    reassign(db, LEAD, [accounts[0].contract_no], "zhao.field", reason="urgent", now=NOW)
    with pytest.raises(NotAllowed):
        apply_reassignment(db, LEAD, plan, now=NOW)
    assert [team.assignee(a) for a in accounts[1:]] == ["zhang.wei"] * 3
    fresh = plan_reassignment(db, LEAD, rule, now=NOW)
    done = apply_reassignment(db, LEAD, fresh, now=NOW)
    assert len(done.moved) == 3
    assert {team.assignee(a) for a in accounts} == {"li.na", "zhao.field"}
    assert len(team.events("loan.reassigned")) == 4


def test_a_rule_needs_accounts_targets_of_the_team_and_a_known_balance(
    db: Database, team: TeamWorld
) -> None:
    team.account()
    flt = AccountFilter(assignees=("zhang.wei",))
    with pytest.raises(InvalidInput):
        plan_reassignment(db, LEAD, ReassignRule(flt, (), "x"), now=NOW)
    with pytest.raises(NotAllowed):
        plan_reassignment(db, LEAD, ReassignRule(flt, ("other.team",), "x"), now=NOW)
    with pytest.raises(InvalidInput):
        plan_reassignment(db, LEAD, ReassignRule(flt, ("li.na",), "x", by="mood"), now=NOW)
    # A rule naming no accounts would deal out the whole team's book.
    with pytest.raises(InvalidInput):
        plan_reassignment(db, LEAD, ReassignRule(AccountFilter(), ("li.na",), "x"), now=NOW)


# -- priority overrides ----------------------------------------------------------------------


def _overrides(db: Database) -> list[PriorityOverride]:
    with db.reader() as session:
        return list(session.scalars(select(PriorityOverride).order_by(PriorityOverride.set_at)))


def test_a_priority_must_expire_in_the_future_within_the_policy(
    db: Database, team: TeamWorld
) -> None:
    account = [team.account().contract_no]
    with pytest.raises(InvalidDate):
        set_priority(db, LEAD, account, "top", "x", NOW, now=NOW)
    with pytest.raises(InvalidDate):
        set_priority(db, LEAD, account, "top", "x", NOW + timedelta(days=30, seconds=1), now=NOW)
    with pytest.raises(InvalidInput):
        set_priority(db, LEAD, account, "urgent", "x", NOW + timedelta(days=1), now=NOW)
    with pytest.raises(InvalidInput):
        set_priority(db, LEAD, account, "top", " ", NOW + timedelta(days=1), now=NOW)
    with pytest.raises(NotAllowed):
        set_priority(db, "zhang.wei", account, "top", "x", NOW + timedelta(days=1), now=NOW)
    assert _overrides(db) == []
    set_priority(db, LEAD, account, "top", "x", NOW + timedelta(days=30), now=NOW)
    assert len(_overrides(db)) == 1


def test_a_new_priority_replaces_the_one_in_force(db: Database, team: TeamWorld) -> None:
    account = team.account()
    first = set_priority(
        db, LEAD, [account.contract_no], "top", "Promised salary.", priority_until(TODAY), now=NOW
    )
    assert first.replaced == ()
    later = NOW + timedelta(hours=1)
    second = set_priority(
        db, LEAD, [account.contract_no], "low", "Paid most.", NOW + timedelta(days=3), now=later
    )
    assert second.replaced == (account.contract_no,)
    old, new = _overrides(db)
    assert (old.level, old.cleared_at, old.cleared_by_id) == ("top", later, team.portfolio.lead)
    assert (new.level, new.cleared_at, new.reason) == ("low", None, "Paid most.")
    [row] = team_accounts(db, LEAD, now=later)
    assert row.priority is not None and row.priority.level == "low"
    events = team.events("priority.set")
    assert [e.details["level"] for e in events] == ["top", "low"]
    assert events[1].details["replaced"] == [str(old.id)]


def test_until_a_day_means_to_the_end_of_that_day_in_beijing() -> None:
    assert priority_until(date(2026, 12, 5)).isoformat() == "2026-12-05T16:00:00+00:00"


def test_clearing_ends_the_override_now_and_names_accounts_without_one(
    db: Database, team: TeamWorld
) -> None:
    with_one, without = team.account(), team.account()
    set_priority(db, LEAD, [with_one.contract_no], "high", "x", NOW + timedelta(days=1), now=NOW)
    later = NOW + timedelta(minutes=5)
    done = clear_priority(db, LEAD, [with_one.contract_no, without.contract_no], now=later)
    assert (done.cleared, done.without) == ((with_one.contract_no,), (without.contract_no,))
    [override] = _overrides(db)
    assert override.cleared_at == later
    assert [row.priority for row in team_accounts(db, LEAD, now=later)] == [None, None]
    assert len(team.events("priority.cleared")) == 1


# -- visit requests --------------------------------------------------------------------------


def _requests(db: Database) -> int:
    with db.reader() as session:
        return int(session.scalar(select(func.count()).select_from(VisitRequest)) or 0)


def test_marking_for_visits_is_all_or_nothing_and_never_twice(
    db: Database, team: TeamWorld
) -> None:
    first, second = team.account(), team.account()
    with pytest.raises(NotFound):
        mark_for_visits(db, LEAD, [first.contract_no, "T-NO-SUCH"], "Gone quiet.", now=NOW)
    assert _requests(db) == 0
    done = mark_for_visits(db, LEAD, [first.contract_no], "Gone quiet.", now=NOW)
    assert done.marked == (first.contract_no,)
    again = mark_for_visits(db, LEAD, [first.contract_no, second.contract_no], "Both.", now=NOW)
    assert (again.marked, again.already) == ((second.contract_no,), (first.contract_no,))
    assert _requests(db) == 2
    assert len(team.events("visit.requested")) == 2
    with pytest.raises(NotAllowed):
        mark_for_visits(db, "zhang.wei", [first.contract_no], "Mine.", now=NOW)
