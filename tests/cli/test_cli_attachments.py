"""`attach --visit ID FILE` and `attachments --contract X [--save DIR]`, as the program."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.cli import main
from tests.cli.test_cli import run
from tests.helpers.images import PDF, gps_of, photo


@pytest.fixture(scope="module")
def visit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str, str, str]:
    """A demo database with one visit planned today: folder, agent, lead, visit id, contract."""
    folder = tmp_path_factory.mktemp("cli-attachments")
    now = datetime.now(UTC)
    argv = ["--data-dir", str(folder), "demo-data", "--accounts", "80", "--seed", "7"]
    assert main([*argv, "--as-of", now.isoformat()]) == 0
    code, out, _ = run(folder, "users", "--json")
    users = json.loads(out)
    agent = next(u["username"] for u in users if u["role"] == "field_agent")
    lead = next(u["username"] for u in users if u["role"] == "team_lead")
    day = now.date().isoformat()
    code, out, err = run(folder, "visits", "candidates", "--user", agent, "--date", day, "--json")
    assert code == 0, err
    contract = json.loads(out)[0]["contract_no"]
    code, _, err = run(
        folder, "visits", "plan", contract, "--user", agent, "--date", day,
        "--second-agent", lead,
    )  # fmt: skip
    assert code == 0, err
    code, out, _ = run(folder, "visits", "list", "--user", agent, "--date", day, "--json")
    planned = next(v for v in json.loads(out) if v["contract_no"] == contract)
    return folder, agent, lead, planned["id"], contract


def test_an_agent_attaches_a_photo_and_the_lead_lists_and_saves_it(
    visit: tuple[Path, str, str, str, str], tmp_path: Path
) -> None:
    folder, agent, lead, visit_id, contract = visit
    door = tmp_path / "door.jpg"
    door.write_bytes(photo())
    code, out, err = run(
        folder, "attach", "--visit", visit_id, "--user", agent, "--purpose", "notice", str(door),
        real=True,
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("attached door.jpg (image/jpeg,") and "as notice" in out
    code, out, err = run(folder, "attachments", "--contract", contract, "--user", lead, "--json")
    assert code == 0, err
    (listed,) = [a for a in json.loads(out) if a["file_name"] == "door.jpg"]
    assert (listed["purpose"], listed["added_by"], listed["location_kept"]) == (
        "notice",
        agent,
        False,
    )
    saved = tmp_path / "saved"
    saved.mkdir()
    code, out, err = run(
        folder, "attachments", "--contract", contract, "--user", lead, "--save", str(saved)
    )
    assert code == 0, err
    assert "door.jpg" in out and "-> " in out
    (copy,) = [p for p in saved.iterdir() if p.name.endswith("-door.jpg")]
    assert gps_of(copy.read_bytes()) == {}


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("program.jpg", b"MZ\x90\x00not a photo", "not a JPEG, PNG or PDF file"),
        ("empty.pdf", b"", "is empty"),
        ("bill\x1b[31m.pdf", PDF, "control characters"),
        ("bill\n.pdf", PDF, "control characters"),
    ],
    ids=["wrong magic", "zero bytes", "escape in the name", "newline in the name"],
)
def test_a_hostile_file_is_refused_in_one_line_and_nothing_is_attached(
    visit: tuple[Path, str, str, str, str], tmp_path: Path, name: str, data: bytes, said: str
) -> None:
    folder, agent, lead, visit_id, contract = visit
    before = run(folder, "attachments", "--contract", contract, "--user", lead, "--json")[1]
    path = tmp_path / name
    path.write_bytes(data)
    code, out, err = run(folder, "attach", "--visit", visit_id, "--user", agent, str(path))
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and said in err
    assert "\x1b" not in err
    after = run(folder, "attachments", "--contract", contract, "--user", lead, "--json")[1]
    assert after == before


def test_a_file_too_large_or_missing_and_a_collector_off_the_visit_are_refused(
    visit: tuple[Path, str, str, str, str], tmp_path: Path
) -> None:
    folder, agent, _lead, visit_id, _contract = visit
    big = tmp_path / "big.jpg"
    with big.open("wb") as out:
        out.write(b"\xff\xd8\xff\xe0")
        out.truncate(10 * 2**20 + 1)
    code, _, err = run(folder, "attach", "--visit", visit_id, "--user", agent, str(big))
    assert code == 1 and "at most 10485760 bytes" in err
    code, _, err = run(
        folder, "attach", "--visit", visit_id, "--user", agent, str(tmp_path / "none.jpg")
    )
    assert code == 1 and "There is no file" in err
    code, out, _ = run(folder, "users", "--json")
    collector = next(u["username"] for u in json.loads(out) if u["role"] == "collector")
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(PDF)
    code, _, err = run(folder, "attach", "--visit", visit_id, "--user", collector, str(pdf))
    assert code == 1 and "visit's agents or a team lead" in err


def test_a_fifo_a_folder_a_symlink_and_a_hidden_name_are_one_line_each(
    visit: tuple[Path, str, str, str, str], tmp_path: Path
) -> None:
    """Not a file (a FIFO that would block a read for ever, a folder), a name that shows as
    another (a right-to-left override): refused in one line; a symbolic link to a photo is the
    photo, under the link's name."""
    import os

    folder, agent, lead, visit_id, contract = visit
    fifo = tmp_path / "door.jpg"
    os.mkfifo(fifo)
    spoof = tmp_path / "invoice\u202egpj.exe"
    spoof.write_bytes(PDF)
    (tmp_path / "dir.jpg").mkdir()
    for path, said in (
        (fifo, "is not a file"),
        (tmp_path / "dir.jpg", "is not a file"),
        (spoof, "control characters"),
    ):
        code, out, err = run(
            folder, "attach", "--visit", visit_id, "--user", agent, str(path), real=True
        )
        assert (code, out) == (1, ""), err
        assert len(err.strip().splitlines()) == 1 and said in err, err
        assert "\u202e" not in err
    real = tmp_path / "real.jpg"
    real.write_bytes(photo())
    link = tmp_path / "link.jpg"
    link.symlink_to(real)
    code, out, err = run(folder, "attach", "--visit", visit_id, "--user", agent, str(link))
    assert code == 0 and out.startswith("attached link.jpg"), err
    # Saving into a file, or where a copy is already: one line, nothing overwritten.
    afile = tmp_path / "afile"
    afile.write_text("keep")
    code, out, err = run(
        folder, "attachments", "--contract", contract, "--user", lead, "--save", str(afile)
    )
    assert code == 1 and len(err.strip().splitlines()) == 1 and "does not exist" in err, err
    assert afile.read_text() == "keep"
