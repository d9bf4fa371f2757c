"""Attachments through a real sync (issue 20, item 6): a visit's photos attached offline go up
with their rows, come down to the team lead once, and a sync killed mid-upload leaves the
attachment whole or not there at all, on the workstation and on the server; the next sync
completes it."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from app.database import Database
from app.models import Role
from app.services.field.attachments import account_attachments, attach_to_visit
from app.services.sync import engine as sync
from tests.helpers.images import PDF, gps_of, noise_jpeg, photo
from tests.helpers.postgres import fresh_database
from tests.helpers.sync_child import Child, Config, warm_up
from tests.helpers.sync_world import (
    PASSPHRASE,
    PASSWORD,
    Central,
    Workstation,
    central_on,
    integrity,
    workstation,
)


@pytest.fixture(scope="module")
def central() -> Iterator[Central]:
    warm_up()
    with fresh_database() as url:
        admin = Database(url)
        central = central_on(admin)
        yield central
        central.drop_roles()
        admin.dispose()


@pytest.fixture
def stations() -> Iterator[list[Workstation]]:
    opened: list[Workstation] = []
    yield opened
    for station in opened:
        station.close()


def _station(stations: list[Workstation], folder: Path, central: Central, user: str) -> Workstation:
    station = workstation(folder, central, user)
    stations.append(station)
    station.sync()
    return station


def _visit(central: Central, agent: str) -> tuple[uuid.UUID, str]:
    """An account of the agent's with a visit planned on it (by the administrator)."""
    account = central.account(agent)
    visit = uuid.uuid4()
    with central.admin.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO field_visits (id, loan_id, agent_id, planned_for, route_position,"
                " status, checklist, created_at) VALUES (:id, :loan, :agent, current_date, 1,"
                " 'planned', '[]', now())"
            ),
            {"id": visit, "loan": account.loan_id, "agent": central.user_id(agent)},
        )
    return visit, account.contract_no


def _on_server(central: Central, contract: str) -> dict[str, bytes]:
    """The attachments the server holds for the account: file name -> its bytes."""
    with central.admin.engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT a.file_name, c.content FROM attachments a JOIN loans l ON l.id = a.loan_id"
                " LEFT JOIN attachment_contents c ON c.loan_id = a.loan_id"
                " AND c.sha256 = a.sha256 WHERE l.contract_no = :c"
            ),
            {"c": contract},
        ).all()
        orphans = connection.execute(
            text(
                "SELECT count(*) FROM attachment_contents c JOIN loans l ON l.id = c.loan_id"
                " WHERE l.contract_no = :c AND NOT EXISTS (SELECT 1 FROM attachments a"
                " WHERE a.loan_id = c.loan_id AND a.sha256 = c.sha256)"
            ),
            {"c": contract},
        ).scalar_one()
    assert orphans == 0
    return {name: bytes(content) for name, content in rows}


def _local(db: Database) -> dict[str, int]:
    with db.engine.connect() as connection:
        return {
            table: connection.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one()
            for table in ("attachments", "attachment_contents")
        } | {
            "waiting": connection.exec_driver_sql(
                "SELECT count(*) FROM sync_outbox WHERE table_name = 'attachments'"
            ).scalar_one()
        }


def test_a_visits_photos_go_up_with_the_sync_and_come_down_to_the_lead_once(
    central: Central, stations: list[Workstation], tmp_path: Path
) -> None:
    agent, lead = central.staff(Role.FIELD_AGENT), central.staff(Role.TEAM_LEAD)
    visit, contract = _visit(central, agent)
    field = _station(stations, tmp_path / "agent", central, agent)
    desk = _station(stations, tmp_path / "lead", central, lead)
    # Offline: the workstation's copy alone.
    door = attach_to_visit(field.local, agent, visit, photo(), "door.jpg", "notice")
    attach_to_visit(field.local, agent, visit, PDF, "consent.pdf", "consent")
    assert _local(field.local) == {"attachments": 2, "attachment_contents": 2, "waiting": 2}
    report = field.sync()
    assert report.push.sent >= 2 and (report.push.conflicts, report.push.refused) == (0, 0)
    held = _on_server(central, contract)
    assert held["consent.pdf"] == PDF and gps_of(held["door.jpg"]) == {}
    assert hashlib.sha256(held["door.jpg"]).hexdigest() == door.sha256
    # The lead's copy fetches both contents, once.
    pulled = desk.sync().pull
    assert pulled.contents == 2
    names = {a.file_name for a in account_attachments(desk.local, lead, contract)}
    assert names == {"door.jpg", "consent.pdf"}
    assert desk.sync().pull.contents == 0
    # The same file attached again is a new row and no new bytes: nothing to fetch.
    attach_to_visit(field.local, agent, visit, PDF, "consent.pdf", "consent")
    field.sync()
    again = desk.sync().pull
    assert again.contents == 0 and len(account_attachments(desk.local, lead, contract)) == 3
    assert integrity(desk.local) == "ok" and integrity(field.local) == "ok"


def _child(station: Workstation, folder: Path, pause: str) -> Child:
    return Child(
        Config(
            str(station.folder),
            PASSPHRASE,
            station.server,
            station.username,
            PASSWORD,
            str(folder / "markers"),
            station.tls,
            pause,
        )
    )


@pytest.mark.parametrize("pause", ["uploaded", "committed"])
def test_a_sync_killed_mid_upload_leaves_the_attachment_whole_or_absent_and_the_next_completes(
    central: Central, stations: list[Workstation], tmp_path: Path, pause: str
) -> None:
    agent = central.staff(Role.FIELD_AGENT)
    visit, contract = _visit(central, agent)
    field = _station(stations, tmp_path / "agent", central, agent)
    big = noise_jpeg(2)
    attach_to_visit(field.local, agent, visit, big, "big.jpg", "staff_card")
    attach_to_visit(field.local, agent, visit, PDF, "consent.pdf", "consent")
    child = _child(field, tmp_path, pause)
    child.wait_for("ready")
    child.go()
    child.wait_for("paused")
    child.kill()
    assert child.finish() == -9
    on_server = _on_server(central, contract)
    if pause == "uploaded":
        # One content went up, the transaction never committed: nothing of either is there.
        assert on_server == {}
        assert _local(field.local) == {"attachments": 2, "attachment_contents": 2, "waiting": 2}
    else:
        # Committed there, the outbox not yet cleared here: both whole.
        assert on_server == {"big.jpg": big, "consent.pdf": PDF}
    assert integrity(field.local) == "ok"
    report = field.sync()
    assert (report.push.conflicts, report.push.refused) == (0, 0)
    assert _on_server(central, contract) == {"big.jpg": big, "consent.pdf": PDF}
    assert _local(field.local) == {"attachments": 2, "attachment_contents": 2, "waiting": 0}
    assert sync.conflicts(field.local) == []


def test_an_erased_borrowers_attachments_go_on_the_server_and_in_the_copy(
    central: Central, stations: list[Workstation], tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    from app.services.common.erasure import erase

    agent = central.staff(Role.FIELD_AGENT)
    visit, contract = _visit(central, agent)
    field = _station(stations, tmp_path / "agent", central, agent)
    attach_to_visit(field.local, agent, visit, photo(), "door.jpg", "notice")
    field.sync()
    assert set(_on_server(central, contract)) == {"door.jpg"}
    with central.admin.engine.begin() as connection:
        borrower = connection.execute(
            text("SELECT borrower_id FROM loans WHERE contract_no = :c"), {"c": contract}
        ).scalar_one()
        done = erase(connection, [borrower], at=datetime.now(UTC))
    assert done.removed["attachments"] == 1
    assert _on_server(central, contract) == {}
    field.sync()
    assert _local(field.local) == {"attachments": 0, "attachment_contents": 0, "waiting": 0}


def test_an_account_that_leaves_the_scope_takes_its_attachments_from_the_copy(
    central: Central, stations: list[Workstation], tmp_path: Path
) -> None:
    agent, other = central.staff(Role.FIELD_AGENT), central.staff(Role.FIELD_AGENT)
    visit, contract = _visit(central, agent)
    field = _station(stations, tmp_path / "agent", central, agent)
    attach_to_visit(field.local, agent, visit, PDF, "consent.pdf", "consent")
    field.sync()
    with central.admin.engine.begin() as connection:
        connection.execute(text("UPDATE field_visits SET status = 'cancelled' WHERE id = :v"),
                           {"v": visit})  # fmt: skip
        connection.execute(
            text("UPDATE loans SET assigned_to_id = :u WHERE contract_no = :c"),
            {"u": central.user_id(other), "c": contract},
        )
    assert field.sync().pull.purged == 1
    assert _local(field.local) == {"attachments": 0, "attachment_contents": 0, "waiting": 0}
    assert integrity(field.local) == "ok"
    assert set(_on_server(central, contract)) == {"consent.pdf"}
