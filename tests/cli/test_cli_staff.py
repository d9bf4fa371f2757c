"""The command line signed in to the central server as each staff role.

COLLECTOR_WORKSTATION_DATABASE_URL names a user's own login (made by `central add-user`), over
TCP with TLS and their password, as a workstation signs in. Every command a role may use runs,
or says in one line why it cannot; every command that is not for the role says so in one line,
before it touches data; what the server itself refuses comes back as one line too, never a
traceback. Run in this process (`main`), with its output captured; one test runs the program
itself.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import socket
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from app.cli import main
from app.cli.common import EXIT_USAGE
from app.cli.parser import command_parsers
from app.config import DATABASE_URL_ENV
from app.database import TLS_ROOT_CERT_ENV, Database, alembic_config, head_revision
from app.models import Escalation, Role, User
from app.services.common.clock import business_zone, local_today
from app.services.common.reference import queue_weights
from app.services.contact.contacts import ContactInput, record_contact
from app.services.field.visits import plan_visits
from app.services.plans.agreements import create_agreement
from app.services.plans.lifecycle import save_plan
from app.services.plans.offers import PlanTerms
from app.services.sync.central import add_user, init_central
from tests.helpers.contacts import required, script_path
from tests.helpers.portfolio import Portfolio
from tests.helpers.postgres import fresh_database, server_ca, server_tls, tcp_url, tls_environment
from tests.helpers.scorecards import write_card
from tests.helpers.tcp_proxy import TcpProxy

PASSWORD = "correct horse battery"
MOBILE = "13812345678"
ROLES = ("collector", "field_agent", "team_lead")

# Who may run each command signed in to the server as a staff login: c a collector, f a field
# agent, l a team lead, s the reminders job's system login; "" an administrator only. The
# README's table says the same.
FOR = {
    "status": "cfl",
    "db upgrade": "",
    "db repair-summary": "",
    "demo-data": "",
    "users": "cfl",
    "queue": "cfl",
    "account": "cfl",
    "check-contact": "cfl",
    "log-contact": "cfl",
    "script": "cfl",
    # Read no database (a resources file): whoever runs them is not asked who they are.
    "checklist": "cfls",
    "escalations": "cfl",
    "decide": "l",
    "note": "cfl",
    "payment": "cfl",
    "my-day": "cfl",
    "agreement": "cfl",
    "verify-agreement": "cfl",
    "plan list": "cfl",
    "plan approve": "l",
    "plan reject": "l",
    "plan issue": "cfl",
    "plan sign": "cfl",
    "plan cancel": "cfl",
    "plan print": "cfl",
    "plan allow": "l",
    "letters issue": "cfl",
    "letters batch": "cfl",
    "legal-package": "l",
    "audit-export": "l",
    "visit-sheets": "fl",
    "visits candidates": "fl",
    "visits plan": "fl",
    "visits list": "fl",
    "visits record": "fl",
    "attach": "fl",
    "attachments": "cfl",
    "visits mark": "l",
    "central init": "",
    "central add-user": "",
    "central deactivate-user": "",
    "central import-portfolio": "",
    "central team create": "",
    "central team list": "",
    "central team rename": "",
    "central retention run": "",
    "central feed": "",
    "demo-feed": "",
    "messaging set-secret": "",
    "messaging test-email": "",
    "messaging test-sms": "",
    "model train": "",
    "model report": "",
    # An administrator stores a scorecard; a lead chooses the team's and switches it off and
    # on; everyone lists what they may read.
    "model upload": "",
    "model list": "cfl",
    "model promote": "l",
    "model off": "l",
    "model on": "l",
    "sync": "cfl",
    "team accounts": "l",
    "team pool": "l",
    "team members": "l",
    "team reassign": "l",
    "team priority": "l",
    "team clear-priority": "l",
    "team mark-visit": "l",
    "team feeds": "l",
    "legal refer": "l",
    "legal withdraw": "l",
    "legal step": "l",
    "legal show": "l",
    "legal list": "l",
    "report": "l",
    "review list": "l",
    "review show": "cfl",
    "review save": "l",
    "review criteria": "cfls",  # reads no database, as checklist
    "feedback": "cfl",
    "acknowledge": "l",
    "contacts list": "cfl",
    "contacts add": "cfl",
    "contacts mark": "cfl",
    "contacts lift": "l",
    "contacts preferences": "cfl",
    "contacts attorney": "cfl",
    # The dispatcher's: its own system login (or an administrator), never a staff login; a
    # lead reads the team's credit-reporting notices.
    "reminders run": "s",
    "reminders reports": "s",
    "reminders opt-out": "s",
    "reminders notices": "ls",
    "reminders uncertain": "s",
    "reminders resolve": "",
    "reminders overview": "l",
    "dispute open": "cfl",
    "dispute list": "cfl",
    "dispute show": "cfl",
    "dispute attach": "cfl",
    "dispute decide": "l",
    "complaint log": "cfl",
    "complaint list": "cfl",
    "complaint reply": "l",
    "complaint counts": "l",
    # A lead defines and stops the team's experiments; the team reads them.
    "experiment create": "l",
    "experiment list": "cfl",
    "experiment show": "cfl",
    "experiment stop": "l",
    "experiment compare": "cfl",
}
LETTER = {"collector": "c", "field_agent": "f", "team_lead": "l", "system": "s"}
# Every login the table speaks of: the staff roles and the reminders job's.
SIGNED_IN = (*ROLES, "system")
ALLOWED = [(c, r) for c, roles in FOR.items() for r in SIGNED_IN if LETTER[r] in roles]
REFUSED = [(c, r) for c, roles in FOR.items() for r in SIGNED_IN if LETTER[r] not in roles]


def _suffix() -> str:
    return "_t" + uuid.uuid4().hex[:8]


@dataclass
class World:
    """A central database at the newest revision with a team's three staff logins."""

    folder: Path
    url: str  # the administrator's
    db: Database  # as the administrator
    portfolio: Portfolio
    logins: dict[str, str]  # role (and "field2", a second agent) → login
    ids: dict[str, uuid.UUID]  # the same → user id
    contracts: dict[str, str]  # mine, mine2, mine3 (the collector's), agents, agents2, others
    attempt: str  # the collector's contact on mine, which escalated
    escalation: str
    pending_plan: str  # on mine2, waiting for a lead's approval
    issued_plan: str  # on mine3, with its agreement in agreement_pdf
    agreement_pdf: Path
    visit: str  # the field agent's, on agents, tomorrow
    at: str  # a recent daytime moment, for contacts
    tomorrow: str
    first_due: str

    def account(self, owner: str | None, dpd: int = 30) -> str:
        """A new account assigned to this role's user (None: to zhang.wei, a collector of the
        team with no login); its contract number."""
        today = local_today(datetime.now(UTC))
        who = self.ids[owner] if owner else None
        return self.portfolio.account(today=today, dpd=dpd, assigned_to=who).contract_no


def _staff_url(admin_url: str, login: str) -> str:
    """How a staff login signs in to the test server (the database of `admin_url`): over TCP,
    with their own password; the program adds TLS (verify-full), trusting the test CA that
    COLLECTOR_WORKSTATION_TLS_ROOT_CERT names. The one place to change how staff connect."""
    return tcp_url(admin_url, login, PASSWORD)


def _recent_daytime() -> datetime:
    """A moment in the last 24 hours when Beijing is awake (contacts are logged within a day)."""
    now = datetime.now(UTC)
    candidate = now - timedelta(hours=1)
    if 9 <= candidate.astimezone(business_zone()).hour < 20:
        return candidate
    local = now.astimezone(business_zone()).replace(hour=15, minute=0, second=0, microsecond=0)
    if local > now:
        local -= timedelta(days=1)
    return local.astimezone(UTC)


def _grant_staff_basics(db: Database) -> None:
    """What migration 0007 grants staff on its database, for one at an older revision: to read
    which revision the schema is at (the program asks before every command), and to connect
    (0007 run on another database of the cluster takes CONNECT from PUBLIC on this one)."""
    database = make_url(db.url).database
    with db.engine.begin() as connection:
        connection.exec_driver_sql("GRANT SELECT ON alembic_version TO cw_staff")
        connection.exec_driver_sql(f'GRANT CONNECT ON DATABASE "{database}" TO cw_staff')


def _drop_logins(db: Database, logins: list[str]) -> None:
    with db.engine.connect() as connection:
        connection.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ANY(%s)",
            (logins,),
        )
        connection.commit()
        for login in logins:
            connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{login}"')
        connection.commit()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("cli-staff")
    with fresh_database() as url:
        db = Database(url)
        init_central(db)
        portfolio = Portfolio(db)
        with db.engine.connect() as connection:
            team = connection.exec_driver_sql("SELECT name FROM teams LIMIT 1").scalar_one()
        suffix = _suffix()
        logins = {role: f"{role.split('_')[0]}{suffix}" for role in ROLES}
        logins["field2"] = f"field2{suffix}"
        try:
            for role, login in logins.items():
                add_user(db, login, "field_agent" if role == "field2" else role, team, PASSWORD)
            logins["system"] = f"system{suffix}"
            add_user(db, logins["system"], "system", None, PASSWORD)
            with db.reader() as session:
                ids = {
                    role: session.scalars(select(User.id).where(User.username == login)).one()
                    for role, login in logins.items()
                }
            now = datetime.now(UTC)
            today = local_today(now)
            accounts = {
                "mine": portfolio.account(today=today, dpd=30, assigned_to=ids["collector"]),
                "mine2": portfolio.account(today=today, dpd=12, assigned_to=ids["collector"]),
                "mine3": portfolio.account(today=today, dpd=20, assigned_to=ids["collector"]),
                "agents": portfolio.account(today=today, dpd=95, assigned_to=ids["field_agent"]),
                "agents2": portfolio.account(today=today, dpd=95, assigned_to=ids["field_agent"]),
                "others": portfolio.account(today=today, dpd=30),
            }
            contracts = {name: account.contract_no for name, account in accounts.items()}
            at = _recent_daytime()
            recorded = record_contact(
                db,
                ContactInput(
                    username=logins["collector"],
                    contract_no=contracts["mine"],
                    disposition="DSP",
                    started_at=at,
                    contact_point_id=accounts["mine"].points["mobile"],
                    duration_seconds=60,
                    emotion="angry",
                    checklist=required("angry", "DSP"),
                    script_stage="mid",
                    script_steps=script_path("DSP", "mid"),
                ),
            )
            assert recorded.escalation_kind == "dispute"
            with db.reader() as session:
                escalation = session.scalars(
                    select(Escalation.id).where(Escalation.loan_id == accounts["mine"].loan_id)
                ).one()
            first_due = today + timedelta(days=10)
            pending = save_plan(
                db,
                logins["collector"],
                contracts["mine2"],
                PlanTerms(kind="instalments", first_due=first_due, instalments=36),
            )
            made = create_agreement(
                db,
                logins["collector"],
                contracts["mine3"],
                PlanTerms(kind="instalments", first_due=first_due, instalments=3),
                folder / "agreement.pdf",
            )
            assert made.path is not None
            tomorrow = today + timedelta(days=1)
            (visit,) = plan_visits(
                db,
                logins["field_agent"],
                tomorrow,
                [contracts["agents"]],
                second_agent=logins["field2"],
            )
            yield World(
                folder=folder,
                url=url,
                db=db,
                portfolio=portfolio,
                logins=logins,
                ids=ids,
                contracts=contracts,
                attempt=str(recorded.attempt_id),
                escalation=str(escalation),
                pending_plan=str(pending.id),
                issued_plan=str(made.plan.id),
                agreement_pdf=made.path,
                visit=str(visit.id),
                at=at.isoformat(),
                tomorrow=tomorrow.isoformat(),
                first_due=first_due.isoformat(),
            )
        finally:
            _drop_logins(db, list(logins.values()))
            db.dispose()


Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(world: World, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    """Run a command signed in as a role's login ("admin": the administrator's URL)."""
    ca = str(server_ca())

    def run(
        role: str, *args: str, stdin: str = "", url: str | None = None, root_cert: str = ""
    ) -> tuple[int, str, str]:
        monkeypatch.setenv(TLS_ROOT_CERT_ENV, root_cert or ca)
        monkeypatch.setenv(
            DATABASE_URL_ENV,
            url or (world.url if role == "admin" else _staff_url(world.url, world.logins[role])),
        )
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            code = main(["--data-dir", str(world.folder / role), *args])
        except SystemExit as exit:  # argparse refusing the arguments
            code = int(exit.code or 0)
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _consent(world: World) -> Path:
    """A consent to enter, scanned: a file to attach to a visit."""
    path = world.folder / "consent.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    return path


def _args(world: World, role: str) -> dict[str, list[str]]:
    """Arguments that make sense for each command, as `role` would give them."""
    w, c = world, world.contracts
    # Accounts of the role's own: a field agent works the ones assigned to them.
    own, own2 = ("agents", "agents2") if role == "field_agent" else ("mine", "mine2")
    out = str(world.folder / f"{role}-out")
    today = local_today(datetime.now(UTC)).isoformat()
    # The challenger's weights for `experiment create`: today's, with M1 first.
    challenger = copy.deepcopy(queue_weights())
    challenger["bucket"]["M1"] = 900
    weights = str(world.folder / "challenger.json")
    Path(weights).write_text(json.dumps(challenger), encoding="utf-8")
    return {
        "status": [],
        "db upgrade": [],
        "db repair-summary": [],
        "demo-data": ["--accounts", "5"],
        "users": [],
        "queue": ["--at", w.at],
        "account": [c[own]],
        "script": [c[own]],
        "check-contact": ["--contract", c[own], "--number", MOBILE, "--at", w.at],
        "log-contact": ["--contract", c[own2], "--outcome", "NA", "--number", MOBILE],
        "checklist": ["--emotion", "calm", "--outcome", "PTP"],
        "escalations": [],
        "decide": [w.escalation, "--decision", "pause"],
        "note": [c[own], "回访前再核对地址。"],
        "payment": ["--contract", c["mine"], "--amount", "10.00"],
        "my-day": ["--json"],
        "agreement": f"--contract {c[own2]} --installments 3 --first-due {w.first_due}"
        f" --out {out}.pdf".split(),
        "verify-agreement": [str(w.agreement_pdf)],
        "plan list": ["--contract", c[own2]],
        "plan approve": [w.pending_plan],
        "plan reject": [w.pending_plan, "--reason", "too long"],
        "plan issue": [w.pending_plan, "--out", f"{out}-issued.pdf"],
        "plan sign": [w.issued_plan],
        "plan cancel": [w.pending_plan, "--reason", "the borrower changed their mind"],
        "plan print": [w.issued_plan, "--out", f"{out}-print.pdf"],
        # The dispute on mine pauses it.
        "plan allow": ["--contract", c["mine"], "--reason", "asks for a plan as forbearance"],
        "letters issue": ["--kind", "demand", "--contract", c[own2], "--out", f"{out}-letter.pdf"],
        "letters batch": ["--kind", "credit-notice", "--team", "--out", str(world.folder)],
        "legal-package": ["--contract", c["mine"], "--out", f"{out}-package.zip"],
        "audit-export": ["--from", today, "--to", today, "--out", f"{out}-audit"],
        "visit-sheets": ["--date", w.tomorrow, "--out", f"{out}-sheets.pdf"],
        "visits candidates": ["--date", w.tomorrow],
        "visits plan": [c["agents2"], "--date", w.tomorrow, "--second-agent", w.logins["field2"]],
        "visits list": ["--date", w.tomorrow],
        "visits record": [w.visit, "--outcome", "NH", "--at", w.at],
        "attach": ["--visit", w.visit, "--purpose", "consent", str(_consent(world))],
        "attachments": ["--contract", c[own]],
        "visits mark": ["--contract", c["mine"], "--reason", "no answer for two weeks"],
        "central init": [],
        "central add-user": f"new{_suffix()} --role collector --team T --password-stdin".split(),
        "central deactivate-user": [w.logins["field2"]],
        "central import-portfolio": [str(world.folder / "export.csv")],
        "central team create": ["新组"],
        "central team list": [],
        "central team rename": ["T", "T2"],
        "central retention run": [],
        "central feed": [str(world.folder / "feed.csv")],
        "demo-feed": ["--out", f"{out}-feeds", "--days", "1"],
        "messaging set-secret": ["smtp"],
        "messaging test-email": ["--to", "borrower@example.cn"],
        "messaging test-sms": ["--to", MOBILE, "--template", "SMS_0000001"],
        "model train": ["--until", "2026-11-17", "--out", f"{out}-card.json"],
        "model report": ["--scorecard", f"{out}-card.json", "--out", f"{out}-report"],
        "model upload": [str(write_card(world.folder, f"card-{role}"))],
        "model list": [],
        "model promote": ["1"],
        "model off": [],
        "model on": [],
        "sync": ["--user", w.logins[role], "--status", "--passphrase-stdin"],
        "team accounts": [],
        "team pool": [],
        "team members": [],
        "team reassign": [c["others"], "--to", w.logins["collector"], "--reason", "balance"],
        "team priority": f"{c['mine']} --level top --until {w.tomorrow} --reason promised".split(),
        "team clear-priority": [c["mine"]],
        "team mark-visit": [c["agents"], "--reason", "no answer for two weeks"],
        "team feeds": [],
        "legal refer": [c["mine"], "--reason", "six months without an answer"],
        "legal withdraw": [c["mine"], "--reason", "the borrower paid"],
        "legal step": [c["mine"], "cost", "--on", today, "--amount", "100"],
        "legal show": [c["mine"]],
        "legal list": [],
        "report": f"--from {today} --to {today} --format json --out {out}-report.json".split(),
        "review list": [],
        "review show": [w.attempt],
        "review save": [w.attempt, "--all-met"],
        "review criteria": [],
        "feedback": [],
        "acknowledge": [w.escalation],
        "contacts list": [c[own]],
        "contacts add": [c[own], "--kind", "work", "--value", "010 6552 9988"],
        "contacts mark": [c[own], MOBILE, "--as", "verified"],
        "contacts lift": [c["mine"], MOBILE, "--mark", "wrong"],
        "contacts preferences": [c[own], "--window", "18:00-20:00", "--channel", "sms"],
        "contacts attorney": [c[own], "--name", "张律师", "--phone", "139 1111 2222"],
        "reminders run": ["--dry-run"],
        "reminders reports": [],
        "reminders opt-out": ["--contract", c[own], "--channel", "sms"],
        "reminders notices": [],
        "reminders uncertain": [],
        "reminders resolve": ["--key", "CW1:due_day:20261201:email", "--sent"],
        "reminders overview": [],
        "dispute open": [c[own], "--kind", "amount_wrong", "--claim", "说罚息算错了"],
        "dispute list": [],
        "dispute show": [str(uuid.uuid4())],
        "dispute attach": [str(uuid.uuid4()), "--purpose", "receipt", str(_consent(world))],
        "dispute decide": [str(uuid.uuid4()), "--decision", "rejected", "--reasons", "无误"],
        "complaint log": [c[own], "--channel", "call", "--category", "other", "--summary", "投诉"],
        "complaint list": [],
        "complaint reply": [str(uuid.uuid4()), "--text", "已回复"],
        "complaint counts": ["--from", today, "--to", today],
        "experiment create": ["--name", f"M1 first ({role})", "--weights", weights],
        "experiment list": [],
        "experiment show": ["M1 first (team_lead)"],
        "experiment stop": ["M1 first (team_lead)"],
        "experiment compare": ["M1 first (team_lead)"],
    }


def _fingerprint(db: Database) -> tuple[Any, ...]:
    """What a command could have changed, read as the administrator."""
    with db.engine.connect() as connection:
        return tuple(
            tuple(connection.exec_driver_sql(query).all())
            for query in (
                "SELECT count(*) FROM audit_events",
                "SELECT count(*) FROM contact_attempts",
                "SELECT count(*) FROM account_notes",
                "SELECT count(*) FROM payments",
                "SELECT count(*) FROM visit_requests",
                "SELECT count(*) FROM priority_overrides",
                "SELECT count(*) FROM call_reviews",
                "SELECT count(*) FROM plan_pause_overrides",
                "SELECT username, active FROM users ORDER BY username",
                "SELECT contract_no, assigned_to_id FROM loans ORDER BY contract_no",
                "SELECT id, status FROM repayment_plans ORDER BY id",
                "SELECT id, status FROM field_visits ORDER BY id",
                "SELECT id, acknowledged_at, decision FROM escalations ORDER BY id",
                "SELECT id, value, do_not_call, wrong_number, verified FROM contact_points"
                " ORDER BY id",
                "SELECT id, agreed_window_start, preferred_channel, attorney_represented"
                " FROM borrowers ORDER BY id",
                "SELECT version_num FROM alembic_version",
            )
        )


def test_every_command_is_in_the_table_of_roles() -> None:
    assert sorted(FOR) == sorted(command_parsers())


@pytest.mark.parametrize(("command", "role"), REFUSED, ids=[f"{c}-{r}" for c, r in REFUSED])
def test_a_command_not_for_the_role_says_so_in_one_line_and_changes_nothing(
    world: World, run: Run, command: str, role: str
) -> None:
    before = _fingerprint(world.db)
    code, _, err = run(role, *command.split(), *_args(world, role)[command], stdin="secret\n")
    lines = err.strip().splitlines()
    assert code != 0
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert _fingerprint(world.db) == before


@pytest.mark.parametrize(("command", "role"), ALLOWED, ids=[f"{c}-{r}" for c, r in ALLOWED])
def test_a_command_for_the_role_runs_or_says_why_in_one_line(
    world: World, run: Run, command: str, role: str
) -> None:
    # The data may have moved on (a plan decided, a visit made): then one line says so.
    code, _, err = run(role, *command.split(), *_args(world, role)[command], stdin="a passphrase\n")
    lines = err.strip().splitlines()
    assert len(lines) <= 1, err
    assert code == 0 or not lines or lines[0].startswith("error: "), err


def test_a_lead_lists_the_team_and_reassigns_on_the_server(world: World, run: Run) -> None:
    moved = world.account("collector")
    code, out, err = run("team_lead", "team", "accounts", "--json")
    assert code == 0, err
    listed = {account["contract_no"]: account["assignee"] for account in json.loads(out)}
    assert listed[moved] == world.logins["collector"]
    code, out, err = run(
        "team_lead", "team", "reassign", moved, "--to", world.logins["field_agent"],
        "--reason", "a visit is due", "--user", world.logins["team_lead"],
    )  # fmt: skip
    assert code == 0, err
    assert "moved 1 account(s)" in out
    with world.db.engine.connect() as connection:
        assignee, previous = connection.exec_driver_sql(
            "SELECT assigned_to_id, previous_assignee_id FROM loans WHERE contract_no = %s",
            (moved,),
        ).one()
    assert (assignee, previous) == (world.ids["field_agent"], world.ids["collector"])


def test_a_lead_refers_an_account_to_legal_on_the_server_and_a_collector_sees_none_of_it(
    world: World, run: Run
) -> None:
    contract = world.account("collector")
    today = local_today(datetime.now(UTC)).isoformat()
    code, out, err = run("team_lead", "legal", "refer", contract, "--reason", "silent for months")
    assert code == 0, err
    assert "referred" in out
    code, out, err = run("team_lead", "legal", "step", contract, "judgment", "--on", today)
    assert (code, out) == (1, "")
    assert err == "error: Hearings and a judgment come only after the case is filed.\n"
    code, out, err = run(
        "team_lead", "legal", "step", contract, "lawyer", "--on", today,
        "--firm", "金杜", "--lawyer", "李律师", "--json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["stage"] == "lawyer"
    with world.db.engine.connect() as connection:
        marked = connection.exec_driver_sql(
            "SELECT b.legal_referral FROM borrowers b JOIN loans l ON l.borrower_id = b.id"
            " WHERE l.contract_no = %s",
            (contract,),
        ).scalar_one()
    assert marked is True
    code, out, err = run("collector", "legal", "show", contract)
    assert code != 0 and out == "" and len(err.splitlines()) == 1, err


def test_a_lead_allocates_the_pool_on_the_server_and_a_collector_cannot(
    world: World, run: Run
) -> None:
    today = local_today(datetime.now(UTC))
    pooled = world.portfolio.account(today=today, dpd=20, pool=world.portfolio.team_id)
    contract, collector = pooled.contract_no, world.logins["collector"]
    code, out, err = run("collector", "team", "pool")
    assert code == 1 and out == "" and len(err.splitlines()) == 1, err
    # Not even by its contract number: the server shows a collector nothing of the pool.
    code, out, err = run("collector", "account", contract)
    assert code == 1 and out == "" and len(err.splitlines()) == 1, err
    code, out, err = run("collector", "queue", "--json")
    assert code == 0 and contract not in out, err
    code, out, err = run("team_lead", "team", "pool", "--json")
    assert code == 0, err
    assert [a["contract_no"] for a in json.loads(out)] == [contract]
    rule = ("team", "reassign", "--pool", "--to", collector, "--reason", "new this morning")
    code, out, err = run("team_lead", *rule, "--dry-run")
    assert code == 0, err
    assert f"{contract}  (pool) → {collector}" in out
    code, out, err = run("team_lead", *rule)
    assert code == 0, err
    with world.db.engine.connect() as connection:
        holder, previous, allocated = connection.exec_driver_sql(
            "SELECT l.assigned_to_id, l.previous_assignee_id, (SELECT count(*) FROM audit_events"
            " a WHERE a.entity_id = l.id::text AND a.action = 'loan.allocated'"
            " AND a.user_id = %s) FROM loans l WHERE l.contract_no = %s",
            (world.ids["team_lead"], contract),
        ).one()
    assert (holder, previous, allocated) == (world.ids["collector"], None, 1)
    code, out, err = run("collector", "queue", "--json")
    assert code == 0, err
    assert contract in {entry["contract_no"] for entry in json.loads(out)}
    code, out, err = run("team_lead", "team", "members", "--json")
    assert code == 0, err
    assert json.loads(out)["pool"] == 0


def test_a_collector_works_their_own_account(world: World, run: Run) -> None:
    mine = world.account("collector", dpd=15)
    code, out, err = run("collector", "queue", "--json")
    assert code == 0, err
    assert mine in {entry["contract_no"] for entry in json.loads(out)}
    code, out, err = run("collector", "account", mine)
    assert code == 0, err
    assert out.startswith(mine)
    code, out, err = run("collector", "check-contact", "--contract", mine, "--number", MOBILE)
    assert code in (0, 3), err  # allowed, or blocked by the hour: either way an answer
    code, out, err = run(
        "collector", "log-contact", "--contract", mine, "--outcome", "NA", "--number", MOBILE,
        "--at", world.at,
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run("collector", "note", mine, "下午再打。")
    assert code == 0, err
    with world.db.engine.connect() as connection:
        attempts = connection.exec_driver_sql(
            "SELECT a.user_id FROM contact_attempts a JOIN loans l ON l.id = a.loan_id"
            " WHERE l.contract_no = %s",
            (mine,),
        ).all()
        notes = connection.exec_driver_sql(
            "SELECT n.user_id, n.text FROM account_notes n JOIN loans l ON l.id = n.loan_id"
            " WHERE l.contract_no = %s",
            (mine,),
        ).all()
    assert [row[0] for row in attempts] == [world.ids["collector"]]
    assert [tuple(row) for row in notes] == [(world.ids["collector"], "下午再打。")]
    # Someone else's account is not theirs to see.
    code, _, err = run("collector", "account", world.account(None))
    assert code == 1 and len(err.strip().splitlines()) == 1


def test_a_plan_on_a_paused_account_waits_for_a_leads_leave_on_the_server(
    world: World, run: Run
) -> None:
    paused = world.account("collector")
    with world.db.engine.begin() as connection:
        connection.exec_driver_sql(
            "UPDATE borrowers SET dispute_open = true WHERE id = (SELECT borrower_id FROM loans"
            " WHERE contract_no = %s)",
            (paused,),
        )
    agreement = f"agreement --contract {paused} --installments 3 --first-due {world.first_due}"
    out = world.folder / f"paused-{paused}.pdf"
    code, _, err = run("collector", *agreement.split(), "--out", str(out))
    assert (code, err) == (
        1,
        f"error: Collection on account {paused} is paused (Dispute open): no plan can be"
        " offered, approved or issued unless a team lead allows it.\n",
    )
    code, _, err = run("collector", "plan", "allow", "--contract", paused, "--reason", "mine")
    assert code == 1 and "it is for: team_lead" in err and len(err.splitlines()) == 1
    reason = "Disputes the fee only; pays the principal in instalments"
    code, text, err = run("team_lead", "plan", "allow", "--contract", paused, "--reason", reason)
    assert code == 0, err
    assert text.startswith(f"Plans may go ahead on {paused} despite the pause (Dispute open)")
    # The leave is the lead's, on the server; the collector's plan goes through its guard.
    code, text, err = run("collector", *agreement.split(), "--out", str(out))
    assert code == 0, err
    with world.db.engine.connect() as connection:
        leave = connection.exec_driver_sql(
            "SELECT o.granted_by_id, o.reason, o.flags::text FROM plan_pause_overrides o"
            " JOIN loans l ON l.id = o.loan_id WHERE l.contract_no = %s",
            (paused,),
        ).one()
        plan = connection.exec_driver_sql(
            "SELECT p.created_by_id, p.status FROM repayment_plans p JOIN loans l"
            " ON l.id = p.loan_id WHERE l.contract_no = %s",
            (paused,),
        ).one()
    assert tuple(leave) == (world.ids["team_lead"], reason, '["dispute_open"]')
    assert tuple(plan) == (world.ids["collector"], "issued")


def test_a_collector_keeps_contact_points_on_the_server_in_their_own_scope(
    world: World, run: Run
) -> None:
    """Signed in as their own login: a number added in their name, marked do-not-call with the
    borrower's words; another's account, a bad number and a lift are one line each."""
    mine, theirs = world.account("collector", dpd=15), world.account(None)
    add = ("contacts", "add", "--kind", "home", "--value", "021 6555 1234")
    code, out, err = run("collector", *add[:2], mine, *add[2:])
    assert code == 0, err
    assert "region CN; Asia/Shanghai" in out
    before = _fingerprint(world.db)
    # Another's account is invisible to the login (row-level security): there is none.
    for contract, extra, words in (
        (theirs, (), "no account"),
        (mine, ("--verified",), "already one of"),
    ):
        code, _, err = run("collector", *add[:2], contract, *add[2:], *extra)
        assert code == 1 and len(err.strip().splitlines()) == 1 and words in err, err
    code, _, err = run("collector", *add[:2], mine, "--kind", "mobile", "--value", "12345")
    assert code == 1 and "not a valid phone number" in err
    assert _fingerprint(world.db) == before
    mark = ("contacts", "mark", mine, "021 6555 1234", "--as", "do-not-call")
    code, _, err = run("collector", *mark, "--words", "别打家里电话")
    assert code == 0, err
    code, _, err = run(
        "collector", "contacts", "lift", mine, "021 6555 1234", "--mark", "do-not-call"
    )
    assert code != 0 and len(err.strip().splitlines()) == 1
    with world.db.engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT cp.added_by_id, cp.do_not_call, cp.do_not_call_words FROM contact_points cp"
            " JOIN loans l ON l.borrower_id = cp.borrower_id"
            " WHERE l.contract_no = %s AND cp.value = '+862165551234'",
            (mine,),
        ).one()
    assert tuple(row) == (world.ids["collector"], True, "别打家里电话")
    code, _, err = run(
        "team_lead", "contacts", "lift", mine, "021 6555 1234", "--mark", "do-not-call"
    )
    assert code == 0, err


def test_a_field_agent_plans_and_prints_the_day(world: World, run: Run) -> None:
    theirs = world.account("field_agent", dpd=120)
    code, out, err = run("field_agent", "visits", "candidates", "--date", world.tomorrow)
    assert code == 0, err
    assert theirs in out
    code, out, err = run(
        "field_agent", "visits", "plan", theirs, "--date", world.tomorrow,
        "--second-agent", world.logins["field2"],
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run("field_agent", "visits", "list", "--date", world.tomorrow, "--json")
    assert code == 0, err
    planned = [visit for visit in json.loads(out) if visit["contract_no"] == theirs]
    assert len(planned) == 1
    code, out, err = run(
        "field_agent", "visit-sheets", "--date", world.tomorrow,
        "--out", str(world.folder / "sheets.pdf"),
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(
        "field_agent", "visits", "record", planned[0]["id"], "--outcome", "NH", "--at", world.at
    )
    assert code == 0, err


@pytest.mark.parametrize("role", ROLES)
def test_user_must_be_the_signed_in_user(world: World, run: Run, role: str) -> None:
    me = world.logins[role]
    code, _, err = run(role, "escalations", "--user", "zhang.wei")
    assert (code, err) == (
        1,
        f"error: You are signed in to the server as {me}; --user must be {me} (the server"
        " acts for the signed-in user).\n",
    )
    # Naming oneself is fine, and so is leaving it out.
    assert run(role, "escalations", "--user", me)[0] == 0
    assert run(role, "escalations")[0] == 0


def test_an_administrator_acts_for_anyone_and_names_them(world: World, run: Run) -> None:
    mine = world.contracts["mine"]
    code, out, err = run("admin", "account", mine, "--user", world.logins["collector"], "--json")
    assert code == 0, err
    assert json.loads(out)["contract_no"] == mine
    code, _, err = run("admin", "escalations")
    assert code == EXIT_USAGE and "the following arguments are required: --user" in err


def test_an_administrator_repairs_the_servers_queue_summary(world: World, run: Run) -> None:
    """What was changed behind the triggers' back is worked out again from the history; the
    staff logins may not (the table of roles: an administrator's command)."""
    with world.db.engine.begin() as connection:
        spoilt = connection.exec_driver_sql(
            "UPDATE loan_queue_summary SET open_overrides = open_overrides + 2"
            " WHERE last_contact_at IS NOT NULL"
        ).rowcount
    assert spoilt > 0
    code, out, err = run("admin", "db", "repair-summary")
    assert code == 0, err
    assert out.startswith(f"queue summary repaired: {spoilt} accounts corrected")
    assert run("admin", "db", "repair-summary")[1].startswith(
        "queue summary repaired: 0 accounts corrected"
    )


def test_signing_in_and_the_command_share_one_connection_to_the_server(
    world: World, run: Run
) -> None:
    """Who the server acts for is asked on the connection the command then works on: one TLS
    handshake a command, not one to sign in and another to work."""
    staff = make_url(_staff_url(world.url, world.logins["collector"]))
    relay = TcpProxy(staff.host or "127.0.0.1", staff.port or 5432)
    try:
        through = staff.set(port=relay.port).render_as_string(hide_password=False)
        code, out, err = run("collector", "queue", "--at", world.at, "--json", url=through)
        assert code == 0, err
        assert world.contracts["mine"] in out
        assert relay.accepted == 1
    finally:
        relay.stop()


def test_the_program_itself_prints_one_line_not_a_traceback(world: World) -> None:
    """The symptom reported: as a staff login every command died with a long traceback."""
    lead = _staff_url(world.url, world.logins["team_lead"])
    collector = _staff_url(world.url, world.logins["collector"])
    for url, args, ok in (
        (lead, ["team", "accounts"], True),
        (collector, ["team", "accounts"], False),
        (collector, ["payment", "--contract", world.contracts["mine"], "--amount", "1"], True),
        (collector, ["central", "feed", str(world.folder / "feed.csv")], False),
        (collector, ["central", "init"], False),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "app", "--data-dir", str(world.folder / "process"), *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env={**tls_environment(), DATABASE_URL_ENV: url},
        )
        assert "Traceback" not in done.stderr
        if ok:
            assert done.returncode == 0, done.stderr
        else:
            assert done.returncode == 1
            assert len(done.stderr.strip().splitlines()) == 1, done.stderr


# --- what the server refuses ----------------------------------------------------------------

RULES = {
    "a trigger's exception": (
        "CREATE FUNCTION cw_test_closed() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'notes are closed for the audit'; END $$;"
        " CREATE TRIGGER cw_test_closed BEFORE INSERT ON account_notes"
        " FOR EACH ROW EXECUTE FUNCTION cw_test_closed()",
        "DROP TRIGGER cw_test_closed ON account_notes; DROP FUNCTION cw_test_closed()",
        "notes are closed for the audit",
    ),
    "a missing privilege": (
        "REVOKE INSERT ON account_notes FROM cw_staff",
        "GRANT INSERT ON account_notes TO cw_staff",
        "permission denied for table account_notes",
    ),
    "a check constraint": (
        "ALTER TABLE account_notes ADD CONSTRAINT cw_test_short CHECK (length(text) < 3) NOT VALID",
        "ALTER TABLE account_notes DROP CONSTRAINT cw_test_short",
        'violates check constraint "cw_test_short"',
    ),
    "a statement timeout": (
        "CREATE FUNCTION cw_test_slow() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN PERFORM pg_sleep(5); RETURN NEW; END $$;"
        " CREATE TRIGGER cw_test_slow BEFORE INSERT ON account_notes"
        " FOR EACH ROW EXECUTE FUNCTION cw_test_slow();"
        " ALTER ROLE \"{login}\" SET statement_timeout = '500ms'",
        "DROP TRIGGER cw_test_slow ON account_notes; DROP FUNCTION cw_test_slow();"
        ' ALTER ROLE "{login}" RESET statement_timeout',
        "canceling statement due to statement timeout",
    ),
}


@pytest.mark.parametrize("rule", RULES)
def test_what_the_server_refuses_is_one_line(world: World, run: Run, rule: str) -> None:
    login = world.logins["collector"]
    setup, teardown, reason = RULES[rule]
    with world.db.engine.begin() as connection:
        connection.exec_driver_sql(setup.format(login=login))
    try:
        code, _, err = run("collector", "note", world.contracts["mine"], "一条备注")
    finally:
        with world.db.engine.begin() as connection:
            connection.exec_driver_sql(teardown.format(login=login))
    assert code == 1
    assert err.startswith(f"error: The server refused this for {login}: ")
    assert reason in err and len(err.strip().splitlines()) == 1


def test_a_server_that_does_not_answer_refuses_the_password_or_is_not_trusted_is_one_line(
    world: World, run: Run
) -> None:
    login = world.logins["collector"]
    wrong = make_url(_staff_url(world.url, login)).set(password="not the password")
    code, _, err = run("collector", "queue", url=wrong.render_as_string(hide_password=False))
    assert (code, err) == (1, "error: The server did not accept this user name and password.\n")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    away = make_url(_staff_url(world.url, login)).set(port=closed)
    code, _, err = run("collector", "queue", url=away.render_as_string(hide_password=False))
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert err.startswith(f"error: The server 127.0.0.1:{closed}/") and "did not answer" in err
    # A certificate this workstation cannot check: nothing is sent to the server.
    code, _, err = run("collector", "queue", root_cert=str(world.folder / "no-such-ca.crt"))
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "could not be reached securely" in err


def test_a_mistake_in_our_own_statement_stays_loud(
    world: World, run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.common import users

    def broken(db: Database, **_options: bool) -> list[Any]:
        with db.engine.connect() as connection:
            connection.exec_driver_sql("SELEC username FROM users")
        return []

    monkeypatch.setattr(users, "list_users", broken)
    with pytest.raises(ProgrammingError):
        run("collector", "users")


# --- the schema's revision ------------------------------------------------------------------


def test_at_the_newest_revision_nothing_is_migrated(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.services.sync.server import ensure_schema

    def refuse(self: Database) -> None:
        raise AssertionError("a schema at its newest revision was migrated")

    monkeypatch.setattr(Database, "upgrade", refuse)
    for url in (world.url, _staff_url(world.url, world.logins["collector"])):
        db = Database(url, tls=server_tls())
        try:
            ensure_schema(db)
        finally:
            db.dispose()


def test_a_revision_newer_than_the_program_is_one_line_for_everyone(world: World, run: Run) -> None:
    with world.db.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    try:
        for role in ("collector", "admin"):
            code, _, err = run(role, "users")
            assert (code, err) == (
                1,
                f"error: The server's schema is at revision 9999, newer than this program"
                f" knows ({head_revision()}): install the newer Collector Workstation.\n",
            )
    finally:
        with world.db.engine.begin() as connection:
            connection.exec_driver_sql(
                "UPDATE alembic_version SET version_num = %s", (head_revision(),)
            )


def test_a_revision_the_login_may_not_read_is_one_line(world: World, run: Run) -> None:
    with world.db.engine.begin() as connection:
        connection.exec_driver_sql("REVOKE SELECT ON alembic_version FROM cw_staff")
    try:
        code, _, err = run("team_lead", "team", "accounts")
    finally:
        with world.db.engine.begin() as connection:
            connection.exec_driver_sql("GRANT SELECT ON alembic_version TO cw_staff")
    login = world.logins["team_lead"]
    assert (code, err) == (
        1,
        f"error: The server does not show {login} which revision its schema is at; this"
        f" program needs {head_revision()}. An administrator runs"
        " `collector-workstation central init`.\n",
    )


def test_a_schema_behind_stops_a_staff_login_and_an_administrator_upgrades_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command

    older = "0005"
    login = f"collector{_suffix()}"
    with fresh_database() as url:
        db = Database(url)
        with db.engine.begin() as connection:
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, older)
        try:
            add_user(db, login, Role.COLLECTOR.value, "电催1组", PASSWORD)
            _grant_staff_basics(db)

            def run(as_url: str, *args: str) -> tuple[int, str]:
                monkeypatch.setenv(TLS_ROOT_CERT_ENV, str(server_ca()))
                monkeypatch.setenv(DATABASE_URL_ENV, as_url)
                capsys.readouterr()
                code = main(["--data-dir", str(tmp_path), *args])
                return code, capsys.readouterr().err

            staff_url = _staff_url(url, login)
            assert run(staff_url, "queue") == (
                1,
                f"error: The server's schema is at revision {older}; this program needs"
                f" {head_revision()}. An administrator runs"
                " `collector-workstation central init`.\n",
            )
            assert db.revision() == older
            assert run(url, "status") == (0, "")
            assert db.revision() == head_revision()
            code, err = run(staff_url, "queue")
            assert (code, err) == (0, "")
        finally:
            _drop_logins(db, [login])
            db.dispose()


def _letter_issued(world: World, number: str, user_id: uuid.UUID) -> dict[str, Any]:
    """The audit event of the letter numbered `number`, checked to be in `user_id`'s name."""
    with world.db.engine.connect() as connection:
        by, details = connection.exec_driver_sql(
            "SELECT user_id, details FROM audit_events"
            " WHERE action = 'letter.issued' AND details->>'letter_no' = %s",
            (number,),
        ).one()
    assert by == user_id
    assert isinstance(details, dict)
    return details


def _notices(world: World, contract: str) -> list[tuple[Any, ...]]:
    """The account's credit-reporting notices: channel, who recorded, letter, message."""
    with world.db.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.exec_driver_sql(
                "SELECT n.channel, n.recorded_by_id, n.document_id, n.message_id"
                " FROM credit_notices n JOIN loans l ON l.id = n.loan_id"
                " WHERE l.contract_no = %s",
                (contract,),
            )
        ]


def test_refusals_of_other_databases_are_not_the_servers() -> None:
    from sqlalchemy.exc import OperationalError

    from app.services.sync.server import refusal

    error = OperationalError("SELECT 1", {}, Exception("database is locked"))
    assert refusal(error, "sqlite:///central.sqlite3") is None


def test_a_collector_letters_their_account_on_the_server_which_keeps_the_record(
    world: World, run: Run
) -> None:
    mine = world.account("collector", dpd=45)
    out = world.folder / "server-demand.pdf"

    code, text, err = run(
        "collector", "letters", "issue", "--kind", "demand", "--contract", mine,
        "--out", str(out),
    )  # fmt: skip

    assert code == 0, err
    details = _letter_issued(world, text.split()[0], world.ids["collector"])
    assert details["contract_no"] == mine
    assert details["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    # A credit-reporting notice is a lead's: the collector's is one line, nothing on record.
    notice = world.folder / "server-notice.pdf"
    events = _fingerprint(world.db)
    code, text, err = run(
        "collector", "letters", "issue", "--kind", "credit-notice", "--contract", mine,
        "--out", str(notice),
    )  # fmt: skip
    assert (code, text) == (1, "")
    assert err == (
        "error: Only a team lead issues a credit-reporting notice;"
        f" {world.logins['collector']} may issue a demand letter.\n"
    )
    assert not notice.exists()
    assert _fingerprint(world.db) == events
    assert _notices(world, mine) == []
    # The team's lead issues it on the server, which keeps the notice in the lead's name.
    code, text, err = run(
        "team_lead", "letters", "issue", "--kind", "credit-notice", "--contract", mine,
        "--out", str(notice),
    )  # fmt: skip
    assert code == 0, err
    details = _letter_issued(world, text.split()[0], world.ids["team_lead"])
    assert details["sha256"] == hashlib.sha256(notice.read_bytes()).hexdigest()
    assert _notices(world, mine) == [
        ("letter", world.ids["team_lead"], uuid.UUID(details["letter_id"]), None)
    ]
    # Somebody else's account is not there for the collector: one line, no file.
    theirs = world.account(None, dpd=45)
    code, text, err = run(
        "collector", "letters", "issue", "--kind", "demand", "--contract", theirs,
        "--out", str(world.folder / "not-mine.pdf"),
    )  # fmt: skip
    assert (code, text) == (1, "")
    assert len(err.splitlines()) == 1 and err.startswith("error: ")
    assert not (world.folder / "not-mine.pdf").exists()


def test_an_agent_attaches_a_consent_on_the_server_and_a_collector_of_another_account_sees_none(
    world: World, run: Run
) -> None:
    visited = world.contracts["agents"]

    def attached() -> dict[str, str]:
        code, out, err = run("team_lead", "attachments", "--contract", visited, "--json")
        assert code == 0, err
        return {str(a["id"]): str(a["file_name"]) for a in json.loads(out)}

    # The module's other tests may have attached to the same visit before this one.
    before = attached()
    code, out, err = run(
        "field_agent", "attach", "--visit", world.visit, "--purpose", "consent",
        str(_consent(world)),
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("attached consent.pdf (application/pdf,")
    after = attached()
    assert [after[key] for key in after.keys() - before.keys()] == ["consent.pdf"]
    code, _, err = run("collector", "attachments", "--contract", visited, "--json")
    assert code == 1 and len(err.strip().splitlines()) == 1
