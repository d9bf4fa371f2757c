"""CLI commands for champion / challenger experiments: `collector-workstation experiment …`.

experiment create    a team lead defines one: a name, the challenger's queue weights (a file
                     shaped like resources/queue_weights.json), the shares champion/
                     challenger/holdout and the start day; every active account of the team
                     gets its arm, recorded
experiment list      the team's experiments
experiment show      one experiment: its definition and accounts per arm
experiment stop      a team lead ends it: the team's queue ranks by the champion again
experiment compare   the arms side by side: cure rate, roll rate, amount collected per account,
                     contacts per cure, each with its 95 % interval and number of accounts
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from app.cli.common import TEAM_LEAD, day_arg, for_roles, open_database
from app.config import Config

ARM_NAMES = {"champion": "champion", "challenger": "challenger", "holdout": "holdout"}
METRIC_NAMES = {
    "cure_rate": "cure rate",
    "roll_rate": "roll rate",
    "collected_per_account": "collected / account",
    "contacts_per_cure": "contacts / cure",
}


def register(commands: Any) -> None:
    """Add `experiment` and its actions to the CLI's subparsers."""
    experiment = commands.add_parser(
        "experiment",
        help="champion / challenger experiments on a team's queue: create, list, show, stop,"
        " compare",
    )
    actions = experiment.add_subparsers(
        title="experiment commands", metavar="ACTION", required=True
    )

    create = actions.add_parser(
        "create", help="define an experiment on the team's accounts (a team lead)"
    )
    create.add_argument("--user", required=True, help="the team lead (or an administrator)")
    create.add_argument("--team", help="which team (administrators; a lead has their own)")
    create.add_argument("--name", required=True)
    create.add_argument(
        "--weights",
        required=True,
        type=Path,
        metavar="FILE",
        help="the challenger's queue weights, a JSON file shaped like queue_weights.json",
    )
    create.add_argument(
        "--shares",
        default="45/45/10",
        metavar="C/CH/H",
        help="percent of the accounts for champion/challenger/holdout (default 45/45/10)",
    )
    create.add_argument("--starts", type=day_arg, metavar="YYYY-MM-DD", help="default: today")
    create.add_argument("--json", action="store_true")
    for_roles(create, TEAM_LEAD)
    create.set_defaults(handler=_create)

    listing = actions.add_parser("list", help="the team's experiments")
    listing.add_argument("--user", required=True)
    listing.add_argument("--team", help="which team (administrators)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    show = actions.add_parser("show", help="one experiment: definition and accounts per arm")
    show.add_argument("name")
    show.add_argument("--user", required=True)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=_show)

    stop = actions.add_parser("stop", help="end an experiment now (a team lead)")
    stop.add_argument("name")
    stop.add_argument("--user", required=True)
    stop.add_argument("--json", action="store_true")
    for_roles(stop, TEAM_LEAD)
    stop.set_defaults(handler=_stop)

    comparing = actions.add_parser(
        "compare", help="the arms compared, with 95 % intervals and the number of accounts"
    )
    comparing.add_argument("name")
    comparing.add_argument("--user", required=True)
    comparing.add_argument("--json", action="store_true")
    comparing.set_defaults(handler=_compare)


def _describe(info: Any) -> list[str]:
    stopped = "" if info.stopped_at is None else f", stopped {info.stopped_at:%Y-%m-%d %H:%M}Z"
    counts = ", ".join(f"{arm} {info.accounts[arm]}" for arm in ARM_NAMES)
    return [
        f"{info.name} (team {info.team}): {info.status}, from {info.starts_on.isoformat()}"
        f"{stopped}",
        f"  shares champion/challenger/holdout {info.shares.as_text()}; accounts: {counts}",
    ]


def _create(config: Config, args: argparse.Namespace) -> int:
    from app.services.experiments.definitions import create_experiment

    info = create_experiment(
        open_database(config),
        args.user,
        args.name,
        args.weights,
        args.shares,
        starts_on=args.starts,
        team=args.team,
    )
    if args.json:
        print(json.dumps(info.as_json(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(_describe(info)))
    return 0


def _list(config: Config, args: argparse.Namespace) -> int:
    from app.services.experiments.definitions import list_experiments

    found = list_experiments(open_database(config), args.user, team=args.team)
    if args.json:
        print(json.dumps([info.as_json() for info in found], ensure_ascii=False, indent=2))
    elif not found:
        print("no experiments")
    else:
        for info in found:
            print("\n".join(_describe(info)))
    return 0


def _show(config: Config, args: argparse.Namespace) -> int:
    from app.services.experiments.definitions import show_experiment

    info = show_experiment(open_database(config), args.user, args.name)
    if args.json:
        print(
            json.dumps(
                {**info.as_json(), "challenger_weights": info.challenger_weights},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print("\n".join(_describe(info)))
    return 0


def _stop(config: Config, args: argparse.Namespace) -> int:
    from app.services.experiments.definitions import stop_experiment

    info = stop_experiment(open_database(config), args.user, args.name)
    if args.json:
        print(json.dumps(info.as_json(), ensure_ascii=False, indent=2))
    else:
        print("\n".join(_describe(info)))
    return 0


def _number(metric: str, value: float | None) -> str:
    if value is None:
        return "—"
    if metric.endswith("_rate"):
        return f"{100 * value:.1f}%"
    return f"{value:,.2f}" if metric == "collected_per_account" else f"{value:.1f}"


def _compare(config: Config, args: argparse.Namespace) -> int:
    from app.services.experiments.comparison import compare
    from app.services.experiments.definitions import METRICS, record_arrivals

    db = open_database(config)
    # A lead's look records the arms of accounts that arrived since.
    record_arrivals(db, args.user, args.name)
    result = compare(db, args.user, args.name)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return 0
    print("\n".join(_describe(result.experiment)))
    print(f"  measured {result.measured_at:%Y-%m-%d %H:%M}Z; 95% intervals in brackets, n accounts")
    print(f"  {'':<22}" + "".join(f"{arm:<30}" for arm in ARM_NAMES))
    for metric in METRICS:
        cells = []
        for arm in ARM_NAMES:
            figure = result.arms[arm][metric]
            interval = (
                ""
                if figure.low is None
                else f" [{_number(metric, figure.low)}, {_number(metric, figure.high)}]"
            )
            cells.append(f"{_number(metric, figure.value)}{interval} n={figure.accounts}")
        print(f"  {METRIC_NAMES[metric]:<22}" + "".join(f"{cell:<30}" for cell in cells))
    for difference in result.differences:
        if difference.significant:
            print(
                f"  the challenger's {METRIC_NAMES[difference.metric]} differs significantly"
                " from the champion's"
                + ("" if difference.p_value is None else f" (p = {difference.p_value:.3f})")
            )
    for note in result.notes:
        print(f"  {note}")
    return 0
