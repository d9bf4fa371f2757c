"""CLI commands for the collection scorecard (docs/scoring.md).

model train    learn the scorecard from the history before a day; write it as JSON
model report   evaluate a scorecard out of time (the weeks after its training window), beside
               the gradient-boosted challenger and the queue's fixed weights: figures (JSON)
               and plots (PNG)

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

from app.cli.common import day_arg, for_roles, open_database
from app.config import Config
from app.services.common.errors import InvalidInput

if TYPE_CHECKING:
    from app.services.scoring.features import AccountFeatures


def register(commands: Any) -> None:
    """Add `model train` and `model report` to the CLI's subparsers."""
    model = commands.add_parser(
        "model", help="the collection scorecard: learn it from the history, report on it"
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
