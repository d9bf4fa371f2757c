"""Contact attempts: when a call may be made, which own phone to try, and the attempt row itself
(with its checklist, and what it sets off for the team lead)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from app.demo.oversight import Oversight
from app.demo.records import Account, Point
from app.demo.state import HOUR, SHIFT_END, SHIFT_START, DemoState, Part, local_midnight
from app.services.contact.checklists import checklist_for
from app.services.contact.compliance import profile_code_for
from app.services.contact.scripts import (
    THIRD_PARTY_STAGE,
    load_script,
    sample_path,
    stage_for_bucket,
)

# A call abroad must fall between these local times in every zone involved.
_ABROAD_EARLIEST = 8 * HOUR
_ABROAD_LATEST = 21 * HOUR


class Calls(Part):
    """Call times, the phone to try, and attempt rows."""

    def __init__(self, state: DemoState, oversight: Oversight) -> None:
        super().__init__(state)
        self._oversight = oversight
        self._zones: dict[str, ZoneInfo] = {}
        # Answered contacts tick their emotion's required checklist items; a few (legacy and
        # imported rows) lack one. Drawn from a stream of their own, so every other row stays
        # what the seed made it before checklists were filled in.
        self._checklist_rng = random.Random(f"checklists {state.seed}")
        self._ticked: dict[tuple[str, str], tuple[str, ...]] = {}
        self._ticked_text: dict[tuple[str, str], str] = {}
        self._paths: dict[tuple[str, str, str], tuple[str, str | None]] = {}

    # -- when -----------------------------------------------------------------------------

    def _zone(self, key: str) -> ZoneInfo:
        found = self._zones.get(key)
        if found is None:
            found = self._zones[key] = ZoneInfo(key)
        return found

    def _allowed_abroad(self, sec: int, zones: Iterable[str]) -> bool:
        for key in zones:
            local = datetime.fromtimestamp(sec, self._zone(key))
            seconds = local.hour * HOUR + local.minute * 60
            if not _ABROAD_EARLIEST <= seconds < _ABROAD_LATEST:
                return False
        return True

    def pick_time(
        self,
        account: Account,
        point: Point,
        day: int,
        *,
        after: int = 0,
        past_only: bool = True,
    ) -> int | None:
        """A moment in that day's shift when calling this point suits every zone involved.

        past_only: before as_of (an attempt); otherwise any time that day (a callback's due time).
        """
        rng = self.rng
        midnight = local_midnight(day)
        low = max(midnight + SHIFT_START, after)
        high = midnight + SHIFT_END
        if past_only:
            high = min(high, self.as_of_sec - 15 * 60)
        if high <= low:
            return None
        if point.utc8 and account.address_utc8:
            return low + int(rng.random() * (high - low))
        zones = [*point.zones.split(), *account.address_zones]
        for _ in range(24):
            moment = low + int(rng.random() * (high - low))
            if self._allowed_abroad(moment, zones):
                return moment
        return None

    # -- whom -----------------------------------------------------------------------------

    def own_phone(self, account: Account) -> Point | None:
        """One of the borrower's own usable phones, or None."""
        usable = [p for p in account.points if p.own and p.kind != "email" and p.usable]
        if not usable:
            return None
        # The mobile is tried first most of the time.
        if usable[0].kind == "mobile" and self.rng.random() < 0.75:
            return usable[0]
        return usable[int(self.rng.random() * len(usable))]

    # -- the attempt ----------------------------------------------------------------------

    def attempt(
        self,
        account: Account,
        point: Point,
        start: int,
        code: str,
        *,
        channel: str = "call",
        emotion: str | None = None,
        note: str | None = None,
    ) -> tuple[str, int]:
        """Record one attempt; returns its id and when the collector was done with it."""
        rng = self.rng
        shape = self.shape
        meaning = self.state.dispositions[code]
        duration = 0
        if meaning.contact:
            durations = shape.activity["durations"]
            low, high = durations.get(code, durations["default"])
            duration = int(rng.uniform(low, high))
            if emotion is None:
                emotion = shape.emotions.get(code, shape.emotions["default"]).pick(rng)
            if meaning.rpc:
                account.rpc_times.append(start)
        else:
            emotion = None
            if point.own and channel == "call":
                account.own_failures.append(start)
        if note is None and code != "PTP" and rng.random() < shape.note_share:
            choices = shape.texts["notes"].get(code)
            if choices:
                template = choices[int(rng.random() * len(choices))]
                note = template.format(n=3 + int(rng.random() * 10))
        after_call = 20 + int(rng.random() * 100)
        done = start + duration + after_call
        attempt_id = self.uuid()
        if channel == "sms" and start >= self.state.reminders_from:
            # The reminders job sends the texts from then on (app.demo.reminders): the one a
            # collector would have logged by hand is left out, its draws made all the same so
            # that every other row stays as the seed made it.
            return attempt_id, done
        self.rows.attempts.append(
            (
                attempt_id,
                account.loan_id,
                account.borrower_id,
                point.id,
                account.user_id,
                channel,
                self.ts(start),
                duration,
                after_call if channel == "call" else None,
                code,
                int(meaning.rpc),
                emotion,
                self._checklist(emotion, code) if emotion is not None else "[]",
                *self._script(account, point, code, channel),
                note,
                self.ts(min(done, self.as_of_sec)),
            )
        )
        if meaning.contact:
            self._oversight.escalate(account, attempt_id, start, emotion, code, done)
        elif channel == "call":
            self._oversight.maybe_blocked(account, point, start)
        return attempt_id, done

    def _script(
        self, account: Account, point: Point, code: str, channel: str
    ) -> tuple[str, str | None]:
        """The stored script path and stage of a call: the path a collector who follows the
        account's script takes to the outcome (a third party's number has its own script);
        none where nobody answered, or for a text message."""
        if channel != "call" or not self.state.dispositions[code].contact:
            return "[]", None
        stage = THIRD_PARTY_STAGE if not point.own else stage_for_bucket(account.bucket or "C")
        key = (stage, profile_code_for(account.country), code)
        found = self._paths.get(key)
        if found is None:
            path = sample_path(load_script(stage, "en", key[1]), code)
            found = (json.dumps(list(path)), stage) if path is not None else ("[]", None)
            self._paths[key] = found
        return found

    def _checklist(self, emotion: str, code: str) -> str:
        """The stored checklist of an answered contact: its required items, in order, or now
        and then all but one of them."""
        key = (emotion, code)
        ticked = self._ticked.get(key)
        if ticked is None:
            ticked = tuple(item.id for item in checklist_for(emotion, code) if item.required)
            self._ticked[key] = ticked
            self._ticked_text[key] = json.dumps(list(ticked))
        rng = self._checklist_rng
        if ticked and rng.random() < self.shape.checklist_missing_share:
            left_out = int(rng.random() * len(ticked))
            return json.dumps([item for index, item in enumerate(ticked) if index != left_out])
        return self._ticked_text[key]
