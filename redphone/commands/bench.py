"""`make bench`: throughput, compile time and peak memory of the engines, side by side.

Throughput is counted in public agent-steps per second: citizens of both
sides x days x replicates / wall time of the run, compile time reported
apart. Three engines:

* ``batched``: ``engine.run_replicates``, the full model (four sectors and the
  dyad), for populations x replicates;
* ``mesa``: ``CrisisModel``, Mesa's scheduler calling the same kernels;
* ``reference``: ``benchmarks/mesa_reference.py``, the public sector written
  per agent in plain Python, checked against the kernel's statistics;
* ``peers``: the batched engine against the three CPU peers of its public
  sector (the per-agent Mesa one, ``benchmarks/numpy_reference.py`` and
  ``benchmarks/numba_reference.py``), interleaved round by round in one
  process, best of three, each peer first checked against the kernel's
  statistics;
* ``runs``: complete 120-day runs per second at 200 and 500 citizens, 8
  outlets per side, 256 runs a call: ``engine.run_settings`` (256 settings x 1
  replicate: every setting draws the same random numbers, and XLA computes
  the per-citizen draws once for the whole batch) and ``engine.run_runs``
  (each run its own replicate key: what calibration and ``lab.batch`` call).

Each configuration runs in its own subprocess (``--worker``), so compile
caches and memory high-water marks never leak between configurations. Peak
memory is the resident memory sampled every millisecond during a run, above
what the process held just before it (compiled code and inputs), compared with
the bytes of the state (all replicates) plus the outputs; the first run of a
compiled call also touches the runtime's one-off memory, so the figure is the
largest of the later runs, but never below XLA's own plan of scratch plus
outputs (a later run can reuse memory the allocator kept and show no rise);
the first run's figure and the plan are printed beside it. The same run
measures the machine's streaming bandwidth and reports the share of the
roofline ceiling (bandwidth / bytes an agent-step must move) reached.

    python scripts/bench.py [--quick] [--out bench-results]

Writes ``bench.md``, ``bench.json`` and ``scaling.png`` under ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from redphone import HOME
from redphone.benchmarks.report import analyse, machine, plot, render
from redphone.benchmarks.work import FIXED_COST_POPULATION, GOAL_RUNS, PEER_SIZES, worker
from redphone.model.lab.io import atomic_write_text

ROOT = HOME


def plan(quick: bool, gpu: bool, max_bytes: float) -> list[dict]:
    """The configurations of one run, cheapest first."""
    # a run lasts at least 30 days (experiments run 120 days to decades), so building the day-0 state
    # weighs on the throughput about as much as it does in use
    if quick:
        grid = [(1e5, 1), (1e5, 16)]  # every batched configuration costs a compile: keep to the goals' ones
        target, min_days, max_days = 1e8, 30, 50
        mesa = [(1e5, 20)]
        reference = [(1e3, 10)]
        flat = (1e5, 16)
    else:
        grid = [(n, r) for n in (1e3, 1e4, 1e5, 1e6) for r in (1, 16, 256)]
        target, min_days, max_days = 1e8, 30, 100
        mesa = [(1e3, 50), (1e4, 20), (1e5, 20)]
        reference = [(1e3, 20), (1e4, 5)]
        flat = (1e5, 16)
    if gpu:
        grid.append((1e6, 64))
    jobs = [dict(engine="bandwidth")]
    if gpu:  # the scatter's chunk for this device: each candidate timed at the goal's size (its table says which won)
        from redphone.model.flat import SCATTER_CHUNK_CANDIDATES  # noqa: PLC0415

        jobs += [dict(engine="batched", n=1_000_000, replicates=64, days=30, scatter_chunk=c) for c in SCATTER_CHUNK_CANDIDATES]
    for n, reps in grid:
        state = 2 * n * 20 * reps  # about 20 bytes per citizen (five float32 / int32 arrays)
        if 3 * state > max_bytes:
            jobs.append(dict(engine="batched", n=int(n), replicates=reps, skipped=f"state {state / 1e9:.1f} GB: over --max-bytes"))
            continue
        days = int(min(max(target // (2 * n * reps), min_days), max_days))
        jobs.append(dict(engine="batched", n=int(n), replicates=reps, days=days))
    n, reps = flat
    base = next(j for j in jobs if j.get("n") == n and j.get("replicates") == reps and "days" in j)
    jobs.append(dict(engine="batched", n=int(n), replicates=reps, days=4 * base["days"], flat_check=True))
    jobs += [dict(engine="mesa", n=int(n), days=d) for n, d in mesa]
    jobs.append(dict(engine="mesa", n=100_000, days=mesa[-1][1], activation="agent"))  # each agent its own call
    jobs += [dict(engine="reference", n=int(n), days=d) for n, d in reference]
    jobs.append(dict(engine="peers", sizes=[(1e5, 1), (1e5, 16)] if quick else PEER_SIZES + ([(1e6, 64)] if gpu else [])))
    # 10 citizens (the least the 8-neighbour network allows): the fixed work of a run and day, beside the goals' sizes
    jobs.append(dict(engine="runs", populations=[FIXED_COST_POPULATION, *sorted(GOAL_RUNS)]))
    return jobs


def run_job(job: dict, timeout: float) -> dict:
    if "skipped" in job:
        return dict(job=job, skipped=job["skipped"])
    cmd = [sys.executable, "-m", "redphone.commands.bench", "--worker", json.dumps(job)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return dict(job=job, skipped=f"timed out after {timeout:.0f} s")
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line[len("BENCH-RESULT "):])
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
    return dict(job=job, skipped=f"failed: {tail[0][:200]}")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small grid that finishes in under 2 minutes")
    parser.add_argument("--out", default=str(ROOT / "bench-results"))
    parser.add_argument("--max-bytes", type=float, default=6e9, help="skip batched configurations whose state needs more than a third of this")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per configuration")
    parser.add_argument("--gpu", action="store_true", help="add the GPU goal's configuration (1e6 x 64); on by default on a GPU")
    parser.add_argument("--render", metavar="BENCH_JSON", help="print the table of a saved bench.json again")
    parser.add_argument("--only", help="run only these engines, comma-separated (bandwidth always runs): batched,mesa,reference,peers,runs")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(json.loads(args.worker))
        return
    if args.render:
        saved = json.loads(Path(args.render).read_text())
        print(render(saved["results"], analyse(saved["results"], saved["meta"]["quick"]), saved["meta"]))
        return

    started = time.perf_counter()
    load_before = os.getloadavg()
    probe = run_job(dict(engine="bandwidth"), args.timeout)
    gpu = args.gpu or probe.get("device", {}).get("platform") == "gpu"
    jobs = plan(args.quick, gpu, args.max_bytes)
    if args.only:
        jobs = jobs[:1] + [j for j in jobs[1:] if j["engine"] in args.only.split(",")]
    results = [probe]
    for job in jobs[1:]:
        label = " ".join(f"{k}={v}" for k, v in job.items() if k != "skipped")
        print(f"== {label}", file=sys.stderr, flush=True)
        results.append(run_job(job, args.timeout))
        r = results[-1]
        if "rate" in r or "skipped" in r:
            print(f"   {r.get('skipped') or f'{r['rate']:.3e} agent-steps/s, compile {r['compile_s']:.1f} s'}", file=sys.stderr, flush=True)
    git = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    meta = dict(quick=args.quick, machine=machine(), load_before=load_before, load_after=os.getloadavg(), git=git, wall_s=time.perf_counter() - started)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_text(out / "bench.json", json.dumps(dict(meta=meta, results=results), indent=1))  # first: a long run is never lost
    summary = analyse(results, args.quick)
    text = render(results, summary, meta)
    atomic_write_text(out / "bench.md", text)
    atomic_write_text(out / "bench.json", json.dumps(dict(meta=meta, results=results, goals=summary["goals"], ceiling=summary["ceiling"]), indent=1))
    plot(results, summary, out / "scaling.png")
    print(text)
    print(f"written: {out / 'bench.md'}, {out / 'bench.json'}, {out / 'scaling.png'}")


if __name__ == "__main__":
    main()
