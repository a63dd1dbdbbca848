"""Smoke test of `make bench`'s worker (scripts/bench.py): it measures, it never asserts a speed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "scripts" / "bench.py"


def worker(job: dict, timeout: float = 600) -> dict:  # a hang guard, not a speed limit: a compile took 155 s at a load of 10
    out = subprocess.run([sys.executable, str(BENCH), "--worker", json.dumps(job)], capture_output=True, text=True, timeout=timeout, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCH-RESULT "))
    return json.loads(line[len("BENCH-RESULT "):])


@pytest.mark.slow
def test_bench_worker_reports_throughput_memory_and_agreement():
    batched = worker(dict(engine="batched", n=200, replicates=2, days=3))
    assert batched["steps"] == 2 * 200 * 2 * 3 and batched["rate"] > 0 and batched["compile_s"] > 0
    assert batched["state_bytes"] > 2 * 200 * 2 * 4 and batched["output_bytes"] > 0 and batched["peak_bytes"] >= 0
    reference = worker(dict(engine="reference", n=200, days=3))
    assert reference["check"]["agree"] and reference["rate"] > 0


@pytest.mark.slow
def test_bench_peers_and_many_small_runs_report_rates_and_agreement():
    steps = dict(batched=2e4, numpy=4e3, numba=4e3)
    peers = worker(dict(engine="peers", sizes=[(1000, 2)], rounds=1, target_steps=steps))
    (row,) = peers["rows"]
    assert {"batched", "numpy"} <= set(row["rates"]) and all(rate > 0 for rate in row["rates"].values())
    assert peers["mesa_rate"] > 0 and peers["checks"] and all(check["agree"] for check in peers["checks"].values())
    runs = worker(dict(engine="runs", populations=[50], settings=4, days=5, rounds=1))
    (row,) = runs["rows"]
    assert row["runs_per_s"] > 0 and row["own_keys_runs_per_s"] > 0 and row["us_per_run_day"] > 0


@pytest.mark.slow
def test_profile_day_times_and_lists_the_kernels():
    script = ROOT / "redphone" / "benchmarks" / "profile_day.py"
    out = subprocess.run(
        [sys.executable, str(script), "--n", "300", "--replicates", "2", "--days", "3", "--trace", "--top", "3"],
        capture_output=True, text=True, timeout=300, check=True,
    ).stdout.splitlines()
    assert out[0].startswith("300 citizens/side x 2 replicates x 3 days:") and "agent-steps/s" in out[0]
    kernels = [line for line in out if line.startswith("  ")]
    assert len(kernels) == 4 and kernels[-1].endswith("all kernels (day-0 state included)")
    assert all(float(line.split()[0]) > 0 for line in kernels)


def test_the_gpu_plan_times_each_scatter_chunk_and_the_report_names_the_fastest():
    """`make bench DEVICE=gpu` picks the scatter's chunk by measuring; the report says which won (rendered from made-up rows)."""
    from redphone.commands import bench  # noqa: PLC0415

    from redphone.model.flat import SCATTER_CHUNK_CANDIDATES  # noqa: PLC0415

    chunks = [job["scatter_chunk"] for job in bench.plan(quick=True, gpu=True, max_bytes=1e12) if job.get("scatter_chunk")]
    assert chunks == list(SCATTER_CHUNK_CANDIDATES)
    assert not any(job.get("scatter_chunk") for job in bench.plan(quick=True, gpu=False, max_bytes=1e12))
    device = dict(platform="gpu", kind="test", count=1, jax="0")
    results = [
        dict(job=dict(engine="batched", n=1_000_000, replicates=64, days=30, scatter_chunk=c), rate=rate, device=device)
        for c, rate in zip(chunks, (1.0e10, 3.0e10, 2.0e10, 0.5e10))
    ]
    summary = bench.analyse(results, quick=True)
    assert [c["chunk"] for c in summary["chunks"]] == chunks
    meta = dict(quick=True, machine=bench.machine(), load_before=(0, 0, 0), load_after=(0, 0, 0), git="test", wall_s=1.0)
    text = bench.render(results, summary, meta)
    assert f"Fastest: REDPHONE_SCATTER_CHUNK={chunks[1]}" in text


@pytest.mark.slow
def test_profile_day_times_runs_with_their_own_keys():
    """--own-keys times engine.run_runs (lab.batch's call), not run_settings' common keys: the two print different programs' times."""
    script = ROOT / "redphone" / "benchmarks" / "profile_day.py"
    done = subprocess.run(  # JAX_LOG_COMPILES: JAX logs each program it compiles, by name
        [sys.executable, str(script), "--n", "20", "--settings", "4", "--replicates", "1", "--media", "8", "--days", "3", "--own-keys"],
        capture_output=True, text=True, timeout=300, check=True, env={**os.environ, "JAX_LOG_COMPILES": "1"},
    )
    assert "4 settings x 1 replicates x 3 days" in done.stdout and "complete 120-day runs/s" in done.stdout
    assert "run_runs" in done.stderr  # the program traced is run_runs (XLA names its module after the function)
