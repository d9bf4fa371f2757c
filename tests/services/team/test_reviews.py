"""Call review and coaching: the review list and its filters, the score against the criteria
data, who may review, and the collector's feedback; on PostgreSQL, what a collector's own
login may do to a review."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app.database import Database
from app.models import (
    AccountNote,
    AuditEvent,
    CallReview,
    Team,
    User,
)
from app.services.common.errors import InvalidDate, InvalidInput, NotAllowed, NotFound
from app.services.common.reference import dispositions, emotions
from app.services.contact.checklists import checklist_for
from app.services.contact.contacts import record_contact
from app.services.sync.central import add_user
from app.services.team.reviews import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    Criterion,
    ReviewFilter,
    _criterion,
    contact_for_review,
    criteria,
    criteria_for,
    mark_feedback_seen,
    my_feedback,
    review_list,
    review_score,
    save_review,
    script_path,
    unseen_count,
)
from tests.helpers.contacts import NOW, outcome
from tests.helpers.portfolio import Portfolio
from tests.helpers.postgres import server_tls
from tests.helpers.reviews import (
    ADMIN,
    COLLEAGUE,
    COLLECTOR,
    LEAD,
    OTHER_COLLECTOR,
    OTHER_LEAD,
    SECOND_LEAD,
    TODAY,
    YESTERDAY,
    Floor,
    all_met,
    build_floor,
)


@pytest.fixture
def floor(db: Database, portfolio: Portfolio) -> Floor:
    return build_floor(db, portfolio)


def reviews_and_audits(db: Database) -> tuple[int, int]:
    with db.reader() as session:
        reviews = session.scalar(select(func.count()).select_from(CallReview)) or 0
        audits = (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.action == "review.saved")
            )
            or 0
        )
        return reviews, audits


def names(floor: Floor, rows: tuple[object, ...]) -> list[str]:
    by_id = {attempt_id: name for name, attempt_id in floor.contacts.items()}
    return [by_id[row.attempt_id] for row in rows]  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the criteria data


def test_the_criteria_file_is_sound_with_stable_unique_ids_and_both_languages() -> None:
    found = criteria()
    assert len({item.id for item in found}) == len(found) >= 10
    assert all(item.weight > 0 and item.en and item.zh_CN for item in found)
    assert all(any("\u4e00" <= char <= "\u9fff" for char in item.zh_CN) for item in found)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"weight": 0}, "whole weight above 0"),
        ({"weight": 2.5}, "whole weight above 0"),
        ({"zh_CN": ""}, "needs an en and a zh_CN text"),
        ({"when": {"flags": {"right_party": True}}}, "flags must map"),
        ({"when": {"dispositions": ["PTP", "XX"]}}, "unknown codes ['XX']"),
        ({"when": {"not_emotions": ["bored"]}}, "unknown codes ['bored']"),
        ({"when": {"bucket": ["M1"]}}, "unknown conditions ['bucket']"),
        ({"tone": "strict"}, "unknown fields ['tone']"),
    ],
)
def test_a_criterion_the_business_gets_wrong_is_refused_on_loading(
    change: dict[str, object], problem: str
) -> None:
    sound = {"id": "x", "weight": 5, "en": "X", "zh_CN": "某项", "when": {}}
    assert _criterion(sound).weight == 5
    with pytest.raises(ValueError, match=re.escape(problem)):
        _criterion({**sound, **change})


def test_criteria_follow_the_outcome_flags_the_code_and_the_emotion() -> None:
    def ids(code: str, emotion: str | None) -> set[str]:
        return {item.id for item in criteria_for(code, emotion)}

    for code, flags in dispositions().items():
        answered = ids(code, "calm" if flags.contact else None)
        # The recording and purpose disclosures only where they were due (not on a hang-up).
        assert ("disclosure_given" in answered) is flags.needs_disclosures, code
        assert ("no_threats" in answered) is flags.contact, code
        assert ("no_third_party_disclosure" in answered) is (flags.contact and not flags.rpc)
        assert ("recap_done" in answered) is (code in ("PTP", "PLAN", "CB")), code
        assert "emotion_handled" not in answered
    assert "options_offered" in ids("RTP", "anxious")
    assert "options_offered" not in ids("RTP", "distressed")
    for emotion in emotions():
        assert ("emotion_handled" in ids("PTP", emotion)) is (emotion != "calm")
    assert ids("NA", None) == {"record_accurate"}
    assert "voicemail_no_details" in ids("VM", None)
    assert "support_escalated" in ids("HRD", "self_harm_risk")


def test_criteria_for_an_unknown_code_or_emotion_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Unknown outcome code"):
        criteria_for("XX", None)
    with pytest.raises(InvalidInput, match="Unknown emotion"):
        criteria_for("PTP", "bored")


# ---------------------------------------------------------------- the score


def test_the_score_weighs_met_against_met_or_not_met_and_leaves_out_na() -> None:
    small = Criterion("a", 1, "A", "甲")
    big = Criterion("b", 7, "B", "乙")
    other = Criterion("c", 2, "C", "丙")
    assert review_score({"a": MET, "b": NOT_MET, "c": NOT_APPLICABLE}, (small, big, other)) == 13
    assert review_score({"a": NOT_MET, "b": MET, "c": NOT_APPLICABLE}, (small, big, other)) == 88
    assert review_score({"a": MET, "b": MET, "c": NOT_MET}, (small, big, other)) == 80
    assert review_score({"a": NOT_APPLICABLE, "b": NOT_APPLICABLE}, (small, big)) is None
    assert review_score({}, ()) is None


def test_a_saved_review_scores_the_real_criteria_by_their_weights(floor: Floor) -> None:
    ptp = floor.contacts["ptp"]
    answers = all_met(ptp, floor.db)
    answers["no_threats"] = NOT_MET  # 20 points
    answers["options_offered"] = NOT_APPLICABLE  # 10 points, counted nowhere
    # PTP, calm: opening 5, identity 15, disclosures 15, accurate 10, no threats 20, no
    # borrowing elsewhere 10, calm 10, reason 5, options 10, recap 10, record 5 = 115 points;
    # without the n/a 10 that is 105, of which 85 met: 80.95 %.
    assert sum(item.weight for item in criteria_for("PTP", "calm")) == 115
    detail = save_review(floor.db, LEAD, ptp, answers, "  Threatened a court case.  ", now=NOW)
    assert detail.review is not None
    assert detail.review.score == 81
    assert detail.review.comment == "Threatened a court case."
    assert detail.review.reviewer_username == LEAD
    assert detail.contact.review_score == 81 and detail.contact.reviewed
    with floor.db.reader() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "review.saved")).one()
        assert event.entity_id == str(detail.review.id)
        assert event.details["score"] == 81 and event.details["again"] is False


def test_an_unanswered_attempt_can_be_reviewed_and_scores_none_when_all_na(floor: Floor) -> None:
    detail = save_review(
        floor.db, LEAD, floor.contacts["na_yesterday"], {"record_accurate": NOT_APPLICABLE}, None
    )
    assert detail.review is not None and detail.review.score is None
    assert [item.id for item in detail.criteria] == ["record_accurate"]


def test_reviewing_again_updates_the_one_review_and_shows_it_to_the_collector_anew(
    floor: Floor,
) -> None:
    ptp = floor.contacts["ptp"]
    first = save_review(floor.db, LEAD, ptp, all_met(ptp, floor.db), "Good call.", now=NOW)
    assert first.review is not None and first.review.score == 100
    mark_feedback_seen(floor.db, COLLECTOR, [first.review.id], now=NOW)
    assert unseen_count(floor.db, COLLECTOR) == 0
    answers = {**all_met(ptp, floor.db), "recap_done": NOT_MET}
    later = NOW + timedelta(hours=2)
    second = save_review(floor.db, SECOND_LEAD, ptp, answers, "Recap missed.", now=later)
    assert second.review is not None
    assert second.review.id == first.review.id
    assert second.review.reviewer_username == SECOND_LEAD
    assert second.review.reviewed_at == later
    assert second.review.seen_at is None
    assert second.review.comment == "Recap missed."
    assert second.review.score is not None and second.review.score < 100
    assert reviews_and_audits(floor.db) == (1, 2)
    assert unseen_count(floor.db, COLLECTOR) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda answers: answers.pop("no_threats"), "still open: No threats"),
        (lambda answers: answers.update(voicemail_no_details=MET), "voicemail_no_details"),
        (lambda answers: answers.update(no_threats="maybe"), "“maybe” is no answer"),
    ],
    ids=["missing", "not-applicable-here", "bad-answer"],
)
def test_invalid_answers_are_refused_and_leave_nothing_written(
    floor: Floor, change: object, message: str
) -> None:
    ptp = floor.contacts["ptp"]
    answers = all_met(ptp, floor.db)
    change(answers)  # type: ignore[operator]
    with pytest.raises(InvalidInput, match=message):
        save_review(floor.db, LEAD, ptp, answers, None)
    assert reviews_and_audits(floor.db) == (0, 0)


def test_a_failed_re_review_keeps_the_review_as_it_was(floor: Floor) -> None:
    ptp = floor.contacts["ptp"]
    save_review(floor.db, LEAD, ptp, all_met(ptp, floor.db), "Good.", now=NOW)
    with pytest.raises(InvalidInput, match="at most 2000"):
        save_review(floor.db, LEAD, ptp, all_met(ptp, floor.db), "x" * 2001)
    detail = contact_for_review(floor.db, LEAD, ptp)
    assert detail.review is not None and detail.review.comment == "Good."
    assert reviews_and_audits(floor.db) == (1, 1)


@pytest.mark.parametrize(
    ("who", "contact", "message"),
    [
        (COLLECTOR, "ptp", "Only a team lead can review"),
        (COLLEAGUE, "ptp", "Only a team lead can review"),
        (OTHER_LEAD, "ptp", "not your team's"),
        (LEAD, "other_team", "not your team's"),
        (LEAD, "lead_own", "No one reviews their own contact"),
        (ADMIN, "ptp", "Only a team lead can review"),
    ],
)
def test_only_a_lead_of_the_collectors_team_reviews_and_never_their_own(
    floor: Floor, who: str, contact: str, message: str
) -> None:
    attempt = floor.contacts[contact]
    with pytest.raises(NotAllowed, match=message):
        save_review(floor.db, who, attempt, all_met(attempt, floor.db), None)
    assert reviews_and_audits(floor.db) == (0, 0)


def test_an_unknown_contact_is_not_found(floor: Floor) -> None:
    with pytest.raises(NotFound, match="There is no contact"):
        save_review(floor.db, LEAD, uuid.uuid4(), {}, None)


# ---------------------------------------------------------------- the list


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (ReviewFilter(), ["ptp", "harm", "angry", "lead_own", "na_yesterday"]),
        (ReviewFilter(collector=COLLEAGUE), ["harm", "angry"]),
        (ReviewFilter(start=TODAY, end=TODAY), ["ptp", "harm", "angry", "lead_own"]),
        (ReviewFilter(start=YESTERDAY, end=YESTERDAY), ["na_yesterday"]),
        (ReviewFilter(end=YESTERDAY), ["na_yesterday"]),
        (ReviewFilter(dispositions={"PTP", "NA"}), ["ptp", "na_yesterday"]),
        (ReviewFilter(emotions={"angry", "self_harm_risk"}), ["harm", "angry"]),
        (ReviewFilter(incomplete_checklist_only=True), ["angry"]),
        (ReviewFilter(escalated_only=True), ["harm"]),
        (ReviewFilter(unreviewed_only=True), ["harm", "angry", "lead_own", "na_yesterday"]),
        (ReviewFilter(collector=COLLEAGUE, emotions={"angry"}), ["angry"]),
        (ReviewFilter(collector=COLLECTOR, escalated_only=True), []),
    ],
    ids=[
        "team",
        "collector",
        "today",
        "yesterday-in-beijing",
        "until-yesterday",
        "dispositions",
        "emotions",
        "incomplete",
        "escalated",
        "unreviewed",
        "collector-and-emotion",
        "collector-and-escalated",
    ],
)
def test_the_review_list_holds_the_team_newest_first_and_each_filter_narrows_it(
    floor: Floor, flt: ReviewFilter, expected: list[str]
) -> None:
    ptp = floor.contacts["ptp"]
    save_review(floor.db, LEAD, ptp, all_met(ptp, floor.db), None, now=NOW)
    assert names(floor, review_list(floor.db, LEAD, flt)) == expected


def test_the_review_list_rows_carry_what_the_table_shows(floor: Floor) -> None:
    rows = {row.attempt_id: row for row in review_list(floor.db, LEAD, ReviewFilter())}
    ptp = rows[floor.contacts["ptp"]]
    assert (ptp.username, ptp.disposition, ptp.emotion) == (COLLECTOR, "PTP", "calm")
    assert ptp.checklist_complete is True and ptp.promise_amount is not None
    assert rows[floor.contacts["angry"]].checklist_complete is False
    assert rows[floor.contacts["na_yesterday"]].checklist_complete is None
    assert rows[floor.contacts["harm"]].escalated


def test_the_review_list_is_for_leads_and_for_the_lead_s_team_only(floor: Floor) -> None:
    with pytest.raises(NotAllowed, match="Only a team lead"):
        review_list(floor.db, COLLECTOR, ReviewFilter())
    with pytest.raises(NotFound, match="not a member of team"):
        review_list(floor.db, LEAD, ReviewFilter(collector=OTHER_COLLECTOR))
    assert names(floor, review_list(floor.db, OTHER_LEAD, ReviewFilter())) == ["other_team"]
    with pytest.raises(NotAllowed, match="own team only"):
        review_list(floor.db, OTHER_LEAD, ReviewFilter(), team=floor_team(floor))
    # An administrator names the team.
    assert len(review_list(floor.db, ADMIN, ReviewFilter(), team=floor_team(floor))) == 5


def floor_team(floor: Floor) -> str:
    with floor.db.reader() as session:
        return session.get_one(Team, floor.portfolio.team_id).name


def test_a_filter_that_makes_no_sense_is_refused(floor: Floor) -> None:
    with pytest.raises(InvalidDate, match="after its end"):
        review_list(floor.db, LEAD, ReviewFilter(start=TODAY, end=YESTERDAY))
    with pytest.raises(InvalidInput, match="Unknown outcome code"):
        review_list(floor.db, LEAD, ReviewFilter(dispositions={"PTP", "XYZ"}))
    with pytest.raises(InvalidInput, match="Unknown emotion"):
        review_list(floor.db, LEAD, ReviewFilter(emotions={"bored"}))


def test_the_limit_keeps_the_newest(floor: Floor) -> None:
    assert names(floor, review_list(floor.db, LEAD, ReviewFilter(), limit=2)) == ["ptp", "harm"]


# ---------------------------------------------------------------- one contact


def test_the_detail_shows_path_checklist_promise_notes_and_escalations(floor: Floor) -> None:
    ptp = floor.contacts["ptp"]
    with floor.db.session() as session:
        session.add_all(
            [
                # During the after-call work: part of the call.
                AccountNote(
                    loan_id=floor.accounts["a1"].loan_id,
                    user_id=floor.portfolio.collector,
                    created_at=NOW + timedelta(minutes=5),
                    text="Sent the payment link.",
                ),
                # The next day: another matter.
                AccountNote(
                    loan_id=floor.accounts["a1"].loan_id,
                    user_id=floor.portfolio.collector,
                    created_at=NOW + timedelta(days=1),
                    text="Later note.",
                ),
                # By someone else.
                AccountNote(
                    loan_id=floor.accounts["a1"].loan_id,
                    user_id=floor.portfolio.lead,
                    created_at=NOW,
                    text="Lead's note.",
                ),
            ]
        )
    detail = contact_for_review(floor.db, LEAD, ptp)
    assert detail.can_review and detail.review is None
    assert detail.script_stage == "early"
    assert detail.script_title is not None and detail.script_title.zh_CN == "早期催收（M1）"
    verify = detail.script_path[1]
    assert (verify.title.en, verify.title.zh_CN) == ("Verify identity", "核实身份")
    assert verify.answer is not None and (verify.answer.en, verify.answer.zh_CN) == (
        "Matches",
        "信息一致",
    )
    told = detail.script_path[2]
    assert told.answer is not None and (told.answer.en, told.answer.zh_CN) == ("given", "已告知")
    assert detail.script_path[4].answer is None  # the account, read out
    expected = checklist_for("calm", "PTP")
    assert [line.id for line in detail.checklist] == [item.id for item in expected]
    assert all(line.ticked == line.required for line in detail.checklist)
    assert detail.checklist[0].text.zh_CN == expected[0].zh_CN
    assert detail.promise is not None
    assert (str(detail.promise.amount), detail.promise.status) == ("500.00", "pending")
    assert detail.notes == "Forgot the date; pays on Tuesday."
    assert [note.text for note in detail.account_notes] == ["Sent the payment link."]
    assert detail.escalations == ()
    assert {item.id for item in detail.criteria} == {
        item.id for item in criteria_for("PTP", "calm")
    }

    harm = contact_for_review(floor.db, LEAD, floor.contacts["harm"])
    assert [item.kind for item in harm.escalations] == ["self_harm_risk"]
    assert harm.escalations[0].decision is None
    angry = contact_for_review(floor.db, LEAD, floor.contacts["angry"])
    assert {line.id for line in angry.checklist if line.required and not line.ticked} >= {
        "deescalate.let_speak"
    }


def test_a_third_party_path_is_read_in_the_third_party_script() -> None:
    stage, path = script_path(["greeting=knows", "tp_no_details", "tp_message=will_pass"])
    assert stage == "third_party"
    assert path[2].title.en == "Ask to pass on a message"
    assert path[0].answer is not None and path[0].answer.en != "knows"
    assert script_path([]) == (None, ())
    assert script_path(["nowhere"])[0] is None
    unknown = script_path(["greeting=speaking", "no_such_step"], "early")[1][-1]
    assert (unknown.known, unknown.title.en) == (False, "no_such_step")


def test_the_stored_stage_names_the_script_not_the_best_guess() -> None:
    path = ["greeting=speaking", "verify=match", "disclosure_recording=said"]
    # Every borrower's script starts so: without a stage the first of them fits best.
    assert script_path(path)[0] == "pre_due"
    assert script_path(path, "mid")[0] == "mid"
    assert script_path(path, "broken_promise")[0] == "broken_promise"


def test_who_may_open_a_contact_for_review(floor: Floor) -> None:
    ptp = floor.contacts["ptp"]
    # The lead's own contact opens, but cannot be reviewed by them.
    assert not contact_for_review(floor.db, LEAD, floor.contacts["lead_own"]).can_review
    # An administrator reads, reviews nothing.
    assert not contact_for_review(floor.db, ADMIN, ptp).can_review
    with pytest.raises(NotAllowed, match="not your team's"):
        contact_for_review(floor.db, OTHER_LEAD, ptp)
    # The collector, only once reviewed; a colleague never.
    with pytest.raises(NotAllowed, match="not been reviewed yet"):
        contact_for_review(floor.db, COLLECTOR, ptp)
    save_review(floor.db, LEAD, ptp, all_met(ptp, floor.db), "Well done.", now=NOW)
    mine = contact_for_review(floor.db, COLLECTOR, ptp)
    assert mine.review is not None and mine.review.comment == "Well done."
    assert not mine.can_review
    with pytest.raises(NotAllowed, match="Only a team lead can open"):
        contact_for_review(floor.db, COLLEAGUE, ptp)


# ---------------------------------------------------------------- the collector's feedback


def test_a_collector_sees_their_own_feedback_only_newest_first(floor: Floor) -> None:
    db = floor.db
    ptp, na, angry = (floor.contacts[name] for name in ("ptp", "na_yesterday", "angry"))
    save_review(db, LEAD, na, {"record_accurate": MET}, "Correct code.", now=NOW)
    save_review(db, LEAD, ptp, all_met(ptp, db), "Good.", now=NOW + timedelta(minutes=1))
    save_review(db, LEAD, angry, all_met(angry, db), "For li.na.", now=NOW)
    mine = my_feedback(db, COLLECTOR)
    assert [row.attempt_id for row in mine] == [ptp, na]
    assert mine[0].reviewer == LEAD and mine[0].score == 100 and not mine[0].seen
    assert mine[0].contract_no == floor.accounts["a1"].contract_no
    assert [row.comment for row in my_feedback(db, COLLEAGUE)] == ["For li.na."]
    assert my_feedback(db, LEAD) == ()
    assert unseen_count(db, COLLECTOR) == 2


def test_marking_feedback_seen_marks_only_ones_own(floor: Floor) -> None:
    db = floor.db
    ptp, angry = floor.contacts["ptp"], floor.contacts["angry"]
    mine = save_review(db, LEAD, ptp, all_met(ptp, db), None, now=NOW).review
    theirs = save_review(db, LEAD, angry, all_met(angry, db), None, now=NOW).review
    assert mine is not None and theirs is not None
    with pytest.raises(NotAllowed, match="Only the collector whose contact"):
        mark_feedback_seen(db, COLLECTOR, [mine.id, theirs.id], now=NOW)
    assert unseen_count(db, COLLECTOR) == 1 and unseen_count(db, COLLEAGUE) == 1
    seen_at = NOW + timedelta(minutes=5)
    assert mark_feedback_seen(db, COLLECTOR, [mine.id], now=seen_at) == (mine.id,)
    # Opening it again keeps the first time it was seen.
    assert mark_feedback_seen(db, COLLECTOR, [mine.id], now=seen_at + timedelta(hours=1)) == ()
    (row,) = my_feedback(db, COLLECTOR)
    assert row.seen_at == seen_at
    assert my_feedback(db, COLLECTOR, unseen_only=True) == ()
    assert unseen_count(db, COLLEAGUE) == 1
    with pytest.raises(NotFound, match="There is no review"):
        mark_feedback_seen(db, COLLECTOR, [uuid.uuid4()])


# ---------------------------------------------------------------- PostgreSQL row security

PASSWORD = "correct horse battery"


def _suffix() -> str:
    return "_t" + uuid.uuid4().hex[:8]


@pytest.fixture
def central(pg_db: Database) -> Iterator[tuple[Database, Portfolio]]:
    portfolio = Portfolio(pg_db)
    yield pg_db, portfolio
    with pg_db.engine.begin() as connection:
        for name in connection.exec_driver_sql(
            "SELECT username FROM users WHERE username LIKE '%%\\_t%%'"
        ).scalars():
            connection.exec_driver_sql(f'DROP ROLE IF EXISTS "{name}"')


def _signed_in(db: Database, username: str) -> Database:
    """The database as `username`'s own login role, over TCP as a workstation reaches it."""
    url = make_url(db.url).set(
        username=username,
        password=PASSWORD,
        host="127.0.0.1",
        port=make_url(db.url).port or 5432,
        query={},
    )
    return Database(url.render_as_string(hide_password=False), tls=server_tls())


def _login(db: Database, username: str) -> psycopg.Connection:
    url = make_url(db.url)
    return psycopg.connect(
        host="127.0.0.1",
        port=url.port or 5432,
        dbname=url.database,
        user=username,
        password=PASSWORD,
        autocommit=True,
    )


def review_id_of(db: Database, attempt_id: uuid.UUID) -> uuid.UUID:
    with db.reader() as session:
        return session.scalars(
            select(CallReview.id).where(CallReview.attempt_id == attempt_id)
        ).one()


def test_on_postgresql_the_lead_reviews_and_the_collector_only_marks_their_own_seen(
    central: tuple[Database, Portfolio],
) -> None:
    db, portfolio = central
    with db.reader() as session:
        team = session.get_one(Team, portfolio.team_id).name
    lead, me = f"lead{_suffix()}", f"collector{_suffix()}"
    add_user(db, lead, "team_lead", team, PASSWORD)
    add_user(db, me, "collector", team, PASSWORD)
    with db.reader() as session:
        my_id = session.scalars(select(User.id).where(User.username == me)).one()
    account = portfolio.account(today=TODAY, dpd=20, assigned_to=my_id)
    attempt = record_contact(db, replace(outcome(account, "TPC"), username=me), now=NOW)
    as_lead, as_me = _signed_in(db, lead), _signed_in(db, me)
    try:
        answers = all_met(attempt.attempt_id, db)
        # The collector's own login cannot write a review, through the service or by hand.
        with pytest.raises(NotAllowed):
            save_review(as_me, me, attempt.attempt_id, answers, None, now=NOW)
        with (
            _login(db, me) as connection,
            connection.cursor() as cursor,
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
        ):
            cursor.execute(
                "INSERT INTO call_reviews (id, attempt_id, loan_id, collector_id,"
                " reviewer_id, reviewed_at, answers, score) VALUES (gen_random_uuid(),"
                " %s, %s, cw_me(), cw_me(), now(), '{}', 100)",
                (attempt.attempt_id, account.loan_id),
            )
        detail = save_review(as_lead, lead, attempt.attempt_id, answers, "Fine.", now=NOW)
        assert detail.review is not None and detail.review.score == 100
        review_id = detail.review.id
        with _login(db, me) as connection, connection.cursor() as cursor:
            for statement in (
                "UPDATE call_reviews SET score = 0",
                "UPDATE call_reviews SET comment = 'self-praise'",
                """UPDATE call_reviews SET answers = '{"no_threats": "met"}'""",
            ):
                with pytest.raises(
                    psycopg.errors.InsufficientPrivilege, match=r"team lead|own reviewer"
                ):
                    cursor.execute(statement)
            cursor.execute("SELECT score, comment FROM call_reviews")
            assert cursor.fetchall() == [(100, "Fine.")]
        # A colleague's review stays out of sight and out of reach.
        theirs = portfolio.account(today=TODAY, dpd=20)
        other = record_contact(db, outcome(theirs, "TPC"), now=NOW)
        save_review(db, "lead.wang", other.attempt_id, answers, None, now=NOW)
        with _login(db, me) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT attempt_id FROM call_reviews")
            assert cursor.fetchall() == [(attempt.attempt_id,)]
            cursor.execute("UPDATE call_reviews SET seen_at = now() WHERE collector_id <> cw_me()")
            assert cursor.rowcount == 0
        # Through the service: row security leaves the colleague's review unknown to them.
        with pytest.raises(NotFound):
            mark_feedback_seen(as_me, me, [review_id, review_id_of(db, other.attempt_id)], now=NOW)
        # Marking their own seen is the collector's own act, through their login.
        assert mark_feedback_seen(as_me, me, [review_id], now=NOW) == (review_id,)
        (row,) = my_feedback(as_me, me)
        assert row.seen and row.score == 100
        with db.reader() as session:
            assert (
                session.scalars(
                    select(CallReview.seen_at).where(CallReview.attempt_id == other.attempt_id)
                ).one()
                is None
            )
    finally:
        as_lead.dispose()
        as_me.dispose()
