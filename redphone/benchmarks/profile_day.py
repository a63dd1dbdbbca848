"""Time the batched engine at one size and show where a day's time goes, kernel by kernel.

    python benchmarks/profile_day.py --n 100000 --replicates 16 --days 41
    python benchmarks/profile_day.py --trace            # also XLA's per-kernel times over ten days
    python benchmarks/profile_day.py --root ../old      # the same timing of another checkout's model
    python benchmarks/profile_day.py --n 200 --settings 256 --replicates 1 --media 8 --days 30 --trace
                                                        # many small runs: engine.run_settings (common keys)
    python benchmarks/profile_day.py --n 200 --settings 256 --replicates 1 --media 8 --days 30 --trace --own-keys
                                                        # the same, each run its own key (engine.run_runs, lab.batch's call)

The timing is the best of three runs of ``engine.run_replicates`` (compiled
first): wall and CPU nanoseconds per agent-step (citizens of both sides x days x
replicates). ``--trace`` records ten days with ``jax.profiler`` (a Perfetto
trace) and sums each compiled kernel's time, per citizen and day: the profile
behind docs/performance.md. ``--root`` imports ``model`` from another
checkout, to time an earlier revision with the same loop.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import tempfile
import time
from pathlib import Path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="citizens per side")
    parser.add_argument("--replicates", type=int, default=16)
    parser.add_argument("--days", type=int, default=41)
    parser.add_argument("--trace", action="store_true", help="sum XLA's per-kernel times over ten days")
    parser.add_argument("--top", type=int, default=12, help="kernels to list with --trace")
    parser.add_argument("--settings", type=int, default=0,
                        help="time engine.run_settings over this many settings (x --replicates) instead of run_replicates: the regime of many small runs")
    parser.add_argument("--own-keys", action="store_true",
                        help="with --settings: engine.run_runs, each run its own replicate key (lab.batch's call), instead of run_settings' common keys")
    parser.add_argument("--media", type=int, default=0, help="outlets per side (0: the preset's)")
    args = parser.parse_args(argv)

    import jax  # noqa: PLC0415
    import jax.numpy as jnp  # noqa: PLC0415

    from redphone.model import engine  # noqa: PLC0415
    from redphone.model.config import build, compose  # noqa: PLC0415

    overrides = {"population.public": args.n} | ({"population.media": args.media} if args.media else {})
    params, dims = build(compose("india_pakistan_2025", overrides))
    seed, replicates = jnp.int32(0), jnp.arange(args.replicates, dtype=jnp.int32)
    runs = args.replicates * max(args.settings, 1)
    steps = 2 * args.n * runs * args.days
    if args.settings:
        from redphone.model.params import stack  # noqa: PLC0415

        params = stack([params] * args.settings)
        call = engine.run_settings
    else:
        call = engine.run_replicates
    inputs = (seed, replicates, params)
    if args.settings and args.own_keys:  # run i: setting i mod S, replicate i (every run its own key)
        ids = jnp.arange(runs, dtype=jnp.int32)
        call, inputs = engine.run_runs, (seed, ids % args.settings, ids, params)
    compiled = call.lower(*inputs, dims, args.days).compile()
    best = None
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        jax.block_until_ready(compiled(*inputs))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        best = min(best or (wall, cpu), (wall, cpu))
    wall, cpu = best
    shape = f"{args.settings} settings x " if args.settings else ""
    print(f"{args.n} citizens/side x {shape}{args.replicates} replicates x {args.days} days: {steps / wall:.3g} agent-steps/s, "
          f"{wall / steps * 1e9:.1f} wall-ns and {cpu / steps * 1e9:.1f} CPU-ns per agent-step (best of 3)")
    if args.settings:
        print(f"  {runs / wall * args.days / 120:,.0f} complete 120-day runs/s; {wall / (runs * args.days) * 1e6:.2f} us per run-day")

    if args.trace:
        days = 10
        short = call.lower(*inputs, dims, days).compile()
        jax.block_until_ready(short(*inputs))
        with tempfile.TemporaryDirectory() as folder:
            with jax.profiler.trace(folder, create_perfetto_trace=True):
                jax.block_until_ready(short(*inputs))
            trace = json.load(gzip.open(next(Path(folder).rglob("*.json.gz"))))
        events = trace["traceEvents"] if isinstance(trace, dict) else trace
        total, calls = collections.Counter(), collections.Counter()
        kernel = re.compile(r"[a-z][a-z0-9_.\-]*")  # XLA's names; Python frames and runtime spans look otherwise
        container = re.compile(r"(call|while|conditional)\.\d+")  # spans around kernels counted on their own
        for e in events:
            name = e.get("name", "")
            if e.get("ph") == "X" and kernel.fullmatch(name) and not container.fullmatch(name):
                total[name] += e.get("dur", 0)
                calls[name] += 1
        per = 1e3 / (2 * args.n * runs * days)  # trace durations are in microseconds
        print(f"XLA kernels over {days} days, ns per citizen-day (summed over threads):")
        for name, us in total.most_common(args.top):
            print(f"  {us * per:6.2f}  {name} ({calls[name]} calls)")
        print(f"  {sum(total.values()) * per:6.2f}  all kernels (day-0 state included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
