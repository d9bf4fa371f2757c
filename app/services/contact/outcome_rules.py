"""What a contact's outcome still lacks before it can be saved (docs/domain.md §3, §5, §6).

One set of rules for two readers. The window asks `form_refusals` about the outcome it holds
and shows every item it returns, in the user's language and at the field it is about (each
names one of `FIELDS`), keeping Save disabled until there are none. `record_contact` checks the
same rules on what it is given and refuses with every one it meets, so the collector reads the
same words in the window as a CLI user reads on the `error:` lines.

The rules need no database. What only the database can answer (the account and the user's scope,
whose number the contact point is, the contact rules, the amount owed) stays in
`record_contact`; the window passes what it knows of them (the number chosen and whether it is a
third party's).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from app.models import Channel
from app.services.common.clock import local_today
from app.services.common.errors import (
    Checks,
    DomainError,
    InvalidAmount,
    InvalidDate,
    InvalidInput,
    Localized,
    Message,
    NotFound,
)
from app.services.common.money import parse_amount
from app.services.common.reference import Disposition, dispositions, emotions, policy
from app.services.contact.checklists import ChecklistIncomplete, validate_checklist
from app.services.contact.escalations import kinds_raised_by
from app.services.contact.scripts import VISIT_STAGE, load_script, replay, stages

MAX_CALLBACK_DAYS = 30
# The parts of an outcome a refusal is about (`DomainError.field`), as a form names its fields.
FIELDS = (
    "disposition",
    "channel",
    "contact_point",
    "script",
    "emotion",
    "checklist",
    "promise_amount",
    "promise_date",
    "callback_at",
)


@dataclass(frozen=True)
class OutcomeDraft:
    """An outcome as far as it is known: plain values, as a form or a command line holds them."""

    disposition: str | None
    channel: str = "call"
    contact_point_id: uuid.UUID | None = None
    # The point is a third party's (an emergency contact), not one of the borrower's own.
    third_party_point: bool = False
    # The call script followed: its stage and the path taken through it (ScriptRun.path()).
    script_stage: str | None = None
    script_steps: tuple[str, ...] = ()
    # What the path says, as `read_script` reads it: the identity check passed (True), failed
    # (False) or not made (None); the emotion its answers recorded; the titles of the required
    # disclosures not ticked off.
    right_party: bool | None = None
    emotion: str | None = None
    checklist: tuple[str, ...] = ()
    # Both or neither: a promise is an amount (as typed or as a Decimal) and a date.
    promise_amount: Decimal | str | None = None
    promise_date: date | None = None
    callback_at: datetime | None = None
    script_emotion: str | None = None
    untold_disclosures: tuple[Localized | str, ...] = ()

    @property
    def has_promise(self) -> bool:
        return self.promise_amount is not None or self.promise_date is not None


def missing_for_outcome(
    draft: OutcomeDraft, *, now: datetime | None = None, profile: str | None = None
) -> tuple[Message, ...]:
    """Every item that stops this outcome from being saved, as translatable messages.

    In the order `record_contact` checks them; empty when the rules that need no database are
    all met. `now` (default: now) dates the callback time and the promise date. With the
    borrower's compliance `profile`, the script path is read first (`read_script`).
    """
    return tuple(
        Message(error.template, error.params)
        for error in form_refusals(draft, now=now, profile=profile)
    )


def form_refusals(
    draft: OutcomeDraft, *, now: datetime | None = None, profile: str | None = None
) -> tuple[DomainError, ...]:
    """`refusals` as a form shows them, each at its field (`missing_for_outcome`'s items)."""
    return tuple(_for_a_form(error) for error in refusals(draft, now=now, profile=profile))


def refusals(
    draft: OutcomeDraft, *, now: datetime | None = None, profile: str | None = None
) -> tuple[DomainError, ...]:
    """`missing_for_outcome` as the errors `record_contact` raises for them."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    if not draft.disposition:
        return (InvalidInput("Choose the outcome of the call.").at("disposition"),)
    try:
        code = disposition_of(draft.disposition)
    except InvalidInput as error:
        return (error,)
    if profile is not None:
        try:
            draft = read_script(draft, profile)
        except DomainError as error:
            return (error.at("script"),)
    try:
        channel = channel_of(draft.channel)
    except InvalidInput as error:
        return (*entry_refusals(draft, code, now), error)
    return tuple(outcome_refusals(draft, code, channel, now))


def outcome_refusals(
    draft: OutcomeDraft, code: Disposition, channel: Channel, now: datetime
) -> list[DomainError]:
    """What the outcome itself lacks (`entry_refusals`), where it went (`point_refusals`), and
    a promise date outside the policy: everything that needs no database but the contact
    point's kind, which `draft.third_party_point` says."""
    found = [*entry_refusals(draft, code, now), *point_refusals(draft, code, channel)]
    if draft.promise_date is not None and "promise" in code.requires:
        found.extend(refused(promise_date_refusal(draft.promise_date, local_today(now))))
    return found


def refused(error: DomainError | None) -> tuple[DomainError, ...]:
    return () if error is None else (error,)


# The refusal (raised in `_emotion_and_checklist`) whose `known` values a form shows by name.
_EMOTION_MISSING = "Someone answered ({code}): record the emotion you observed (one of {known})."


def _for_a_form(error: DomainError) -> DomainError:
    """The refusal as a form reads it: the same template and field, with the emotions and
    checklist items it names by their words rather than the codes a command line types (a form
    shows them by name next to the message)."""
    params = dict(error.params)
    if isinstance(error, ChecklistIncomplete):
        params["missing"] = Localized(
            "; ".join(item.en for item in error.missing),
            "；".join(item.zh_CN for item in error.missing),
        )
    elif error.template == _EMOTION_MISSING:
        params["known"] = Localized(
            ", ".join(emotion.en for emotion in emotions().values()),
            "、".join(emotion.zh_CN for emotion in emotions().values()),
        )
    return error.with_values(params)


def read_script(draft: OutcomeDraft, profile: str) -> OutcomeDraft:
    """The draft with what its script path says, followed again through the stage's script
    under the borrower's compliance `profile`: whether the identity check verified the
    borrower, the emotion its answers recorded, and the required disclosures not ticked off.

    Whatever the caller claimed about them is replaced: only the path counts. A path the
    script does not allow, or a stage that does not fit the channel, is refused.
    """
    if not draft.script_steps:
        if draft.script_stage is not None:
            raise InvalidInput("A script stage was given without the path taken through it.")
        return replace(draft, right_party=None, script_emotion=None, untold_disclosures=())
    if draft.script_stage is None:
        raise InvalidInput("Say which call script the path follows (its stage).")
    channel = channel_of(draft.channel)
    visit = draft.script_stage == VISIT_STAGE
    if channel not in (Channel.CALL, Channel.VISIT) or visit != (channel is Channel.VISIT):
        raise InvalidInput(
            "The “{stage}” script is not for a contact by {channel}.",
            stage=draft.script_stage,
            channel=channel.value,
        )
    if draft.script_stage not in stages():
        raise NotFound("There is no call script for stage “{stage}”.", stage=draft.script_stage)
    run = replay(load_script(draft.script_stage, "en", profile), draft.script_steps)
    return replace(
        draft,
        right_party=run.right_party,
        script_emotion=run.suggested_emotion,
        untold_disclosures=tuple(step.named for step in run.missing_disclosures()),
    )


def disposition_of(code: str) -> Disposition:
    """The outcome code's flags; an unknown code is refused."""
    found = dispositions().get(code)
    if found is None or found.by_system:
        raise InvalidInput(
            "Unknown outcome code “{code}” (one of {known}).",
            code=code,
            known=", ".join(c.code for c in dispositions().values() if not c.by_system),
        ).at("disposition")
    return found


def channel_of(value: str) -> Channel:
    """The channel named; an unknown one is refused."""
    try:
        return Channel(value)
    except ValueError:
        known = ", ".join(channel.value for channel in Channel)
        raise InvalidInput(
            "Unknown channel “{channel}” (one of {known}).", channel=value, known=known
        ).at("channel") from None


def refuse_all(found: Iterable[DomainError]) -> None:
    """Refuse with every one of `found` at once (`Problems` for several), if there is one."""
    checks = Checks()
    for error in found:
        checks.add(None, error)
    checks.verdict()


def entry_refusals(draft: OutcomeDraft, code: Disposition, now: datetime) -> Iterator[DomainError]:
    """The outcome itself: emotion and checklist, the script's findings, promise, callback.

    `record_contact` checks these before it opens the account.
    """
    yield from _emotion_and_checklist(draft, code)
    # Once verified (before that, the identity check is what is missing): what was not said.
    if code.needs_disclosures and draft.right_party is True and draft.untold_disclosures:
        yield InvalidInput(
            "Give and tick the required disclosures: {items}.",
            items=_joined(draft.untold_disclosures),
        ).at("script")
    if "promise" in code.requires and not _promised(draft):
        yield InvalidInput("A promise to pay needs an amount and a date.").at("promise_amount")
    if draft.has_promise and "promise" not in code.requires:
        # A promise stored with any other outcome would be chased and counted in the PTP rate.
        yield InvalidInput(
            "A promise to pay is recorded with a promise outcome ({codes}), not {code}.",
            codes=", ".join(c.code for c in dispositions().values() if "promise" in c.requires),
            code=code.code,
        ).at("promise_amount")
    if "callback" in code.requires and draft.callback_at is None:
        yield InvalidInput("A callback outcome needs the time to call back.").at("callback_at")
    if draft.callback_at is not None and not code.contact:
        # A callback is a time agreed with someone (docs/domain.md §2); the rules also treat an
        # open one as the borrower's own request, which may lift a block.
        yield InvalidInput(
            "Nobody answered ({code}): there is no one who agreed a time to call back.",
            code=code.code,
        ).at("callback_at")
    if draft.callback_at is not None:
        yield from (error.at("callback_at") for error in _callback_time(draft.callback_at, now))
    if _promised(draft) and "promise" in code.requires:
        assert draft.promise_amount is not None
        try:
            parse_amount(draft.promise_amount, what="promise")
        except InvalidAmount as error:
            yield error.at("promise_amount")


def point_refusals(
    draft: OutcomeDraft, code: Disposition, channel: Channel
) -> Iterator[DomainError]:
    """Where the contact went: a number (or address) for every channel but a visit, and a
    right-party outcome only with the borrower verified (docs/domain.md §5).

    `record_contact` checks these once it has read the contact point.
    """
    if channel is not Channel.VISIT and draft.contact_point_id is None:
        yield point_missing(channel).at("contact_point")
    if code.rpc and draft.third_party_point and draft.right_party is not True:
        # The third-party script's handover path verifies the borrower; without it the outcome
        # would count a relative as the borrower.
        yield InvalidInput(
            "{code} is a right-party outcome, but the call went to a third party's number:"
            " record it only when the borrower came to the phone and was verified.",
            code=code.code,
        ).at("script")
    elif code.rpc and draft.right_party is False:
        yield InvalidInput("The identity check failed: a right-party outcome cannot be logged.").at(
            "script"
        )
    elif code.rpc and draft.right_party is None:
        # A right-party outcome is a conversation with the verified borrower (PRODUCT §5): the
        # path through the call script is what shows the identity was checked.
        yield InvalidInput(
            "{code} is a right-party outcome: record it with the path taken through the call"
            " script, in which the identity check verified the borrower.",
            code=code.code,
        ).at("script")


def point_missing(channel: Channel) -> InvalidInput:
    """Every channel but a visit goes to a number or an address: the user must say which."""
    if channel is Channel.EMAIL:
        return InvalidInput("Say which e-mail address the e-mail goes to.")
    if channel is Channel.SMS:
        return InvalidInput("Say which number the text message goes to.")
    return InvalidInput("Say which number the call goes to.")


def promise_date_refusal(promised: date, today: date) -> InvalidDate | None:
    """A promise date must be between today and the policy's `max_days_ahead`."""
    limit = int(policy()["promise"]["max_days_ahead"])
    if promised < today:
        return InvalidDate("The promise date {date} is in the past.", date=promised.isoformat()).at(
            "promise_date"
        )
    if promised > today + timedelta(days=limit):
        return InvalidDate(
            "The promise date {date} is more than {days} days ahead;"
            " offer a repayment plan instead.",
            date=promised.isoformat(),
            days=limit,
        ).at("promise_date")
    return None


def _emotion_and_checklist(draft: OutcomeDraft, code: Disposition) -> Iterator[DomainError]:
    """Someone answered: the emotion observed is required, and so is every required item of
    its checklist. Nobody answered: there is no emotion to observe and no checklist to tick."""
    if draft.emotion is not None and draft.emotion not in emotions():
        yield InvalidInput(
            "Unknown emotion “{emotion}” (one of {known}).",
            emotion=draft.emotion,
            known=", ".join(emotions()),
        ).at("emotion")
        return
    if not code.contact:
        if draft.emotion is not None or draft.checklist:
            yield InvalidInput(
                "Nobody answered ({code}): there is no emotion or checklist to record.",
                code=code.code,
            ).at("emotion")
        return
    if draft.emotion is None:
        yield InvalidInput(
            "Someone answered ({code}): record the emotion you observed (one of {known}).",
            code=code.code,
            known=", ".join(emotions()),
        ).at("emotion")
    yield from _script_emotion(draft, code)
    if draft.emotion is not None:
        try:
            validate_checklist(draft.emotion, code.code, draft.checklist)
        except InvalidInput as error:  # an item not on the list, or `ChecklistIncomplete`
            yield error.at("checklist")


def _script_emotion(draft: OutcomeDraft, code: Disposition) -> Iterator[DomainError]:
    """An emotion the script recorded that raises an escalation (a harm risk, a disclosed
    vulnerability) must not be lost by recording another one."""
    suggested = draft.script_emotion
    if suggested is None or draft.emotion == suggested or suggested not in emotions():
        return
    if any(kind.emotion == suggested for kind in kinds_raised_by(suggested, code.code)):
        observed = emotions()[suggested]
        yield InvalidInput(
            "The script recorded “{emotion}”: record it as the emotion.",
            emotion=Localized(observed.en, observed.zh_CN),
        ).at("emotion")


def _promised(draft: OutcomeDraft) -> bool:
    """Both parts given. A blank amount given is given: it is refused as not a number, the
    way `record_contact` always refused it (a form passes None for an empty field)."""
    return draft.promise_amount is not None and draft.promise_date is not None


def _callback_time(callback_at: datetime, now: datetime) -> Iterator[InvalidDate]:
    if callback_at.tzinfo is None:
        yield InvalidDate("The callback time must carry a time zone.")
    elif callback_at <= now:
        yield InvalidDate("The callback time {time} is in the past.", time=callback_at)
    elif callback_at > now + timedelta(days=MAX_CALLBACK_DAYS):
        yield InvalidDate(
            "A callback cannot be more than {days} days ahead.", days=MAX_CALLBACK_DAYS
        )


def _joined(titles: Iterable[Localized | str]) -> Localized:
    """Step titles as one value in both languages (a title known in one language reads as is)."""
    listed = [
        title if isinstance(title, Localized) else Localized(title, title) for title in titles
    ]
    return Localized("; ".join(t.en for t in listed), "；".join(t.zh_CN for t in listed))
