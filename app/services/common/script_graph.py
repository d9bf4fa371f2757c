"""The call scripts as graphs: which steps apply under a compliance profile, and which required
disclosures stand before the debt. Plain data from resources/scripts/, no wording.

`app.services.contact.scripts` builds the scripts a collector reads on these; `server_scripts`
is the same graphs as the central server follows a saved path through them (`server_policy`,
key `scripts`, loaded by `central init`; migration 0008's `cw_script_reading`).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from app.services.common.errors import NotFound
from app.services.common.reference import RESOURCES, load_json

# An installation's profile for borrowers whose country has none of its own (overrides the
# default of resources/compliance/jurisdictions.json). On a central server, `central init` takes
# it from the administrator's environment and every signed-in workstation follows the server.
PROFILE_ENV = "COLLECTOR_WORKSTATION_RULE_PROFILE"

# (the choice followed, or None for a step's `next`; the step it leads to)
Links = Mapping[str, Sequence[tuple[Mapping[str, Any] | None, str]]]


def compliance_profiles() -> list[str]:
    """The codes of the compliance profiles in resources/compliance/ (CN, UK, US, …)."""
    return sorted(
        path.stem for path in (RESOURCES / "compliance").glob("*.json") if path.stem.isupper()
    )


def for_profile(
    raw_steps: Sequence[Mapping[str, Any]], first: str, profile: str
) -> tuple[dict[str, dict[str, Any]], str]:
    """The steps that apply under `profile`, with every link past a skipped step redirected."""
    skipped = {
        item["id"]: item
        for item in raw_steps
        if "profiles" in item and profile not in item["profiles"]
    }

    def onward(target: str) -> str:
        passed: set[str] = set()
        while target in skipped and target not in passed:
            passed.add(target)
            target = str(skipped[target].get("next"))
        return target

    steps: dict[str, dict[str, Any]] = {}
    for item in raw_steps:
        if item["id"] in skipped:
            continue
        step = dict(item)
        if "next" in step:
            step["next"] = onward(step["next"])
        step["choices"] = [
            {**choice, "next": onward(choice["next"])} for choice in item.get("choices", [])
        ]
        steps[step["id"]] = step
    return steps, onward(first)


def reach(
    starts: Iterable[str], links: Links, may_cross: Callable[[Mapping[str, Any]], bool]
) -> set[str]:
    """The steps reached from `starts`, following a choice only where `may_cross` allows."""
    reached = set(starts)
    waiting = deque(reached)
    while waiting:
        for choice, target in links[waiting.popleft()]:
            if (choice is None or may_cross(choice)) and target not in reached:
                reached.add(target)
                waiting.append(target)
    return reached


def disclosures_before_debt(steps: Mapping[str, Mapping[str, Any]], first: str) -> tuple[str, ...]:
    """The required disclosures that stand between `first` and a step that reveals the debt:
    the first step, or one without which some such step can no longer be reached. In file order;
    `steps` as `for_profile` gives them (sound links)."""

    def reachable(without: str | None) -> set[str]:
        links = {
            step_id: [
                (None, target)
                for target in [*(c["next"] for c in step["choices"]), step.get("next")]
                if target is not None and target != without
            ]
            for step_id, step in steps.items()
        }
        return reach([first], links, lambda choice: True)

    debt = {step_id for step_id, step in steps.items() if step.get("discloses_debt")}
    everywhere = reachable(None) & debt
    return tuple(
        step_id
        for step_id, step in steps.items()
        if step["kind"] == "disclosure"
        and step.get("required")
        and (step_id in debt or step_id == first or not everywhere <= reachable(step_id))
    )


def server_scripts() -> dict[str, Any]:
    """Every stage's graph under every profile, as the server follows a path through it, and
    which profile a borrower's country has (resources/compliance/jurisdictions.json; the
    default for other countries from `PROFILE_ENV` where the administrator set it)."""
    jurisdictions = load_json("compliance/jurisdictions.json")
    stages: dict[str, dict[str, Any]] = {}
    for stage in load_json("scripts/index.json")["stages"]:
        data = load_json(f"scripts/{stage}.json")
        stages[stage] = {}
        for profile in compliance_profiles():
            steps, first = for_profile(data["steps"], data["first"], profile)
            stages[stage][profile] = {
                "first": first,
                "before_debt": list(disclosures_before_debt(steps, first)),
                "steps": {step_id: _server_step(step) for step_id, step in steps.items()},
            }
    chosen = os.environ.get(PROFILE_ENV, "").strip()
    if chosen and chosen not in compliance_profiles():
        known = ", ".join(compliance_profiles())
        raise NotFound(
            "There is no contact-rule profile “{code}” (available: {known}).",
            code=chosen,
            known=known,
        )
    return {
        "default": chosen or jurisdictions["default"],
        "by_country": jurisdictions["by_country"],
        "stages": stages,
    }


def _server_step(step: Mapping[str, Any]) -> dict[str, Any]:
    shown: dict[str, Any] = {"kind": step["kind"], "required": bool(step.get("required"))}
    if step.get("next") is not None:
        shown["next"] = step["next"]
    choices = {}
    for choice in step["choices"]:
        choices[choice["id"]] = {"next": choice["next"]}
        if choice.get("right_party") is not None:
            choices[choice["id"]]["rp"] = bool(choice["right_party"])
    shown["choices"] = choices
    return shown
