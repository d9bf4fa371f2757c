"""CLI commands for the collection scorecard (docs/scoring.md).

model train    learn the scorecard from the history before a day; write it as JSON
model report   evaluate a scorecard out of time (the weeks after its training window), beside
               the gradient-boosted challenger and the queue's fixed weights: figures (JSON)
               and plots (PNG)
model upload   store a scorecard in the database as its next version, with its report's
               out-of-time figures (administrators)
model list     the stored versions, and which one the team scores with
model promote  make a version the one the team's queue scores with (a team lead)
model off|on   switch scoring off or on for the team (a team lead)

scikit-learn and matplotlib are loaded inside these commands only: every other command, and
`--help`, starts without them.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.common import TEAM_LEAD, day_arg, for_roles, open_database
from app.config import Config
from app.services.common.errors import InvalidInput

if TYPE_CHECKING:
    from app.services.scoring.features import AccountFeatures
    from app.services.scoring.store import StoredInfo


def register(commands: Any) -> None:
    """Add `model` and its actions to the CLI's subparsers."""
    model = commands.add_parser(
        "model",
        help="the collection scorecard: train, report, upload, list, promote, switch off or on",
    )
    actions = model.add_subparsers(title="model commands", metavar="ACTION", required=True)

    train = actions.add_parser(
        "train",
        help="learn the scorecard (who pays within 7 days) from the history before a day",
        description="Learns a binned logistic scorecard from the accounts overdue on each day"
        " of the window and whether they paid in the 7 days after, every outcome before the"
        " start of --until; fits a gradient-boosted challenger beside it for comparison."
        " Administrators only on a server.",
    )
    train.add_argument(
        "--until",
        type=day_arg,
        required=True,
        metavar="YYYY-MM-DD",
        help="learn from outcomes before the start of this day (business zone)",
    )
    train.add_argument(
        "--from",
        dest="since",
        type=day_arg,
        metavar="YYYY-MM-DD",
        help="the window's first day (default: 28 days before --until, or the history's start)",
    )
    train.add_argument("--out", type=Path, required=True, metavar="FILE", help="the JSON to write")
    for_roles(train)
    train.set_defaults(handler=_train)

    report = actions.add_parser(
        "report",
        help="evaluate a scorecard on the weeks after its training window",
        description="AUC, Gini, KS, calibration by decile and top-decile lift of the"
        " scorecard, the gradient-boosted challenger and the queue's fixed weights, on the"
        " days after the scorecard's --until whose 7 following days are in the history."
        " Writes report.json, roc.png, calibration.png and lift.png into --out.",
    )
    report.add_argument(
        "--scorecard", type=Path, required=True, metavar="FILE", help="written by model train"
    )
    report.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write")
    for_roles(report)
    report.set_defaults(handler=_report)

    upload = actions.add_parser(
        "upload",
        help="store a scorecard as the next version (administrators)",
        description="Stores the scorecard `model train` wrote as the next version, with the"
        " out-of-time AUC and calibration error of the report `model report` wrote for it."
        " A stored scorecard is never changed.",
    )
    upload.add_argument("file", type=Path, metavar="FILE", help="written by model train")
    upload.add_argument(
        "--report", type=Path, metavar="DIR", help="the folder model report wrote for it"
    )
    upload.add_argument("--user", required=True, help="the administrator")
    upload.add_argument("--json", action="store_true")
    for_roles(upload)
    upload.set_defaults(handler=_upload)

    listing = actions.add_parser(
        "list", help="the stored versions, and which one the team scores with"
    )
    listing.add_argument("--user", required=True)
    listing.add_argument("--team", help="which team (administrators)")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=_list)

    promote = actions.add_parser(
        "promote", help="make a version the one the team's queue scores with (a team lead)"
    )
    promote.add_argument("version", type=int, metavar="VERSION")
    promote.add_argument("--user", required=True, help="the team lead (or an administrator)")
    promote.add_argument("--team", help="which team (administrators; a lead has their own)")
    for_roles(promote, TEAM_LEAD)
    promote.set_defaults(handler=_promote)

    for name, enabled in (("off", False), ("on", True)):
        switch = actions.add_parser(
            name, help=f"switch scoring {name} for the team's queue (a team lead)"
        )
        switch.add_argument("--user", required=True, help="the team lead (or an administrator)")
        switch.add_argument("--team", help="which team (administrators; a lead has their own)")
        for_roles(switch, TEAM_LEAD)
        switch.set_defaults(handler=_switch, enabled=enabled)


def _train(config: Config, args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.is_dir():
        raise InvalidInput("{path} is a folder: name the file to write", path=str(out))
    db = open_database(config)
    from app.services.scoring.training import Challenger, train

    trained = train(db, args.until, args.since)
    document, sample = trained.document, trained.sample
    challenger = Challenger(sample)
    from sklearn.metrics import roc_auc_score

    challenger_auc = roc_auc_score(sample.labels, challenger.probabilities(sample.rows))
    document["figures"]["training"]["challenger_auc"] = round(float(challenger_auc), 4)
    _write(out, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    window = document["trained"]
    figures = document["figures"]["training"]
    print(
        f"scorecard {document['version']}: {window['snapshots']} days from {window['from']}"
        f" to {window['last_snapshot']} (outcomes until {window['until']}),"
        f" {window['rows']:,} rows, {window['positives']:,} paid within 7 days"
    )
    print(
        f"in-sample AUC {figures['auc']:.3f} (challenger {figures['challenger_auc']:.3f});"
        f" out of time: model report --scorecard {out}"
    )
    print(f"written to {out}")
    return 0


def _report(config: Config, args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise InvalidInput("{path} is not a folder", path=str(out))
    from app.services.scoring.scorecard import load_scorecard

    card = load_scorecard(args.scorecard)
    db = open_database(config)
    from app.services.scoring.evaluation import MODELS, report

    try:
        result = report(db, card, _queue_weights, out)
    except OSError:
        raise InvalidInput("Cannot write the report into {path}", path=str(out)) from None
    window = result.figures["window"]
    print(
        f"scorecard {card.version}, out of time: {window['snapshots']} days from"
        f" {window['from']} to {window['to']} (outcomes until {window['outcomes_until']}),"
        f" {window['rows']:,} rows, {window['positives']:,} paid within 7 days"
    )
    print(f"{'':16} {'AUC':>6} {'Gini':>6} {'KS':>6} {'lift':>6} {'calib.':>7}")
    for name in MODELS:
        m = result.figures["models"][name]
        error = m.get("calibration_error")
        calibration = "" if error is None else f"{error:.3f}"
        print(
            f"{name:16} {m['auc']:6.3f} {m['gini']:6.3f} {m['ks']:6.3f}"
            f" {m['top_decile_lift']:6.2f} {calibration:>7}"
        )
    print("written: " + ", ".join(str(path) for path in result.files))
    return 0


def _upload(config: Config, args: argparse.Namespace) -> int:
    from app.services.scoring.store import upload_scorecard

    info = upload_scorecard(open_database(config), args.user, args.file, args.report)
    if args.json:
        print(json.dumps(info.as_json(), ensure_ascii=False, indent=2))
    else:
        print(f"stored as version {info.version}: {_describe(info)}")
    return 0


def _list(config: Config, args: argparse.Namespace) -> int:
    from app.services.scoring.store import list_scorecards, team_scoring

    db = open_database(config)
    found = list_scorecards(db, args.user)
    scoring = team_scoring(db, args.user, args.team) if found else None
    if args.json:
        print(
            json.dumps(
                {
                    "scorecards": [info.as_json() for info in found],
                    "team": None if scoring is None else scoring.as_json(),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    if not found:
        print("no scorecards stored")
        return 0
    for info in found:
        mark = "*" if scoring is not None and scoring.version == info.version else " "
        print(f"{mark} {info.version:>3}  {_describe(info)}")
    if scoring is None:
        print("no version promoted for the team")
    else:
        state = "on" if scoring.enabled else "off"
        print(
            f"* {scoring.team}: version {scoring.version}, scoring {state}"
            f" ({scoring.chosen_by}, {scoring.chosen_at:%Y-%m-%d %H:%M} UTC)"
        )
    return 0


def _promote(config: Config, args: argparse.Namespace) -> int:
    from app.services.scoring.store import promote_scorecard

    scoring = promote_scorecard(open_database(config), args.user, args.version, team=args.team)
    state = "on" if scoring.enabled else "off"
    print(f"{scoring.team} scores with version {scoring.version} (scoring {state})")
    return 0


def _switch(config: Config, args: argparse.Namespace) -> int:
    from app.services.scoring.store import switch_scoring

    scoring = switch_scoring(open_database(config), args.user, args.enabled, team=args.team)
    state = "on" if scoring.enabled else "off"
    print(f"scoring {state} for {scoring.team} (version {scoring.version})")
    return 0


def _describe(info: StoredInfo) -> str:
    figures = (
        "no out-of-time report"
        if info.oot_auc is None or info.oot_calibration_error is None
        else f"out-of-time AUC {info.oot_auc:.3f}, calibration error"
        f" {info.oot_calibration_error:.3f}"
    )
    return (
        f"{info.label}, trained until {info.trained_until}, {figures},"
        f" by {info.created_by or '-'} {info.created_at:%Y-%m-%d %H:%M} UTC,"
        f" sha256 {info.sha256[:12]}"
    )


def _queue_weights(row: AccountFeatures, at: datetime) -> float:
    """The queue's own score of the account as it stood at `at` (resources/queue_weights.json,
    through `contact.queue.score`): tiers, bucket, amount and days since contact."""
    from app.services.common.clock import business_zone, local_today
    from app.services.contact.queue import AccountFacts, score

    facts = AccountFacts(
        loan_id=row.loan_id,
        contract_no=row.contract_no,
        currency=row.currency,
        dpd=row.dpd,
        overdue=row.arrears,
        callback_due_at=row.callback_due_at,
        broken_plan_on=row.broken_plan_on,
        broken_promise_on=row.broken_promise_on,
        promise_due_today=row.promise_due_today,
        last_contact_on=row.last_contact_on,
    )
    total, _, _ = score(facts, local_today(at), business_zone())
    return float(total)


def _write(path: Path, text: str) -> None:
    """Write the whole file or nothing: a temporary file beside it, then renamed over it."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        raise InvalidInput("Cannot write {path}", path=str(path)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise InvalidInput("Cannot write {path}", path=str(path)) from None
