"""make bench's report: the goals checked against the workers' results, the Markdown table and the scaling figure."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from ..model.lab.io import atomic_savefig
from .work import FIXED_COST_POPULATION, GOAL_COMPILE_S, GOAL_GPU, GOAL_MEMORY_RATIO, GOAL_MESA_RATIO, GOAL_ROOFLINE, GOAL_RUNS, GOAL_THROUGHPUT, GOAL_VS_NUMBA, GOAL_VS_REFERENCE  # noqa: F401


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
    atomic_savefig(path, fig, dpi=120, metadata={"Software": None})
    plt.close(fig)
