"""Every figure of the paper from one command: run what is missing, reuse what is complete, draw.

    python scripts/figures.py            # the full set: figures/<name>.png, .pdf, .csv
    python scripts/figures.py --quick    # small sizes, for tests: figures/quick/
    python scripts/figures.py --only long_run --fresh

For each figure (experiments/<name>.py, configs/experiment/<name>.yaml) the
Hydra app runs the experiment's sweep as a subprocess into
outputs/figures-data/<full|quick>/<name>/ (a Hydra multirun folder). Complete
jobs are reused; a job that is missing, failed, incomplete or stale (made
with another config than its overrides compose to now: model.lab.sweep) is
rerun alone into its own folder; other quick overrides rerun the experiment.
Then scripts/collect.py gathers the jobs and the experiment's draw() makes the
figure from the saved results only. Run times and one-line findings go to
<data>/report.md; with --only, the other figures' rows there are kept.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
from pathlib import Path

from redphone import HOME  # noqa: E402

ROOT = HOME  # the checkout (or the installed package): configs/, data/, figures/ lie here

from redphone.commands import collect
from redphone.experiments import FIGURES
from redphone.experiments.common import save

JOB_LINE = re.compile(r"#(\d+) : ")
PROGRESS_LINE = re.compile(r"\] (\d+)/(\d+) runs")  # model/lab/progress.py: "[jax] 8/24 runs (33%), ..."


def _stream(command: list[str], log, bar, n_jobs: int, job: int = 0) -> int:
    """Run a Hydra command, its output into the log, its progress into the bar."""
    env = dict(os.environ)
    env.setdefault("JAX_COMPILATION_CACHE_DIR", str(ROOT / ".jax_cache"))
    log.write("$ " + " ".join(command) + "\n")
    log.flush()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    for line in process.stdout:
        log.write(line)
        if m := JOB_LINE.search(line):
            job = int(m.group(1))
            bar.n = min(job, n_jobs)
            bar.refresh()
        elif m := PROGRESS_LINE.search(line):
            done, total = int(m.group(1)), int(m.group(2))
            bar.n = round(min(job + done / total, n_jobs), 3)
            bar.refresh()
    return process.wait()


def ensure(name: str, data: Path, overrides: list[str], fresh: bool) -> tuple[list[collect.Job], int]:
    """Make every job of the figure's sweep complete, reusing the complete ones; returns (the jobs, how many ran now)."""
    from tqdm import tqdm  # noqa: PLC0415

    manifest = data / "multirun.yaml"
    if data.exists() and (fresh or not manifest.exists() or collect.expected_jobs(data) != collect.expected_jobs_of(name, overrides)):
        shutil.rmtree(data)  # another sweep (other overrides), or never launched: not reusable
    data.mkdir(parents=True, exist_ok=True)
    app = [sys.executable, str(ROOT / "scripts" / "run.py")]
    jobs = collect.jobs(data) if (data / "multirun.yaml").exists() else None
    ran = 0
    with open(data / "run.log", "a") as log:
        if jobs is None:  # first time: the experiment's whole sweep in one Hydra multirun
            n = len(collect.expected_jobs_of(name, overrides))
            with tqdm(total=n, desc=f"{name}: jobs", unit="job", bar_format="{l_bar}{bar}| {n:.1f}/{total} jobs [{elapsed}<{remaining}]", mininterval=2) as bar:
                _stream([*app, "-m", f"+experiment={name}", *overrides, f"hydra.sweep.dir={data}"], log, bar, n)
                bar.n = n
            jobs, ran = collect.jobs(data), n
        todo = [job for job in jobs if job.status in ("failed", "incomplete", "missing", "stale")]  # model.lab.sweep.STATUSES
        if todo:
            with tqdm(total=len(todo), desc=f"{name}: rerun", unit="job", mininterval=2) as bar:
                for i, job in enumerate(todo):
                    print(f"{name}: rerunning job {job.num} ({job.status}{': ' + job.reason if job.reason else ''})", file=sys.stderr)
                    _stream([*app, *job.overrides, f"hydra.run.dir={job.folder}"], log, bar, len(todo), i)
            jobs, ran = collect.jobs(data), ran + len(todo)
    return jobs, ran


def build(name: str, data_root: Path, out: Path, quick: bool, fresh: bool) -> tuple[float, str, str]:
    module = importlib.import_module(f"redphone.experiments.{name}")
    overrides = list(module.QUICK) if quick else []
    data = data_root / name
    started = time.perf_counter()
    jobs, ran = ensure(name, data, overrides, fresh)
    if not all(job.complete for job in jobs):
        raise collect.JobsNotComplete(f"{name}: " + collect.report(jobs) + f"\n(log: {data / 'run.log'})")
    table, dataset, _ = collect.collect(data)
    collect.write(table, dataset, data)
    dataset, table = collect.load(data)  # the figure sees exactly what was saved
    fig, plotted, finding = module.draw(dataset, table)
    save(fig, plotted, out, name)
    return time.perf_counter() - started, finding, f"{ran} of {len(jobs)}"


REPORT_HEADER = ("| figure | jobs run now | run time (s) | finding |", "|---|---|---|---|")


def report_rows(path: Path) -> dict[str, str]:
    """The figure rows of an earlier report.md, by figure name."""
    if not path.exists():
        return {}
    rows = {}
    for line in path.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells and cells[0] in FIGURES:
            rows[cells[0]] = line
    return rows


def write_report(path: Path, mode: str, rows: dict[str, str]) -> None:
    """report.md with this run's rows, and the earlier rows of the figures not built now (``--only``), in figure order."""
    merged = {**report_rows(path), **rows}
    lines = [f"# figures ({mode})", "", *REPORT_HEADER, *(merged[name] for name in FIGURES if name in merged)]
    collect.io._atomic(path, lambda tmp: Path(tmp).write_text("\n".join(lines) + "\n"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (each experiment's QUICK overrides), for tests")
    parser.add_argument("--out", type=Path, default=None, help="figure folder (default figures/, figures/quick/ with --quick)")
    parser.add_argument("--data", type=Path, default=None, help="results folder (default outputs/figures-data/<full|quick>)")
    parser.add_argument("--only", nargs="*", default=None, choices=FIGURES, metavar="NAME", help=f"some figures only: {', '.join(FIGURES)}")
    parser.add_argument("--fresh", action="store_true", help="rerun every job, even complete ones")
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    out = args.out or (ROOT / "figures" / ("quick" if args.quick else ""))
    data_root = args.data or (ROOT / "outputs" / "figures-data" / mode)
    rows, failed = {}, []
    for name in args.only or FIGURES:
        try:
            seconds, finding, ran = build(name, data_root, out, args.quick, args.fresh)
        except collect.JobsNotComplete as error:
            print(f"error: {error}", file=sys.stderr)
            failed.append(name)
            continue
        except Exception:  # a drawing bug: report it, keep the data, go on with the other figures
            traceback.print_exc()
            failed.append(name)
            continue
        print(f"{name}: {seconds:.0f} s ({ran} jobs run): {finding}", file=sys.stderr)
        rows[name] = f"| {name} | {ran} | {seconds:.0f} | {finding} |"
    data_root.mkdir(parents=True, exist_ok=True)
    write_report(data_root / "report.md", mode, rows)
    print(f"wrote the figures to {out} and run times and findings to {data_root / 'report.md'}", file=sys.stderr)
    if failed:
        print(f"error: no figure for {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
