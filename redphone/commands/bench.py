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
import platform
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

from redphone import HOME  # noqa: E402

ROOT = HOME  # the checkout (or the installed package): configs/, data/, figures/ lie here

# Goals of issue #5, checked (never asserted) at the end of a run
GOAL_THROUGHPUT = 1e8  # agent-steps/s, batched, population x replicates >= 1e6
GOAL_VS_REFERENCE = 1000.0
GOAL_MESA_RATIO = 2.0  # batched / Mesa-driven at 1e5 citizens per side
GOAL_COMPILE_S = 30.0
GOAL_MEMORY_RATIO = 2.0  # run peak / (state + outputs)
GOAL_GPU = 2e10  # one H100, 1e6 citizens per side x 64 replicates
# Goals of issue #13
GOAL_VS_NUMBA = 1.5  # batched / Numba peer at 1e5 and 1e6 citizens per side, 1 and 16 replicates
GOAL_ROOFLINE = 0.40
GOAL_RUNS = {200: 10_000, 500: 5_000}  # complete 120-day runs per second, 8 outlets, batched over settings
FIXED_COST_POPULATION = 10
PEER_SIZES = [(1e4, 1), (1e5, 1), (1e5, 16), (1e6, 1), (1e6, 16)]


# --------------------------------------------------------------------------- worker side


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakSampler:
    """Highest resident memory seen while the block runs (sampled every millisecond)."""

    def __enter__(self):
        self.start = _rss()
        self.peak = self.start
        self._stop = threading.Event()

        def watch():
            while not self._stop.is_set():
                self.peak = max(self.peak, _rss())
                time.sleep(0.001)

        self._thread = threading.Thread(target=watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss())

    @property
    def above_start(self) -> int:
        return self.peak - self.start


def _device():
    import jax  # noqa: PLC0415

    dev = jax.devices()[0]
    return dict(platform=dev.platform, kind=dev.device_kind, count=jax.device_count(), jax=jax.__version__)


def _device_peak():
    import jax  # noqa: PLC0415

    stats = jax.devices()[0].memory_stats() or {}
    return stats.get("peak_bytes_in_use")


def _nbytes(tree) -> int:
    import jax  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    return int(sum(np.prod(x.shape) * x.dtype.itemsize for x in jax.tree.leaves(tree)))


def _setting(n: int):
    from redphone.model.config import build, compose  # noqa: PLC0415

    return build(compose("india_pakistan_2025", {"population.public": int(n)}))


def minimum_bytes_per_agent_step(dims) -> dict:
    """Bytes one citizen-day must move at the least: read every per-citizen array of the public
    state, write back those a day changes (hostility, Track-II reach), read the partner's hostility."""
    import jax  # noqa: PLC0415

    from redphone.model import engine  # noqa: PLC0415
    from redphone.model.engine import init  # noqa: PLC0415

    params, _ = _setting(dims.n_public)
    shapes = jax.eval_shape(lambda: init(engine.replicate_keys(0, 0)[0], params, dims)).public
    per_citizen = {k: v.dtype.itemsize for k, v in vars(shapes).items() if v.shape == (2, dims.n_public)}
    read = sum(per_citizen.values())
    written = per_citizen["hostility"] + per_citizen["reached"]
    partner = per_citizen["hostility"]
    return dict(per_citizen=per_citizen, read=read, written=written, partner=partner, total=read + written + partner)


def work_bandwidth(_job) -> dict:
    """Streaming bandwidth (bytes read + written per second) of a large copy, via XLA and via numpy."""
    import jax  # noqa: PLC0415
    import jax.numpy as jnp  # noqa: PLC0415
    import numpy as np  # noqa: PLC0415

    n = 1 << 26  # 256 MiB of float32: far beyond every cache
    x = jnp.ones(n, jnp.float32)
    scale = jax.jit(lambda v: v * 1.0000001)  # a copy XLA cannot elide
    jax.block_until_ready(scale(x))
    xla = []
    for _ in range(5):
        t = time.perf_counter()
        jax.block_until_ready(scale(x))
        xla.append(2 * 4 * n / (time.perf_counter() - t))
    src, dst = np.ones(n, np.float32), np.empty(n, np.float32)
    numpy = []
    for _ in range(5):
        t = time.perf_counter()
        np.copyto(dst, src)
        numpy.append(2 * 4 * n / (time.perf_counter() - t))
    return dict(xla=max(xla), numpy=max(numpy), bandwidth=max(max(xla), max(numpy)))


def work_batched(job) -> dict:
    import jax  # noqa: PLC0415
    import jax.numpy as jnp  # noqa: PLC0415

    from redphone.model import engine  # noqa: PLC0415
    from redphone.model.engine import init  # noqa: PLC0415

    n, reps, days = int(job["n"]), int(job["replicates"]), int(job["days"])
    if job.get("scatter_chunk"):  # read when the model is traced (model.flat.scatter_chunk)
        os.environ["REDPHONE_SCATTER_CHUNK"] = str(job["scatter_chunk"])
    params, dims = _setting(n)
    seed, replicates = jnp.int32(0), jnp.arange(reps, dtype=jnp.int32)
    state_bytes = reps * _nbytes(jax.eval_shape(lambda: init(engine.replicate_keys(0, 0)[0], params, dims)))
    output_bytes = _nbytes(jax.eval_shape(lambda: engine.run_replicates(seed, replicates, params, dims, days)))
    t, cpu = time.perf_counter(), time.process_time()
    compiled = engine.run_replicates.lower(seed, replicates, params, dims, days).compile()
    compile_s, compile_cpu_s = time.perf_counter() - t, time.process_time() - cpu
    xla_plan = compiled.memory_analysis()  # XLA's own account: scratch (the state lives there) and outputs
    planned = (xla_plan.temp_size_in_bytes + xla_plan.output_size_in_bytes) if xla_plan else 0
    runs, run_cpu, peaks = [], [], []
    while True:  # at least two runs: the first also touches the runtime's one-off memory
        with PeakSampler() as memory:
            t, cpu = time.perf_counter(), time.process_time()
            jax.block_until_ready(compiled(seed, replicates, params))
            runs.append(time.perf_counter() - t)
            run_cpu.append(time.process_time() - cpu)
        peaks.append(memory.above_start)
        if len(runs) >= max(2, job.get("repeat", 3)) or (len(runs) >= 2 and sum(runs) > job.get("budget_s", 2.0)):
            break
    run_s = min(runs)
    return dict(
        compile_s=compile_s, run_s=run_s, runs=len(runs), steps=2 * n * reps * days, rate=2 * n * reps * days / run_s,
        compile_cpu_s=compile_cpu_s, cpu_ns_per_step=min(run_cpu) / (2 * n * reps * days) * 1e9,
        # a later run can reuse memory the allocator kept from the one before and show no rise at all, so
        # the peak judged is never below XLA's plan of what the run needs
        state_bytes=state_bytes, output_bytes=output_bytes, peak_bytes=max(max(peaks[1:]), planned), first_peak_bytes=peaks[0],
        planned_bytes=planned or None, device_peak=_device_peak(),
        maxrss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    )


def work_mesa(job) -> dict:
    from redphone.model.mesa_model import CrisisModel  # noqa: PLC0415

    n, days = int(job["n"]), int(job["days"])
    t = time.perf_counter()
    model = CrisisModel(rng=0, n_public=n, activation=job.get("activation", "sector"))
    model.run_for(1)  # the first day compiles every phase
    first_s = time.perf_counter() - t
    runs = []
    with PeakSampler() as memory:
        for _ in range(job.get("repeat", 3)):  # the best of three stretches of `days` days, as for the batched engine
            t = time.perf_counter()
            model.run_for(days)
            runs.append(time.perf_counter() - t)
    run_s = min(runs)
    return dict(
        compile_s=max(first_s - run_s / days, 0.0), run_s=run_s, runs=len(runs), steps=2 * n * days, rate=2 * n * days / run_s,
        peak_bytes=memory.above_start, maxrss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    )


def work_reference(job) -> dict:
    from redphone.benchmarks.mesa_reference import ReferencePublic, compare, day0, kernel_public, with_blamed  # noqa: PLC0415

    n, days = int(job["n"]), int(job["days"])
    params, dims = _setting(n)
    state, inputs = day0(0, params, dims)
    inputs = with_blamed(inputs, days)
    model = ReferencePublic(state, params, inputs, rng=1)
    t = time.perf_counter()
    for _ in range(days):
        model.step()
    run_s = time.perf_counter() - t
    # the same setting through the JAX public kernel, 8 replicates: do the statistics agree?
    check = compare(model.daily(), kernel_public(1, 8, state, params, dims, inputs))
    t = time.perf_counter()
    kernel_public(2, 8, state, params, dims, inputs)  # already compiled: the public kernel alone, for scale
    kernel_s = time.perf_counter() - t
    return dict(
        compile_s=0.0, run_s=run_s, runs=1, steps=2 * n * days, rate=2 * n * days / run_s, check=check,
        kernel_public_rate=8 * 2 * n * days / kernel_s,
        maxrss=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    )


def _peer_check(peer, n: int = 3000, days: int = 30) -> dict:
    """A peer's statistics against the kernel's on one day-0 state, as ``tests/test_array_references.py``
    checks them (every daily term on)."""
    from redphone.benchmarks.mesa_reference import compare, day0, kernel_public, with_blamed  # noqa: PLC0415
    from redphone.model.config import build, compose  # noqa: PLC0415

    params, dims = build(compose("india_pakistan_2025", {"population.public": n, "institutions.track2": True, "track2.reach": 0.5,
                                                         "track2.initial_reach": 0.2}))
    state, inputs = day0(3, params, dims)
    inputs = with_blamed(inputs, days)
    model = peer(state, params, inputs, rng=7)
    for _ in range(days):
        model.step()
    return compare(model.daily(), kernel_public(5, 8, state, params, dims, inputs))


def work_peers(job) -> dict:
    """The batched engine and the public sector's three CPU peers, interleaved in one process.

    For each size (citizens per side x replicates), ``rounds`` rounds of: the batched engine (the
    whole model, compiled first, day-0 state included), the NumPy peer, the Numba peer; and once per
    round the per-agent Mesa reference at 1e3 citizens (its speed per agent-step does not depend on
    the population). The best of the rounds is kept. A peer runs its replicates one after another
    from the kernel's day-0 state (building it is not timed); the engine runs them at once.
    """
    import jax  # noqa: PLC0415
    import jax.numpy as jnp  # noqa: PLC0415

    from redphone.benchmarks.mesa_reference import ReferencePublic, day0, with_blamed  # noqa: PLC0415
    from redphone.benchmarks.numpy_reference import NumpyPublic  # noqa: PLC0415
    from redphone.model import engine  # noqa: PLC0415

    try:
        from redphone.benchmarks.numba_reference import NumbaPublic  # noqa: PLC0415
    except ImportError:  # no bench extra: the other peers still run
        NumbaPublic = None  # noqa: N806
    peers = dict(numpy=NumpyPublic) | (dict(numba=NumbaPublic) if NumbaPublic else {})
    checks = {name: _peer_check(peer) for name, peer in peers.items()}
    rounds = job.get("rounds", 3)
    target = job.get("target_steps", dict(batched=1e8, numpy=2e7, numba=6e7))

    def timed(model, days):
        model.step()  # the first day apart: it compiles (Numba) and touches the memory
        t = time.perf_counter()
        for _ in range(days):
            model.step()
        return time.perf_counter() - t

    mesa_params, mesa_dims = _setting(1000)
    mesa_state, mesa_inputs = day0(0, mesa_params, mesa_dims)
    mesa_inputs = with_blamed(mesa_inputs, 4)
    mesa_rates = []
    rows = []
    for n, reps in job["sizes"]:
        n, reps = int(n), int(reps)
        params, dims = _setting(n)
        state, inputs = day0(0, params, dims)
        days = {k: int(min(max(round(v / (2 * n * reps)), 1), 50)) for k, v in target.items()}
        days["batched"] = max(days["batched"], 3)
        inputs = with_blamed(inputs, max(days.values()) + 1)
        seed, replicates = jnp.int32(0), jnp.arange(reps, dtype=jnp.int32)
        compiled = engine.run_replicates.lower(seed, replicates, params, dims, days["batched"]).compile()
        best, batched_cpu = {}, 1e9
        for _ in range(rounds):
            t, c = time.perf_counter(), time.process_time()
            jax.block_until_ready(compiled(seed, replicates, params))
            best["batched"] = min(best.get("batched", 1e9), time.perf_counter() - t)
            batched_cpu = min(batched_cpu, time.process_time() - c)
            for name, peer in peers.items():
                spent = sum(timed(peer(state, params, inputs, rng=r), days[name]) for r in range(reps))
                best[name] = min(best.get(name, 1e9), spent)
            mesa_rates.append(2 * 1000 * 2 / timed(ReferencePublic(mesa_state, mesa_params, mesa_inputs, rng=len(mesa_rates)), 2))
        rates = {k: 2 * n * reps * days[k] / v for k, v in best.items()}
        rows.append(dict(n=n, replicates=reps, days=days, rates=rates, load=os.getloadavg(),
                         batched_cpu_ns=batched_cpu / (2 * n * reps * days["batched"]) * 1e9))
        print(f"   peers {n:.0e} x {reps}: " + ", ".join(f"{k} {v:.2e}" for k, v in rates.items()), file=sys.stderr, flush=True)
    return dict(rows=rows, mesa_rate=max(mesa_rates), checks=checks, rounds=rounds)


def _settings(n: int, count: int, media: int = 8):
    """``count`` settings of the status quo with ``n`` citizens and ``media`` outlets per side, stacked:
    the convergence rate mu spread over its range, so no two settings are the same."""
    import jax.numpy as jnp  # noqa: PLC0415

    from redphone.model.config import build, compose  # noqa: PLC0415
    from redphone.model.params import stack  # noqa: PLC0415
    from redphone.model.state import replace  # noqa: PLC0415

    params, dims = build(compose("india_pakistan_2025", {"population.public": int(n), "population.media": media}))
    stacked = stack([params] * count)
    mu = jnp.broadcast_to(jnp.linspace(0.05, 0.5, count)[:, None], stacked.public.mu.shape)
    return replace(stacked, public=replace(stacked.public, mu=mu)), dims


def work_runs(job) -> dict:
    """Complete runs per second: ``engine.run_settings`` (settings x 1 replicate: common keys, so the
    per-citizen draws are computed once for the batch) and ``engine.run_runs`` (each run its own
    replicate key, the call of ``lab.batch`` and so of calibration), interleaved, best of ``rounds``,
    for each population of ``job["populations"]``."""
    import jax  # noqa: PLC0415
    import jax.numpy as jnp  # noqa: PLC0415

    from redphone.model import engine  # noqa: PLC0415

    count, days, rounds = int(job.get("settings", 256)), int(job.get("days", 120)), job.get("rounds", 3)
    calls = {}
    for n in job["populations"]:
        stacked, dims = _settings(n, count)
        seed, one = jnp.int32(0), jnp.arange(1, dtype=jnp.int32)
        settings = replicates = jnp.arange(count, dtype=jnp.int32)  # run i: setting i, replicate i
        keep = _keep_summary
        t = time.perf_counter()
        by_settings = engine.run_settings.lower(seed, one, stacked, dims, days).compile()
        compile_s = time.perf_counter() - t
        calls[n] = dict(settings=lambda c=by_settings, a=(seed, one, stacked): c(*a), compile_s=compile_s)
        by_runs = engine.run_runs.lower(seed, settings, replicates, stacked, dims, days, keep).compile()
        calls[n]["runs"] = lambda c=by_runs, a=(seed, settings, replicates, stacked): c(*a)
    best, cpu = {}, {}
    for _ in range(max(rounds, 2)):  # the first call also touches the runtime's one-off memory
        for n, call in calls.items():
            for how in ("settings", "runs"):
                t, c = time.perf_counter(), time.process_time()
                jax.block_until_ready(call[how]())
                best[(n, how)] = min(best.get((n, how), 1e9), time.perf_counter() - t)
                cpu[(n, how)] = min(cpu.get((n, how), 1e9), time.process_time() - c)
    rows = [
        dict(n=n, settings=count, days=days, runs_per_s=count / best[(n, "settings")],
             cpu_us_per_run_day=cpu[(n, "settings")] / (count * days) * 1e6,
             own_keys_runs_per_s=count / best[(n, "runs")],
             compile_s=calls[n]["compile_s"], us_per_run_day=best[(n, "settings")] / (count * days) * 1e6)
        for n in calls
    ]
    return dict(rows=rows, load=os.getloadavg(), rounds=rounds)


def _keep_summary(daily, summary):
    return summary


WORK = dict(
    bandwidth=work_bandwidth, batched=work_batched, mesa=work_mesa, reference=work_reference, peers=work_peers, runs=work_runs,
)


def worker(job: dict) -> None:
    import jax  # noqa: PLC0415

    jax.config.update("jax_enable_compilation_cache", False)  # compile times must be real ones
    result = WORK[job["engine"]](job)
    result.update(job=job, device=_device())
    if job["engine"] == "bandwidth":
        result["bytes_per_agent_step"] = minimum_bytes_per_agent_step(_setting(1000)[1])
    print("BENCH-RESULT " + json.dumps(result), flush=True)


# --------------------------------------------------------------------------- driver side


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


def _si(x: float) -> str:
    return f"{x:.2e}" if x else "-"


def _mb(x) -> str:
    return f"{x / 2**20:,.0f}" if x else "-"


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return dict(cpu=cpu, cores=os.cpu_count(), load=os.getloadavg(), python=platform.python_version())


def analyse(results: list[dict], quick: bool) -> dict:
    ok = [r for r in results if "skipped" not in r]
    bw = next((r for r in ok if r["job"]["engine"] == "bandwidth"), None)
    refs = [r for r in ok if r["job"]["engine"] == "reference"]
    ref_rate = max((r["rate"] for r in refs), default=None)
    chunks = [r for r in ok if r["job"].get("scatter_chunk")]
    ok = [r for r in ok if not r["job"].get("scatter_chunk")]
    batched = [r for r in ok if r["job"]["engine"] == "batched" and not r["job"].get("flat_check")]
    mesas = [r for r in ok if r["job"]["engine"] == "mesa"]
    per_step = bw["bytes_per_agent_step"]["total"] if bw else None
    ceiling = bw["bandwidth"] / per_step if bw else None
    peers = next((r for r in ok if r["job"]["engine"] == "peers"), None)
    runs = next((r for r in ok if r["job"]["engine"] == "runs"), None)
    ok = [r for r in ok if r["job"]["engine"] not in ("peers", "runs")]
    for r in ok:
        if r["job"]["engine"] == "bandwidth":
            continue
        r["vs_reference"] = r["rate"] / ref_rate if ref_rate else None
        r["roofline"] = r["rate"] / ceiling if ceiling else None
        if r["job"]["engine"] == "batched":
            r["memory_ratio"] = r["peak_bytes"] / (r["state_bytes"] + r["output_bytes"])
        if r["job"]["engine"] == "mesa":
            twin = [b for b in batched if b["job"]["n"] == r["job"]["n"] and b["job"]["replicates"] == 1]
            r["batched_over_mesa"] = twin[0]["rate"] / r["rate"] if twin else None

    goals = []
    big = [b for b in batched if b["job"]["n"] * b["job"]["replicates"] >= 1e6]
    if big:
        best = max(big, key=lambda b: b["rate"])
        tag = f"{best['job']['n']:.0e} x {best['job']['replicates']}"
        goals.append(("batched >= 1e8 agent-steps/s (population x replicates >= 1e6)", f"{best['rate']:.2e} ({tag})", best["rate"] >= GOAL_THROUGHPUT))
        if ref_rate:
            goals.append(("batched >= 1000 x per-agent Mesa reference", f"{best['rate'] / ref_rate:,.0f} x", best["rate"] / ref_rate >= GOAL_VS_REFERENCE))
    at_1e5 = [m for m in mesas if m["job"]["n"] == 100_000 and m.get("batched_over_mesa") and m["job"].get("activation", "sector") == "sector"]
    if at_1e5:
        ratio = at_1e5[0]["batched_over_mesa"]
        goals.append(("Mesa-driven within 2 x batched at 1e5 per side", f"batched / Mesa = {ratio:.2f}", ratio <= GOAL_MESA_RATIO))
    if batched:
        worst = max(b["compile_s"] for b in batched)
        goals.append(("compile time of the full model < 30 s", f"{worst:.1f} s (worst)", worst < GOAL_COMPILE_S))
        worst_mem = max(batched, key=lambda b: b["memory_ratio"] if b["state_bytes"] > 50e6 else 0)
        goals.append((
            "peak memory <= 2 x (state + outputs)",
            f"{worst_mem['memory_ratio']:.2f} x at {worst_mem['job']['n']:.0e} x {worst_mem['job']['replicates']}",
            worst_mem["memory_ratio"] <= GOAL_MEMORY_RATIO,
        ))
    flat = next((r for r in ok if r["job"].get("flat_check")), None)
    if flat:
        base = next((b for b in batched if b["job"]["n"] == flat["job"]["n"] and b["job"]["replicates"] == flat["job"]["replicates"]), None)
        if base:
            grow = flat["peak_bytes"] / max(base["peak_bytes"], 1)
            text = f"{_mb(base['peak_bytes'])} MiB at {base['job']['days']} days, {_mb(flat['peak_bytes'])} MiB at {flat['job']['days']} days"
            # flat: within 10 % or 20 MiB (the outputs themselves grow with the days)
            goals.append(("peak memory flat in the number of days", text, grow <= 1.1 or flat["peak_bytes"] - base["peak_bytes"] < 20 * 2**20))
    if peers:
        for row in peers["rows"]:
            row["ratios"] = {k: row["rates"]["batched"] / v for k, v in row["rates"].items() if k != "batched"}
            row["ratios"]["mesa"] = row["rates"]["batched"] / peers["mesa_rate"]
            row["roofline"] = row["rates"]["batched"] / ceiling if ceiling else None
        judged = [row for row in peers["rows"] if row["n"] >= 1e5 and "numba" in row["ratios"]]
        if judged:
            worst = min(judged, key=lambda row: row["ratios"]["numba"])
            complete = {(1e5, 1), (1e5, 16), (1e6, 1), (1e6, 16)} <= {(row["n"], row["replicates"]) for row in judged}
            goals.append((
                "batched >= 1.5 x the Numba peer at 1e5 and 1e6 per side (1 and 16 replicates)",
                f"{worst['ratios']['numba']:.2f} x at worst ({worst['n']:.0e} x {worst['replicates']}); "
                + ", ".join(f"{row['ratios']['numba']:.2f} ({row['n']:.0e} x {row['replicates']})" for row in judged)
                + ("" if complete else "; not every size in this run"),
                # judged only when every size the goal names ran (the quick bench runs 1e5 only)
                worst["ratios"]["numba"] >= GOAL_VS_NUMBA if complete else (None if worst["ratios"]["numba"] >= GOAL_VS_NUMBA else False),
            ))
        best = max(peers["rows"], key=lambda row: row["rates"]["batched"])
        goals.append((
            "batched >= 1000 x the per-agent Mesa reference (interleaved, peers run)",
            f"{best['ratios']['mesa']:,.0f} x ({best['n']:.0e} x {best['replicates']})", best["ratios"]["mesa"] >= GOAL_VS_REFERENCE,
        ))
    fastest = [r["rate"] for r in batched] + ([row["rates"]["batched"] for row in peers["rows"]] if peers else [])
    if fastest and ceiling:
        goals.append(("batched >= 40 % of the roofline ceiling", f"{max(fastest) / ceiling:.1%} (best row)", max(fastest) / ceiling >= GOAL_ROOFLINE))
    if runs:
        for row in runs["rows"]:
            goal = GOAL_RUNS.get(row["n"])
            if goal:
                goals.append((
                    f">= {goal:,} complete 120-day runs/s at {row['n']} citizens, 8 outlets (run_settings, {row['settings']} settings)",
                    f"{row['runs_per_s']:,.0f}/s", row["runs_per_s"] >= goal,
                ))
                if row["own_keys_runs_per_s"]:  # the same goal for independent runs (calibration's call)
                    goals.append((
                        f"the same, each run its own key (run_runs, {row['settings']} runs)",
                        f"{row['own_keys_runs_per_s']:,.0f}/s", row["own_keys_runs_per_s"] >= goal,
                    ))
    gpu = [b for b in batched if b["device"]["platform"] == "gpu" and b["job"]["n"] == 1_000_000 and b["job"]["replicates"] == 64]
    goals.append(("one H100: >= 2e10 at 1e6 x 64", f"{gpu[0]['rate']:.2e}" if gpu else "no GPU in this run", bool(gpu) and gpu[0]["rate"] >= GOAL_GPU if gpu else None))
    chunks = [dict(chunk=r["job"]["scatter_chunk"], rate=r["rate"]) for r in chunks]
    return dict(goals=goals, ceiling=ceiling, bandwidth=bw, reference_rate=ref_rate, peers=peers, runs=runs, chunks=chunks)


def render(results: list[dict], summary: dict, meta: dict) -> str:
    dev = next((r["device"] for r in results if "device" in r), {})
    bw = summary["bandwidth"]
    lines = [
        f"# redphone benchmark{' (QUICK)' if meta['quick'] else ''}",
        "",
        f"- device: {dev.get('platform')} / {dev.get('kind')} x {dev.get('count')}; CPU {meta['machine']['cpu']}, {meta['machine']['cores']} cores; jax {dev.get('jax')}, Python {meta['machine']['python']}",
        f"- load average before / after: {' '.join(f'{x:.2f}' for x in meta['load_before'])} / {' '.join(f'{x:.2f}' for x in meta['load_after'])}",
        f"- git: {meta['git']}; wall time of the benchmark: {meta['wall_s']:.0f} s",
    ]
    if bw:
        b = bw["bytes_per_agent_step"]
        lines.append(
            f"- copy bandwidth (read + write): {bw['bandwidth'] / 1e9:.1f} GB/s (XLA {bw['xla'] / 1e9:.1f}, numpy {bw['numpy'] / 1e9:.1f}); "
            f"an agent-step moves at least {b['total']} B (read {b['read']}, write {b['written']}, partner {b['partner']}): "
            f"roofline ceiling {summary['ceiling']:.2e} agent-steps/s"
        )
    lines += [
        "",
        "| engine | citizens/side | replicates | days | agent-steps/s | x reference | of roofline | CPU ns/step | compile s (CPU s) | run s | peak MiB (first run) | XLA plan MiB | state+outputs MiB | peak / (state+outputs) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        job = r["job"]
        if job["engine"] in ("bandwidth", "peers", "runs") or job.get("scatter_chunk"):  # the chunk's rows: a table of their own
            continue
        name = job["engine"] + (" (4 x days)" if job.get("flat_check") else "") + (" (per agent)" if job.get("activation") == "agent" else "")
        if "skipped" in r:
            lines.append(f"| {name} | {job['n']:.0e} | {job.get('replicates', 1)} | - | skipped: {r['skipped']} | | | | | | | | | |")
            continue
        so = r.get("state_bytes", 0) + r.get("output_bytes", 0)
        lines.append(
            f"| {name} | {job['n']:.0e} | {job.get('replicates', 1)} | {job['days']} | {_si(r['rate'])} | "
            f"{r['vs_reference']:,.1f} | {r['roofline']:.1%} | {f'{r["cpu_ns_per_step"]:.0f}' if 'cpu_ns_per_step' in r else '-'} | "
            f"{r['compile_s']:.1f}{f' ({r["compile_cpu_s"]:.1f})' if 'compile_cpu_s' in r else ''} | {r['run_s']:.2f} | "
            f"{_mb(r.get('peak_bytes'))}{f' ({_mb(r["first_peak_bytes"])})' if r.get('first_peak_bytes') is not None else ''} | "
            f"{_mb(r.get('planned_bytes')) if r.get('planned_bytes') else '-'} | {_mb(so)} | {f"{r['memory_ratio']:.2f}" if so else '-'} |"
        )
    for r in results:
        if r["job"]["engine"] == "mesa" and "skipped" not in r and r.get("batched_over_mesa"):
            how = "each agent its own call" if r["job"].get("activation") == "agent" else "a sector's two agents in one call"
            lines.append(f"\nMesa-driven at {r['job']['n']:.0e}/side ({how}): batched (1 replicate) is {r['batched_over_mesa']:.2f} x faster.")
        if r["job"]["engine"] == "reference" and "skipped" not in r:
            c = r["check"]
            lines.append(
                f"\nReference at {r['job']['n']:.0e}/side vs the JAX public kernel: statistics {'agree' if c['agree'] else 'DISAGREE'} "
                f"(largest gaps: mean {c['mean_gap']:.4f}, std {c['std_gap']:.4f}, share >= 0.8 {c['high_gap']:.4f}; "
                f"histogram L1 {c['hist_l1']:.3f} vs the kernel's own scatter {c['hist_l1_kernel']:.3f}); "
                f"the public kernel alone, batched x 8: {r['kernel_public_rate']:.2e} agent-steps/s."
            )
    peers = summary.get("peers")
    if peers:
        lines += [
            "",
            f"Peers of the public sector, interleaved in one process (best of {peers['rounds']} rounds; the per-agent Mesa "
            f"reference at 1e3 citizens: {peers['mesa_rate']:.2e} agent-steps/s). 'batched' is the whole model "
            "(four sectors and the dyad), the peers the public sector alone:",
            "",
            "| citizens/side x replicates | batched (ours) | NumPy | Numba | ours / Mesa per agent | ours / NumPy | ours / Numba | of roofline | ours, CPU ns/step | load (1 min) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in peers["rows"]:
            rates, ratios = row["rates"], row["ratios"]
            lines.append(
                f"| {row['n']:.0e} x {row['replicates']} | {rates['batched']:.2e} | {rates['numpy']:.2e} | "
                f"{_si(rates.get('numba', 0))} | {ratios['mesa']:,.0f} | {ratios['numpy']:.1f} | "
                f"{f'{ratios['numba']:.2f}' if 'numba' in ratios else '- (no numba)'} | "
                f"{f'{row['roofline']:.1%}' if row.get('roofline') else '-'} | {row['batched_cpu_ns']:.1f} | {row['load'][0]:.2f} |"
            )
        for name, c in peers["checks"].items():
            lines.append(
                f"\n{name} peer vs the JAX public kernel (3,000 citizens, 30 days): statistics {'agree' if c['agree'] else 'DISAGREE'} "
                f"(largest gaps: mean {c['mean_gap']:.4f}, std {c['std_gap']:.4f}, share >= 0.8 {c['high_gap']:.4f}; "
                f"histogram L1 {c['hist_l1']:.3f} vs the kernel's own scatter {c['hist_l1_kernel']:.3f})."
            )
    runs = summary.get("runs")
    if runs:
        lines += [
            "",
            f"Many small runs (120 days, 8 outlets per side; best of {runs['rounds']}; load {runs['load'][0]:.2f};"
            f" {FIXED_COST_POPULATION} citizens per side shows the fixed work of a run and day):",
            "",
            "| citizens/side | settings per call | complete runs/s (run_settings) | wall us per run-day | CPU us per run-day | runs/s, each its own key (run_runs) | compile s |",
            "|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in runs["rows"]:
            lines.append(
                f"| {row['n']} | {row['settings']} | {row['runs_per_s']:,.0f} | {row['us_per_run_day']:.2f} | {row['cpu_us_per_run_day']:.2f} | "
                f"{f'{row['own_keys_runs_per_s']:,.0f}' if row['own_keys_runs_per_s'] else '-'} | {row['compile_s']:.1f} |"
            )
    if summary.get("chunks"):
        from redphone.model.flat import SCATTER_CHUNK  # noqa: PLC0415

        best = max(summary["chunks"], key=lambda c: c["rate"])
        lines += ["", "The scatter's chunk on this device (1e6 x 64, 30 days; agent-steps/s): " + ", ".join(
            f"2^{c['chunk'].bit_length() - 1}: {c['rate']:.2e}" for c in summary["chunks"]
        ) + f". Fastest: REDPHONE_SCATTER_CHUNK={best['chunk']} (model.flat.SCATTER_CHUNK is the CPU's, {SCATTER_CHUNK})."]
    lines += ["", "| goal | measured | met |", "|---|---|---|"]
    for goal, value, met in summary["goals"]:
        lines.append(f"| {goal} | {value} | {'-' if met is None else ('yes' if met else 'no')} |")
    return "\n".join(lines) + "\n"


def plot(results: list[dict], summary: dict, path: Path) -> None:
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    ok = [
        r for r in results
        if "skipped" not in r and r["job"]["engine"] not in ("bandwidth", "peers", "runs") and not r["job"].get("flat_check") and not r["job"].get("scatter_chunk")
    ]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    colours = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]
    reps = sorted({r["job"]["replicates"] for r in ok if r["job"]["engine"] == "batched"})
    for colour, rep in zip(colours, reps):
        pts = sorted((2 * r["job"]["n"] * rep, r["rate"]) for r in ok if r["job"]["engine"] == "batched" and r["job"]["replicates"] == rep)
        ax.plot(*zip(*pts), "o-", color=colour, label=f"batched, {rep} replicate(s)")
    for engine, marker, colour in (("mesa", "s--", "#D55E00"), ("reference", "^:", "#000000")):
        pts = sorted((2 * r["job"]["n"], r["rate"]) for r in ok if r["job"]["engine"] == engine and r["job"].get("activation") != "agent")
        if pts:
            ax.plot(*zip(*pts), marker, color=colour, label={"mesa": "Mesa-driven engine", "reference": "per-agent Mesa reference (public only)"}[engine])
    per_agent = [(2 * r["job"]["n"], r["rate"]) for r in ok if r["job"].get("activation") == "agent"]
    if per_agent:
        ax.plot(*zip(*per_agent), "s", mfc="none", color="#D55E00", label="Mesa-driven, each agent its own call")
    if summary["ceiling"]:
        ax.axhline(summary["ceiling"], color="grey", lw=1, ls="-.", label="roofline (copy bandwidth / bytes per step)")
    ax.axhline(GOAL_THROUGHPUT, color="grey", lw=1, ls=":", label="goal: 1e8")
    ax.set(xscale="log", yscale="log", xlabel="citizens simulated at once (both sides x replicates)", ylabel="agent-steps per second")
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small grid that finishes in under 2 minutes")
    parser.add_argument("--out", default=str(ROOT / "bench-results"))
    parser.add_argument("--max-bytes", type=float, default=6e9, help="skip batched configurations whose state needs more than a third of this")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per configuration")
    parser.add_argument("--gpu", action="store_true", help="add the GPU goal's configuration (1e6 x 64); on by default on a GPU")
    parser.add_argument("--render", metavar="BENCH_JSON", help="print the table of a saved bench.json again")
    parser.add_argument("--only", help="run only these engines, comma-separated (bandwidth always runs): batched,mesa,reference,peers,runs")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
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
    (out / "bench.json").write_text(json.dumps(dict(meta=meta, results=results), indent=1))  # first: a long run is never lost
    summary = analyse(results, args.quick)
    text = render(results, summary, meta)
    (out / "bench.md").write_text(text)
    (out / "bench.json").write_text(json.dumps(dict(meta=meta, results=results, goals=summary["goals"], ceiling=summary["ceiling"]), indent=1))
    plot(results, summary, out / "scaling.png")
    print(text)
    print(f"written: {out / 'bench.md'}, {out / 'bench.json'}, {out / 'scaling.png'}")


if __name__ == "__main__":
    main()
