"""What one worker process of make bench measures: one configuration (a *job*) per process, each job kind one function.

``worker(job)`` runs ``WORK[job["engine"]]`` (bandwidth, batched, mesa, reference, peers, runs) and prints
one ``BENCH-RESULT`` line; ``redphone/commands/bench.py`` plans the jobs and starts the workers,
``redphone/benchmarks/report.py`` reads their results. The goals it is judged by live here, beside what measures them.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import threading
import time

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
