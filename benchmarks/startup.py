"""Benchmark of the command line's start: `--help`, `--version` and a few query commands on the
embedded demo database, each a whole process, against the interpreter's own start.

    .venv/bin/python -m benchmarks.startup [--repeat 11] [--accounts 2000] [--against DIR]

Every case is a new process of the same interpreter (`python -m app …`), timed from start to
exit with its output thrown away. The floors are measured in the same run, in turns with the
commands: `python -c pass` and `python -S -c pass` (without the site packages), the least any
command of this program can take. The embedded database is a demo portfolio built once into a
temporary folder before any timing (`demo-data`, as of 2026-11-28), so `users`, `queue` and
`account` read a database at this program's revision, as they do on every start but the first.

The processes keep compiled bytecode as an installed program does (in a cache folder under
benchmarks/results/, whatever PYTHONDONTWRITEBYTECODE says), and each case runs once untimed
first to fill it. --against DIR also times another checkout of the program (an older one, at
the same schema revision) in the same turns on the same database, as "<case> @ <folder>": on a
shared machine a before and an after measured in separate runs compare two moments' load as much
as two programs.

Prints medians, the ratio to `python -c pass` and the load average (the machine is shared: only
medians over repeats taken in turns mean anything), and writes benchmarks/results/startup.json.
Targets: `--help` and `--version` ≤ 0.3 s, `users` ≤ 0.6 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parent.parent
RESULTS = Path(__file__).parent / "results"
AS_OF = "2026-11-28T10:00:00+08:00"
TARGETS = {"--help": 0.3, "--version": 0.3, "users": 0.6}
FLOOR = "python -c pass"


def environment(data_dir: Path) -> dict[str, str]:
    """The processes' environment: the embedded database in `data_dir`, bytecode kept."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("COLLECTOR_WORKSTATION_DATABASE_URL", "PYTHONDONTWRITEBYTECODE")
    }
    env["COLLECTOR_WORKSTATION_DATA_DIR"] = str(data_dir)
    env["PYTHONPYCACHEPREFIX"] = str(RESULTS / "pycache")
    return env


def run(command: list[str], env: dict[str, str], checkout: Path = ROOT) -> float:
    """Seconds from starting the process to its exit; a failure stops the benchmark. The
    program is the checkout's (`python -m app` finds the package in its working folder)."""
    started = time.perf_counter()
    result = subprocess.run(
        command,
        cwd=checkout,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr}")
    return elapsed


def output(command: list[str], env: dict[str, str]) -> str:
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout


def cases(env: dict[str, str], accounts: int) -> dict[str, list[str]]:
    """Each case's command line; builds the demo portfolio the query commands read."""
    app = [sys.executable, "-m", "app"]
    demo = ["demo-data", "--accounts", str(accounts), "--seed", "1", "--as-of", AS_OF]
    output([*app, *demo], env)
    users = json.loads(output([*app, "users", "--json"], env))
    collector = next(u["username"] for u in users if u["role"] == "collector" and u["active"])
    queue = ["queue", "--user", collector, "--at", AS_OF, "--limit", "20"]
    first = json.loads(output([*app, *queue, "--json"], env))[0]
    return {
        "python -S -c pass": [sys.executable, "-S", "-c", "pass"],
        FLOOR: [sys.executable, "-c", "pass"],
        "--help": [*app, "--help"],
        "--version": [*app, "--version"],
        "users": [*app, "users"],
        "queue": [*app, *queue],
        "account": [*app, "account", first["contract_no"], "--user", collector],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--json", type=Path, default=RESULTS / "startup.json")
    parser.add_argument(
        "--against", type=Path, metavar="DIR", help="another checkout, timed in the same turns"
    )
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="cw-bench-startup-") as folder:
        env = environment(Path(folder))
        commands = {name: (command, ROOT) for name, command in cases(env, args.accounts).items()}
        if args.against is not None:
            against = args.against.resolve()
            for name, (command, _) in list(commands.items()):
                if command[1:3] == ["-m", "app"]:
                    commands[f"{name} @ {against.name}"] = (command, against)
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for command, checkout in commands.values():
            run(command, env, checkout)  # fills the bytecode cache; not counted
        for _ in range(args.repeat):
            for name, (command, checkout) in commands.items():
                samples[name].append(run(command, env, checkout))

    floor = statistics.median(samples[FLOOR])
    results: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(),
        "python": sys.version.split()[0],
        "accounts": args.accounts,
        "repeat": args.repeat,
        "against": str(args.against.resolve()) if args.against else None,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "cases": {name: _case(times, floor) for name, times in samples.items()},
        "targets_s": TARGETS,
    }
    print(
        f"{args.repeat} repeats in turns; load {load_before[0]:.1f} before,"
        f" {results['load_average_after'][0]:.1f} after"
    )
    width = max(len(name) for name in results["cases"]) + 2
    print(f"{'case':<{width}}{'median s':>10}{'min s':>8}{'max s':>8}{'× floor':>9}   target")
    for name, case in results["cases"].items():
        target = f"≤ {TARGETS[name]:g} s" if name in TARGETS else ""
        print(
            f"{name:<{width}}{case['median_s']:>10.3f}{case['min_s']:>8.3f}{case['max_s']:>8.3f}"
            f"{case['ratio']:>9.1f}   {target}"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=2))
    print(f"wrote {args.json}")
    return 0


def _case(samples: list[float], floor: float) -> dict[str, float]:
    median = statistics.median(samples)
    return {
        "median_s": round(median, 4),
        "ratio": round(median / floor, 2),
        "min_s": round(min(samples), 4),
        "max_s": round(max(samples), 4),
    }


if __name__ == "__main__":
    raise SystemExit(main())
