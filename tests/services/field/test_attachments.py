"""A visit's evidence: photos and the consent to enter, attached offline, checked by content,
stored whole with their location taken out (issue 20, item 6)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.database import Database
from app.models import Attachment, AttachmentContent, AuditEvent, Role
from app.services.common import attachments as store
from app.services.common.errors import InvalidInput, NotAllowed
from app.services.field.attachments import (
    account_attachments,
    attach_file_to_visit,
    attach_to_visit,
    attachment_content,
    save_account_attachments,
    visit_attachments,
)
from app.services.field.visits import plan_visits
from tests.helpers.contacts import NOW
from tests.helpers.images import PDF, decodes, gps_of, photo
from tests.helpers.portfolio import Portfolio
from tests.services.field.test_visits import TOMORROW, _account


@pytest.fixture
def field(portfolio: Portfolio) -> Portfolio:
    portfolio.agent = portfolio.user("agent.zhao", Role.FIELD_AGENT)  # type: ignore[attr-defined]
    portfolio.user("agent.qian", Role.FIELD_AGENT)
    portfolio.user("agent.sun", Role.FIELD_AGENT)
    return portfolio


def _visit(db: Database, field: Portfolio) -> tuple[uuid.UUID, str]:
    account = _account(field)
    planned = plan_visits(
        db, "agent.zhao", TOMORROW, [account.contract_no], second_agent="agent.qian", now=NOW
    )
    return planned[0].id, account.contract_no


def _counts(db: Database) -> tuple[int, int, int]:
    with db.reader() as session:
        return (
            session.scalar(select(func.count()).select_from(Attachment)) or 0,
            session.scalar(select(func.count()).select_from(AttachmentContent)) or 0,
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "attachment.added")
            )
            or 0,
        )


def test_an_agent_attaches_a_photo_offline_and_its_location_is_taken_out(
    db: Database, field: Portfolio
) -> None:
    visit_id, contract = _visit(db, field)
    taken = photo("JPEG")
    assert gps_of(taken)  # the camera wrote where it was
    view = attach_to_visit(db, "agent.zhao", visit_id, taken, "门牌.jpg", "notice", now=NOW)
    assert (view.purpose.code, view.file_name, view.media_type) == (
        "notice",
        "门牌.jpg",
        "image/jpeg",
    )
    assert view.added_by == "agent.zhao" and not view.location_kept
    stored = attachment_content(db, "agent.zhao", view.id)
    assert gps_of(stored) == {} and decodes(stored) == (64, 48)
    assert view.size == len(stored) and view.sha256 == store.hashlib.sha256(stored).hexdigest()
    # The second agent and the team lead see it; the lead on the account.
    assert [a.id for a in visit_attachments(db, "agent.qian", visit_id)] == [view.id]
    assert [a.id for a in account_attachments(db, "lead.wang", contract)] == [view.id]
    assert _counts(db) == (1, 1, 1)


def test_a_png_loses_its_location_too_and_a_pdf_is_kept_as_it_came(
    db: Database, field: Portfolio
) -> None:
    visit_id, _contract = _visit(db, field)
    png = attach_to_visit(db, "agent.zhao", visit_id, photo("PNG"), "card.png", "staff_card")
    assert gps_of(attachment_content(db, "agent.zhao", png.id)) == {}
    consent = attach_to_visit(db, "agent.qian", visit_id, PDF, "consent.pdf", "consent")
    assert consent.media_type == "application/pdf"
    assert attachment_content(db, "agent.zhao", consent.id) == PDF


def test_the_lenders_policy_may_keep_a_photos_location(
    db: Database, field: Portfolio, monkeypatch: pytest.MonkeyPatch
) -> None:
    keeping = replace(store.attachment_policy(), keep_location=True)
    monkeypatch.setattr(store, "attachment_policy", lambda: keeping)
    visit_id, _contract = _visit(db, field)
    view = attach_to_visit(db, "agent.zhao", visit_id, photo(), "door.jpg", "notice")
    assert view.location_kept and gps_of(attachment_content(db, "agent.zhao", view.id))


HOSTILE = {
    "wrong magic": (b"MZ\x90\x00 this is a program, named as a photo", "photo.jpg", "not a JPEG"),
    "zero bytes": (b"", "empty.jpg", "is empty"),
    "path traversal": (PDF, "../../etc/cron.d/evil.pdf", "not a bare file name"),
    "backslash traversal": (PDF, "..\\..\\evil.pdf", "not a bare file name"),
    "control characters": (PDF, "bill\x1b[2J.pdf", "control characters"),
    "a newline": (PDF, "bill\n.pdf", "control characters"),
    "right-to-left override": (PDF, "bill\u202efdp.exe", "control characters"),
    "a photo that does not decode": (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "x.jpg", "cannot be read"),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_a_hostile_file_gets_one_clear_line_and_nothing_is_written(
    db: Database, field: Portfolio, case: str
) -> None:
    data, name, said = HOSTILE[case]
    visit_id, _contract = _visit(db, field)
    with pytest.raises(InvalidInput) as caught:
        attach_to_visit(db, "agent.zhao", visit_id, data, name, "notice")
    assert said in caught.value.message and "\n" not in caught.value.message
    assert _counts(db) == (0, 0, 0)


def test_a_file_over_the_limit_is_refused_before_it_is_read(
    db: Database, field: Portfolio, tmp_path: Path
) -> None:
    visit_id, _contract = _visit(db, field)
    limit = store.attachment_policy().max_bytes
    big = tmp_path / "big.jpg"
    with big.open("wb") as out:
        out.write(b"\xff\xd8\xff\xe0")
        out.truncate(limit + 1)
    with pytest.raises(InvalidInput, match=f"at most {limit} bytes"):
        attach_file_to_visit(db, "agent.zhao", visit_id, big, "notice")
    with pytest.raises(InvalidInput, match=f"at most {limit} bytes"):
        attach_to_visit(db, "agent.zhao", visit_id, big.read_bytes(), "big.jpg", "notice")
    assert _counts(db) == (0, 0, 0)


def test_only_the_visits_agents_or_a_lead_attach_and_only_known_purposes(
    db: Database, field: Portfolio
) -> None:
    visit_id, _contract = _visit(db, field)
    with pytest.raises(NotAllowed, match="visit's agents or a team lead"):
        attach_to_visit(db, "agent.sun", visit_id, PDF, "a.pdf", "consent")
    with pytest.raises(InvalidInput, match="Unknown purpose"):
        attach_to_visit(db, "agent.zhao", visit_id, PDF, "a.pdf", "selfie")
    assert _counts(db) == (0, 0, 0)
    attach_to_visit(db, "lead.wang", visit_id, PDF, "a.pdf", "consent")
    assert _counts(db) == (1, 1, 1)


def test_the_same_file_twice_is_stored_once_and_copies_are_saved_under_safe_names(
    db: Database, field: Portfolio, tmp_path: Path
) -> None:
    visit_id, contract = _visit(db, field)
    first = attach_to_visit(db, "agent.zhao", visit_id, PDF, "consent.pdf", "consent", now=NOW)
    later = NOW + timedelta(minutes=5)
    second = attach_to_visit(db, "agent.qian", visit_id, PDF, "consent.pdf", "consent", now=later)
    assert _counts(db) == (2, 1, 2)
    written = save_account_attachments(db, "lead.wang", contract, tmp_path)
    assert [p.name for p in written] == [
        f"{str(first.id)[:8]}-consent.pdf",
        f"{str(second.id)[:8]}-consent.pdf",
    ]
    assert all(p.parent == tmp_path and p.read_bytes() == PDF for p in written)
    with pytest.raises(InvalidInput, match="there already"):
        save_account_attachments(db, "lead.wang", contract, tmp_path)


def test_a_location_written_as_xmp_goes_too(db: Database, field: Portfolio) -> None:
    import io

    from PIL import Image

    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/"'
        b' exif:GPSLatitude="31,14.1N" exif:GPSLongitude="121,28.2E"/></rdf:RDF></x:xmpmeta>'
    )
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (10, 20, 30)).save(out, format="JPEG", xmp=xmp)
    assert b"GPSLatitude" in out.getvalue()
    visit_id, _contract = _visit(db, field)
    view = attach_to_visit(db, "agent.zhao", visit_id, out.getvalue(), "xmp.jpg", "notice")
    stored = attachment_content(db, "agent.zhao", view.id)
    assert b"GPSLatitude" not in stored and decodes(stored) == (16, 16)
