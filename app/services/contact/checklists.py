"""Emotion checklists: what a collector confirms before a contact's outcome is saved.

The items are data (`resources/checklists/`, docs/domain.md §6): `all.json` for every contact where
someone answered, plus one file per emotion in `resources/emotions.json`. An emotion's file may
include another's items (hostile includes angry's de-escalation items).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from app.services.common.errors import InvalidInput, Localized
from app.services.common.reference import SupportLine, dispositions, emotions, load_json, support
from app.services.contact.compliance import profile_code_for

COMMON = "all"


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    en: str
    zh_CN: str
    required: bool = True
    # Disposition codes the item applies to; empty means every outcome.
    only_for: tuple[str, ...] = ()
    # The wording for a home visit, (en, zh_CN), where the call's does not fit.
    visit: tuple[str, str] | None = None

    def text(self, language: str = "en", *, visit: bool = False) -> str:
        en, zh = self.visit if visit and self.visit else (self.en, self.zh_CN)
        return zh if language == "zh_CN" else en

    def applies_to(self, disposition: str) -> bool:
        return not self.only_for or disposition in self.only_for


class ChecklistIncomplete(InvalidInput):
    """Required items were not ticked; `missing` lists them so a form can point at each."""

    def __init__(
        self, template: str, missing: tuple[ChecklistItem, ...], /, **params: object
    ) -> None:
        super().__init__(template, **params)
        self.missing = missing


def _items(raw: list[dict[str, Any]], source: str) -> tuple[ChecklistItem, ...]:
    codes = dispositions()
    items = []
    for entry in raw:
        item = ChecklistItem(
            id=entry["id"],
            en=entry["en"],
            zh_CN=entry["zh_CN"],
            required=bool(entry.get("required", True)),
            only_for=tuple(entry.get("only_for", ())),
            visit=(entry["visit"]["en"], entry["visit"]["zh_CN"]) if "visit" in entry else None,
        )
        unknown = [code for code in item.only_for if code not in codes]
        if unknown:
            raise ValueError(f"{source}: item {item.id} names unknown outcomes {unknown}")
        items.append(item)
    return tuple(items)


@cache
def _files() -> dict[str, dict[str, Any]]:
    names = [COMMON, *emotions()]
    return {name: dict(load_json(f"checklists/{name}.json")) for name in names}


@cache
def _checklists() -> dict[str, tuple[ChecklistItem, ...]]:
    """Every emotion's full list (common items first, then included ones, then its own)."""
    files = _files()
    common = _items(files[COMMON]["items"], "all.json")

    def own_and_included(name: str, seen: tuple[str, ...]) -> tuple[ChecklistItem, ...]:
        if name in seen:
            raise ValueError(f"checklists include each other in a loop: {[*seen, name]}")
        data = files.get(name)
        if data is None:
            raise ValueError(f"checklist {seen[-1]}.json includes unknown {name}")
        included = tuple(
            item
            for other in data.get("includes", ())
            for item in own_and_included(other, (*seen, name))
        )
        return included + _items(data["items"], f"{name}.json")

    result = {}
    for emotion in emotions():
        items = common + own_and_included(emotion, ())
        ids = [item.id for item in items]
        duplicates = sorted({item_id for item_id in ids if ids.count(item_id) > 1})
        if duplicates:
            raise ValueError(f"checklist for {emotion} repeats item ids {duplicates}")
        result[emotion] = items
    return result


def checklist_for(emotion: str, disposition: str) -> tuple[ChecklistItem, ...]:
    """The items to confirm after a contact with this emotion and outcome, in display order.

    Empty for an outcome where nobody answered (its `contact` flag is false).
    """
    items = _checklists().get(emotion)
    if items is None:
        known = ", ".join(emotions())
        raise InvalidInput(
            "Unknown emotion “{emotion}” (one of {known}).", emotion=emotion, known=known
        )
    code = dispositions().get(disposition)
    if code is None:
        raise InvalidInput("Unknown outcome code “{code}”.", code=disposition)
    if not code.contact:
        # Nobody answered: no conversation took place, so there is nothing to confirm about it.
        return ()
    return tuple(item for item in items if item.applies_to(disposition))


def missing_items(
    emotion: str, disposition: str, ticked: Iterable[str]
) -> tuple[ChecklistItem, ...]:
    """The required items of the checklist that are not among `ticked`."""
    done = set(ticked)
    return tuple(
        item
        for item in checklist_for(emotion, disposition)
        if item.required and item.id not in done
    )


def validate_checklist(emotion: str, disposition: str, ticked: Iterable[str]) -> tuple[str, ...]:
    """The ticked item ids in checklist order, once every required item is among them.

    Raises `InvalidInput` for an id that is not on this checklist (a stale tick from another
    emotion is as wrong as a typo) and `ChecklistIncomplete` naming each missing item.
    """
    ticked = tuple(ticked)
    items = checklist_for(emotion, disposition)
    observed = emotions()[emotion]
    name = Localized(observed.en, observed.zh_CN)
    known = {item.id for item in items}
    unknown = sorted({item_id for item_id in ticked if item_id not in known})
    if unknown:
        raise InvalidInput(
            "Not on the checklist for {emotion} / {code}: {unknown} (its items: {items}).",
            emotion=name,
            code=disposition,
            unknown=", ".join(unknown),
            items=", ".join(item.id for item in items),
        )
    missing = missing_items(emotion, disposition, ticked)
    if missing:
        named = Localized(
            "; ".join(f"{item.id} ({item.en})" for item in missing),
            "；".join(f"{item.id}（{item.zh_CN}）" for item in missing),
        )
        raise ChecklistIncomplete(
            "The checklist for {emotion} / {code} is not complete. Still to confirm: {missing}.",
            missing,
            emotion=name,
            code=disposition,
            missing=named,
        )
    return tuple(item.id for item in items if item.id in set(ticked))


def support_lines(emotion: str, country: str) -> tuple[SupportLine, ...]:
    """The support hotlines to give a borrower showing this emotion, for where they live.

    The numbers belong to the borrower's compliance profile; the emotion's checklist file says
    whether its form shows them.
    """
    if emotion not in emotions():
        raise InvalidInput("Unknown emotion “{emotion}”.", emotion=emotion)
    if not _files()[emotion].get("show_support_lines", False):
        return ()
    return support(profile_code_for(country)).hotlines
