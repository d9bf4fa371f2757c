"""Small scorecard documents and `model report` figures for the tests of stored scorecards."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def document(label: str, until: str = "2026-11-17", dpd_points: float = 10.0) -> dict[str, Any]:
    """A scorecard document `model train` could have written: one characteristic."""
    return {
        "format": "collector-workstation/scorecard",
        "format_version": 1,
        "version": label,
        "horizon_days": 7,
        "trained": {"from": "2026-11-01", "until": until},
        "scaling": {"points": 600, "odds": 1, "pdo": 20},
        "base_points": 600,
        "characteristics": [
            {
                "name": "dpd",
                "kind": "numeric",
                "bins": [
                    {"to": 31, "points": dpd_points},
                    {"from": 31, "points": -dpd_points},
                    {"missing": True, "points": 0},
                ],
            }
        ],
        "figures": {},
    }


def write_card(folder: Path, label: str, **kwargs: Any) -> Path:
    path = folder / f"{label}.json"
    path.write_text(json.dumps(document(label, **kwargs), indent=2) + "\n", encoding="utf-8")
    return path


def write_report(folder: Path, label: str, auc: float = 0.71, error: float = 0.02) -> Path:
    """The report.json `model report` writes, with the figures an upload keeps."""
    folder.mkdir(parents=True, exist_ok=True)
    figures = {
        "scorecard": {"version": label, "trained": {}},
        "models": {"scorecard": {"auc": auc, "calibration_error": error}},
    }
    (folder / "report.json").write_text(json.dumps(figures), encoding="utf-8")
    return folder
