"""A team's pool (issue 16): accounts nobody is assigned to wait in their team's pool, which its
lead sees and allocates, by hand or by the allocation rule (previewed first), all or nothing and
audited; nobody else sees it, and a pool account takes no priority or visit until someone works
it. On an embedded database; the same through a real PostgreSQL is at the end of
test_assignment_postgres.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.database import Database
from app.models import AuditEvent, Loan, Role, Team, User
from app.services.common.errors import InvalidInput, NotAllowed
from app.services.contact.queue import build_queue
from app.services.portfolio.importing import ImportRefused, import_portfolio
from app.services.sync import engine as sync
from app.services.team.assignment import (
    AccountFilter,
    ReassignRule,
    apply_reassignment,
    mark_for_visits,
    plan_reassignment,
    pool_accounts,
    priority_until,
    reassign,
    set_priority,
    team_accounts,
)
from app.services.team.members import team_members
from tests.helpers.contacts import NOW
from tests.helpers.portfolio import Account, Portfolio
from tests.services.portfolio.test_portfolio_import import _rows, _write
from tests.services.team.test_assignment import LEAD, TODAY, TeamWorld


class PoolWorld(TeamWorld):
    """TeamWorld, with the other team's id and a lead of it."""

    def __init__(self, db: Database, portfolio: Portfolio) -> None:
        super().__init__(db, portfolio)
        with db.session() as session:
            other = session.scalars(select(Team).where(Team.name == "电催二组")).one()
            self.other_team = other.id
            session.add(
                User(
                    username="lead.other",
                    display_name="lead.other",
                    role=Role.TEAM_LEAD,
                    team_id=other.id,
                )
            )

    def pooled(self, team: object = None, **extra: object) -> Account:
        values: dict[str, object] = {"today": TODAY, "dpd": 30}
        values.update(extra)
        return self.portfolio.account(pool=team or self.portfolio.team_id, **values)  # type: ignore[arg-type]

    def holder(self, account: Account) -> tuple[str | None, object]:
        """Who holds the account now, and who before."""
        with self.db.reader() as session:
            loan = session.get_one(Loan, account.loan_id)
            user = session.get(User, loan.assigned_to_id) if loan.assigned_to_id else None
            return (None if user is None else user.username), loan.previous_assignee_id


@pytest.fixture
def team(db: Database, portfolio: Portfolio) -> PoolWorld:
    return PoolWorld(db, portfolio)


def test_the_pool_is_the_teams_unassigned_active_accounts_and_only_its_lead_sees_it(
    db: Database, team: PoolWorld
) -> None:
    worked = team.account(dpd=10)
    waiting = team.pooled(dpd=40, principal="30000", name="池中人")
    theirs = team.pooled(team.other_team)
    found = pool_accounts(db, LEAD, now=NOW)
    assert [a.contract_no for a in found] == [waiting.contract_no]
    [row] = found
    assert (row.assignee, row.assignee_name, row.dpd, row.bucket) == (None, None, 40, "M2")
    assert row.overdue > 0
    # Among the team's accounts too, without a collector; a collector's filter leaves it out.
    listed = {a.contract_no: a.assignee for a in team_accounts(db, LEAD, now=NOW)}
    assert listed == {worked.contract_no: "zhang.wei", waiting.contract_no: None}
    mine = team_accounts(db, LEAD, AccountFilter(assignees=("zhang.wei",)), now=NOW)
    assert [a.contract_no for a in mine] == [worked.contract_no]
    both = team_accounts(db, LEAD, AccountFilter(assignees=("zhang.wei",), pool=True), now=NOW)
    assert {a.contract_no for a in both} == {worked.contract_no, waiting.contract_no}
    # The other team's lead sees their own pool; a collector sees none.
    assert [a.contract_no for a in pool_accounts(db, "lead.other", now=NOW)] == [theirs.contract_no]
    with pytest.raises(NotAllowed, match="Only a team lead"):
        pool_accounts(db, "zhang.wei", now=NOW)
    with pytest.raises(InvalidInput, match="no collector"):
        pool_accounts(db, LEAD, AccountFilter(assignees=("zhang.wei",)), now=NOW)
    # Nobody works it: it is in no queue.
    queue = build_queue(db, "zhang.wei", NOW, now=NOW)
    assert waiting.contract_no not in {entry.contract_no for entry in queue.entries}
    assert team_members(db, LEAD).pool == 1


def test_allocating_by_hand_gives_the_account_to_a_collector_and_audits_it(
    db: Database, team: PoolWorld
) -> None:
    waiting = team.pooled()
    done = reassign(db, LEAD, [waiting.contract_no], "li.na", reason="New this morning.", now=NOW)
    assert done.moved == (waiting.contract_no,)
    assert [(c.username, c.gained, c.lost) for c in done.changes] == [("li.na", 1, 0)]
    assert team.holder(waiting) == ("li.na", None)
    [event] = team.events("loan.allocated")
    assert event.details["from"] is None and event.details["to"] == "li.na"
    assert event.details["reason"] == "New this morning."
    assert pool_accounts(db, LEAD, now=NOW) == ()
    queue = build_queue(db, "li.na", NOW, now=NOW)
    assert waiting.contract_no in {entry.contract_no for entry in queue.entries}


def test_another_teams_pool_account_is_not_the_leads_to_allocate(
    db: Database, team: PoolWorld
) -> None:
    theirs = team.pooled(team.other_team)
    with pytest.raises(NotAllowed, match="not one of team"):
        reassign(db, LEAD, [theirs.contract_no], "li.na", reason="Mine now.", now=NOW)
    assert team.holder(theirs) == (None, None)
    assert team.events("loan.allocated") == []


def test_the_rule_previews_the_pools_spread_then_applies_that_very_plan(
    db: Database, team: PoolWorld
) -> None:
    held = team.account(team.li, dpd=20, principal="20000")
    pooled = [team.pooled(dpd=35, principal=p) for p in ("3000", "12000", "6000")]
    rule = ReassignRule(
        AccountFilter(pool=True), to=("zhang.wei", "li.na"), reason="Morning's pool.", by="count"
    )
    plan = plan_reassignment(db, LEAD, rule, now=NOW)
    # Only the pool's accounts move; li.na's own stays and counts towards her share.
    assert {m.contract_no for m in plan.moves} == {a.contract_no for a in pooled}
    assert {m.from_username for m in plan.moves} == {None}
    assert plan.unchanged == ()
    shares = {s.username: (s.before_count, s.after_count) for s in plan.shares}
    assert shares == {"zhang.wei": (0, 2), "li.na": (1, 2)}
    assert plan.as_json()["moves"][0]["from"] is None
    # The preview moved nothing.
    assert {team.holder(a)[0] for a in pooled} == {None}
    done = apply_reassignment(db, LEAD, plan, now=NOW)
    assert set(done.moved) == {a.contract_no for a in pooled}
    assert {team.holder(a)[0] for a in pooled} == {"zhang.wei", "li.na"}
    assert team.holder(held)[0] == "li.na"
    assert len(team.events("loan.allocated")) == 3 and team.events("loan.reassigned") == []


def test_a_plan_made_before_someone_took_a_pool_account_is_refused_whole(
    db: Database, team: PoolWorld
) -> None:
    first, second = team.pooled(), team.pooled()
    rule = ReassignRule(AccountFilter(pool=True), to=("li.na",), reason="Pool.")
    plan = plan_reassignment(db, LEAD, rule, now=NOW)
    reassign(db, LEAD, [first.contract_no], "zhang.wei", reason="Asked for it.", now=NOW)
    with pytest.raises(NotAllowed, match="changed hands"):
        apply_reassignment(db, LEAD, plan, now=NOW)
    assert team.holder(second) == (None, None)


def test_a_pool_account_takes_no_priority_or_visit_until_someone_works_it(
    db: Database, team: PoolWorld
) -> None:
    worked, waiting = team.account(), team.pooled()
    contracts = [worked.contract_no, waiting.contract_no]
    until = priority_until(TODAY)
    with pytest.raises(InvalidInput, match="in the team's pool: give it to a collector first"):
        set_priority(db, LEAD, contracts, "top", "Payday.", until, now=NOW)
    with pytest.raises(InvalidInput, match="in the team's pool"):
        mark_for_visits(db, LEAD, contracts, "Gone quiet.", now=NOW)
    with db.reader() as session:
        assert session.scalars(select(AuditEvent)).all() == []


def test_the_leads_copy_holds_the_pool_and_an_allocation_there_reaches_the_collector(
    tmp_path: Path,
) -> None:
    central = Database(f"sqlite:///{tmp_path / 'central.sqlite3'}")
    central.upgrade()
    team = PoolWorld(central, Portfolio(central))
    waiting = team.pooled(name="池中人")
    theirs = team.pooled(team.other_team)
    sync.install_clock(central)

    def copy(username: str) -> Database:
        local = Database(f"sqlite:///{tmp_path / f'{username}.sqlite3'}")
        local.upgrade()
        sync.install_outbox(local)
        sync.sync(local, central, username)
        return local

    lead, li = copy(LEAD), copy("li.na")
    try:
        with lead.reader() as session:
            held = set(session.scalars(select(Loan.contract_no)))
        assert waiting.contract_no in held and theirs.contract_no not in held
        with li.reader() as session:
            assert session.scalar(select(Loan.id).where(Loan.id == waiting.loan_id)) is None
        reassign(lead, LEAD, [waiting.contract_no], "li.na", reason="Yours.", now=NOW)
        report = sync.sync(lead, central, LEAD)
        assert report.push.refused == report.push.conflicts == 0
        assert team.holder(waiting) == ("li.na", None)
        assert sync.sync(li, central, "li.na").pull.arrived == 1
        queue = build_queue(li, "li.na", NOW, now=NOW)
        assert waiting.contract_no in {entry.contract_no for entry in queue.entries}
    finally:
        for db in (lead, li, central):
            db.dispose()


def test_the_import_puts_an_unassigned_loan_in_the_pool_of_the_team_it_names(
    db: Database, team: PoolWorld, tmp_path: Path
) -> None:
    with db.reader() as session:
        mine = session.get_one(Team, team.portfolio.team_id).name
    rows = _rows()
    loan = next(row for row in rows if row["record"] == "loan")
    # A team that is not the assignee's is refused, whole.
    loan["team"] = "电催二组"
    with pytest.raises(ImportRefused) as refused:
        import_portfolio(db, _write(tmp_path / "a.csv", rows), now=NOW)
    assert [(p.column, p.message) for p in refused.value.problems] == [
        ("team", "not the team of the user in assigned_to")
    ]
    # Nobody assigned: the team named in the row, over the import's default.
    loan["assigned_to"] = ""
    summary = import_portfolio(db, _write(tmp_path / "b.csv", rows), team=mine, now=NOW)
    assert summary.loans == 1
    [waiting] = pool_accounts(db, "lead.other", now=NOW)
    assert waiting.contract_no == loan["contract_no"] and pool_accounts(db, LEAD, now=NOW) == ()
    with pytest.raises(InvalidInput, match="There is no team “电催九组”"):
        import_portfolio(db, _write(tmp_path / "c.csv", rows), team="电催九组", now=NOW)
