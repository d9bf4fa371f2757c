"""The referral package's PDFs, read back: every line keeps to its box, no word runs into the
margin or over another, and a hostile borrower record prints as text, whole, in both
languages."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.database import Database
from app.models import ContactAttempt, Loan, Role, User
from app.services.documents.layout import Placed, document_texts
from app.services.documents.letter_pdf import printable
from app.services.legal.package import gather
from app.services.legal.package_content import PackageContent, ReferralFacts
from app.services.legal.package_pdf import render_package
from tests.helpers.pdf import pdf_fonts, pdf_raw_text, pdf_words
from tests.helpers.portfolio import Portfolio
from tests.services.documents.test_letter_pdf import _layout_problems, _word_problems

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
HOSTILE_NAME = '=HYPERLINK("http://evil.example/")<b>王\u202e芳</b>&amp;'
LONG_STREET = "东四北大街" + "1" * 120


@pytest.fixture
def content(db: Database, portfolio: Portfolio) -> PackageContent:
    account = portfolio.account(
        today=NOW.date(), dpd=45, name=HOSTILE_NAME, street=LONG_STREET, principal="98000"
    )
    with db.reader() as session:
        loan = session.get_one(Loan, account.loan_id)
        lead = session.scalars(select(User).where(User.username == "lead.wang")).one()
        return gather(session, lead, loan, NOW)


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> PackageContent:
    """The demo's account with the most contacts, payments and promises."""
    folder = tmp_path_factory.mktemp("legal-demo")
    assert main(["--data-dir", str(folder), "demo-data", "--accounts", "120", "--seed", "7"]) == 0
    db = Database(f"sqlite:///{folder / 'central.sqlite3'}")
    try:
        with db.reader() as session:
            loan_id = session.scalars(
                select(ContactAttempt.loan_id)
                .group_by(ContactAttempt.loan_id)
                .order_by(func.count().desc(), ContactAttempt.loan_id)
                .limit(1)
            ).one()
            loan = session.get_one(Loan, loan_id)
            lead = session.scalars(select(User).where(User.role == Role.TEAM_LEAD)).first()
            assert lead is not None
            return gather(session, lead, loan, NOW)
    finally:
        db.dispose()


@pytest.mark.parametrize("language", ["zh_CN", "en"])
@pytest.mark.parametrize("which", ["hostile", "busy"])
def test_every_line_keeps_to_its_box_and_no_word_runs_over_another(
    request: pytest.FixtureRequest, which: str, language: str
) -> None:
    content: PackageContent = request.getfixturevalue("content" if which == "hostile" else which)
    placed: list[Placed] = []

    data = render_package(content, language, layout=placed)

    assert len(placed) > 100
    problems = _layout_problems(placed)
    assert not problems, "\n".join(problems[:20])
    words = _word_problems(pdf_words(data))
    assert not words, "\n".join(words[:20])
    assert all(font.embedded for font in pdf_fonts(data))


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_hostile_name_prints_as_text_without_its_hidden_characters(
    content: PackageContent, language: str
) -> None:
    text = re.sub(r"\s+", "", pdf_raw_text(render_package(content, language)))

    assert re.sub(r"\s+", "", printable(HOSTILE_NAME)) in text
    assert "\u202e" not in text
    assert LONG_STREET in text


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_referral_on_record_fills_the_cover_sheets_block(
    content: PackageContent, language: str
) -> None:
    """What `package.referral_facts` returns once the legal pipeline records referrals."""
    referral = ReferralFacts(
        referred_at=NOW,
        referred_by="lead.wang",
        reason="No contact for four months",
        firm="北京恒正律师事务所",
        case_number="(2026)京0101民初12345号",
        court="北京市东城区人民法院",
        stage="filed",
    )

    text = re.sub(
        r"\s+", "", pdf_raw_text(render_package(replace(content, referral=referral), language))
    )

    for value in (referral.firm, referral.case_number, referral.court, "Nocontactforfourmonths"):
        assert value in text
    assert (
        re.sub(r"\s+", "", document_texts("legal_package", language).text("referral_none"))
        not in text
    )
    none = re.sub(r"\s+", "", pdf_raw_text(render_package(content, language)))
    assert (
        re.sub(r"\s+", "", document_texts("legal_package", language).text("referral_none")) in none
    )
