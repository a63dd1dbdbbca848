"""Write the docs' numbers and lists from the code and the saved results: make docs.

    python scripts/docs.py            # every block (the headline runs the model: about a minute)
    python scripts/docs.py --check    # the cheap blocks recomputed and compared, nothing written (tests)
    python scripts/docs.py --only policy_settings record

Each block is written to ``docs/generated/<name>.md`` and spliced into every
doc that shows it, between ``<!-- generated: NAME (make docs) -->`` and
``<!-- end generated: NAME -->``: README.md, docs/validation.md and
docs/ODD.md never hold a number or a list of names typed by hand that a
command can give. A block comes from the code (``outputs``, ``policy_settings``),
the record (``record``), a saved result file (``posterior``:
posteriors/status_quo.nc; ``policy_effects``: figures/policy_effects.md,
written by ``make policy``; ``forecast``: figures/forecast.md, written by
``make forecast``) or a quick command (``headline``, ``hindcast`` and
``hindcast_scores``, one run for both).
After the model changes: ``make calibrate WRITE=1``, ``make policy``, then
``make docs``, and commit what changed. ``--images`` (part of ``make docs``)
copies each figure the docs show from ``figures/`` into ``docs/img`` at a
page's size (``images``).

``--check`` exits 1 naming every block whose file or spliced copy differs
from what the command gives now (the cheap blocks: not the ones that run
the model); a block whose saved source is missing is named, not guessed.
"""

from __future__ import annotations

import argparse
import functools
import io
import sys
import tempfile
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from redphone import HOME
from redphone.model.lab import io as lab_io

GENERATED = HOME / "docs" / "generated"
DOCS = (HOME / "README.md", HOME / "docs" / "validation.md", HOME / "docs" / "ODD.md")
POLICY_TABLE = HOME / "figures" / "policy_effects.md"
PATHWAYS_TABLE = HOME / "figures" / "pathways.md"
FORECAST_TABLE = HOME / "figures" / "forecast.md"
PINNED = 0.5  # posterior contraction at which a parameter counts as pinned by the record


class Missing(Exception):
    """The saved result a block is read from is not there (run the command that writes it)."""


def _table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def outputs() -> str:
    """The names a run writes: daily series (results.nc) and per-replicate summaries (summary.parquet), from the kernel."""
    import jax  # noqa: PLC0415

    from redphone.model import dyad, engine  # noqa: PLC0415
    from redphone.model.config import build, compose  # noqa: PLC0415

    params, dims = build(compose("india_pakistan_2025", {"population.public": 10, "population.media": 2, "days": 2}))
    daily, summary = jax.eval_shape(lambda: engine.replicate_outputs(0, 0, params, dims, 2))
    axes = {1: "", 2: " (side)", 3: " (side, bin)"}  # after the day axis
    daily_names = [f"`{k}`" + (" (institution)" if k == "established" else axes[len(v.shape)]) for k, v in daily.items()]
    nan = ", ".join(f"`{k}`" for k in dyad.NEVER_IS_NAN)
    return "\n".join([
        "* `results.nc`, daily series with dims `replicate, day` (and `side`, `bin`, `institution`, any `grid` axes first): "
        + ", ".join(daily_names) + ";",
        "* `summary.parquet`, one row per replicate: " + ", ".join(f"`{k}`" for k in summary) + ", and every config value as a column"
        f" ({nan}: NaN when it never happened).",
    ])


def policy_settings() -> str:
    """The policy settings and packages (configs/policy/settings.yaml), with what each switches."""
    from redphone.model.lab import packages  # noqa: PLC0415

    frameworks = {setting: name for name, setting in packages.frameworks().items()}
    rows = []
    for name, over in packages.settings().items():
        switched = ", ".join(f"`{k}={str(v).lower()}`" for k, v in over.items()) or "(the preset as it is)"
        rows.append([name, switched, f"`{frameworks[name]}`" if name in frameworks else ""])
    return _table(["setting", "overrides of india_pakistan_2025", "figures' framework"], rows)


def record() -> str:
    """The record's patterns since 1990 (data/india_pakistan_crises.csv), by lab.measures."""
    from redphone.model.lab import measures  # noqa: PLC0415
    from redphone.model.lab import record as rec  # noqa: PLC0415

    era = rec.nuclear_era(rec.load())
    pat = rec.patterns(era)
    episode = measures.record_episode(era)
    rows = [
        ["crises since 1990", pat["n"]],
        ["crises per decade", f"{pat['per_decade']:.2f}"],
        ["share peaking at rung 2, 3, 4, >= 5", ", ".join(f"{s:.2f}" for s in pat["peak_share"])],
        ["P(peak >= 4)", f"{measures.p_peak(episode['peak'], measures.STRIKES):.2f}"],
        ["days to first kinetic action (median, crises with one)", f"{np.median(pat['lag']):.0f}" if len(pat["lag"]) else "none"],
        ["kinetic phase, days (median)", f"{np.median(pat['kinetic']):.0f}" if len(pat["kinetic"]) else "none"],
        ["duration, days (median)", f"{np.median(pat['duration']):.0f}"],
        ["share with a third party", f"{pat['third_party']:.2f} ({pat['third_party_n']} of {pat['n']})"],
    ]
    return _table(["pattern (record, 1990 on)", "value"], rows)


def posterior() -> str:
    """Each fitted parameter's posterior median and 90% interval (posteriors/status_quo.nc), against its prior range."""
    from redphone.model.lab import calibration, inference  # noqa: PLC0415
    from redphone.model.lab import posterior as post  # noqa: PLC0415

    file = HOME / "posteriors" / "status_quo.nc"
    if not file.is_file():
        raise Missing(f"{file.relative_to(HOME)} (make calibrate WRITE=1)")
    tree, _ = post.load(file)
    names = [f.key for f in calibration.FIT if f.key in tree["posterior"].data_vars]
    draws = post.draws(file, names)
    fitted = [f for f in calibration.FIT if f.key in names]
    # what the record pins: the calibration's own measure, 1 - posterior variance / prior variance
    shrunk = inference.contraction(draws, inference.Box(np.array([f.lo for f in fitted]), np.array([f.hi for f in fitted])))
    rows = []
    pinned = 0
    for j, f in enumerate(fitted):
        lo, med, hi = np.percentile(draws[:, j], [5, 50, 95])
        contraction = shrunk[j]
        pinned += contraction >= PINNED
        rows.append([f"`{f.key}`", f"[{f.lo:g}, {f.hi:g}]", f"{med:.3g}", f"[{lo:.3g}, {hi:.3g}]", f"{contraction:.2f}",
                     "yes" if contraction >= PINNED else "partly" if contraction >= PINNED / 2 else "no: near its prior"])
    return (f"{draws.shape[0]} draws; {pinned} of {len(rows)} parameters pinned by the record (posterior contraction "
            f">= {PINNED}; partly: >= {PINNED / 2}).\n\n" + _table(["parameter", "prior range", "posterior median", "90% interval", "contraction", "pinned"], rows))


def policy_effects() -> str:
    """The policy table make policy wrote (figures/policy_effects.md)."""
    if not POLICY_TABLE.is_file():
        raise Missing(f"{POLICY_TABLE.relative_to(HOME)} (make policy)")
    return POLICY_TABLE.read_text().strip()


def policy_headline() -> str:
    """The first table of make policy's output (its caption and the effects on every headline metric), for the README."""
    text = policy_effects()
    lines, out, in_table = text.splitlines(), [], False
    for line in lines:
        if line.startswith("|"):
            in_table = True
        elif in_table:
            break
        out.append(line)
    return "\n".join(out).strip()


def pathways() -> str:
    """What carries each channel's effect and how far the social drivers move the decision (figures/pathways.md)."""
    if not PATHWAYS_TABLE.is_file():
        raise Missing(f"{PATHWAYS_TABLE.relative_to(HOME)} (make pathways)")
    return PATHWAYS_TABLE.read_text().strip()


def headline() -> str:
    """scripts/headline.py at its default size: the status quo against single institutions, replicate noise only."""
    from redphone.commands import headline as command  # noqa: PLC0415

    out = io.StringIO()
    with redirect_stdout(out):
        command.main([])
    return out.getvalue().strip()


@functools.cache
def _hindcast_run() -> dict:
    """make hindcast at its default size, once per process: {file name: text} of the tables it writes."""
    from redphone.commands import hindcast as command  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as folder:
        with redirect_stdout(io.StringIO()):
            command.main(["--out", folder])
        return {name: (Path(folder) / name).read_text().strip() for name in ("hindcast.md", "hindcast_scores.md")}


def hindcast() -> str:
    """make hindcast's table: the seven crises replayed, each statistic's percentile in the model."""
    return _hindcast_run()["hindcast.md"]


def hindcast_scores() -> str:
    """make hindcast's ranking test (the same run as ``hindcast``): rank correlations, scores against the pooled null."""
    return _hindcast_run()["hindcast_scores.md"]


def forecast() -> str:
    """make forecast's table (figures/forecast.md): the leave-future-out forecasts, scored against the pooled null."""
    if not FORECAST_TABLE.is_file():
        raise Missing(f"{FORECAST_TABLE.relative_to(HOME)} (make forecast)")
    return FORECAST_TABLE.read_text().strip()


@dataclass(frozen=True)
class Block:
    make: object
    cheap: bool  # recomputed by --check (and the test): no model run


BLOCKS = {
    "outputs": Block(outputs, True),
    "policy_settings": Block(policy_settings, True),
    "record": Block(record, True),
    "posterior": Block(posterior, True),
    "policy_effects": Block(policy_effects, False),  # make policy's output (figures/ is not committed)
    "policy_headline": Block(policy_headline, False),  # its first table, for the README
    "pathways": Block(pathways, False),  # make pathways' output
    "headline": Block(headline, False),
    "hindcast": Block(hindcast, False),
    "hindcast_scores": Block(hindcast_scores, False),  # the same run as hindcast's
    "forecast": Block(forecast, False),  # make forecast's output (about ten minutes)
}


def begin(name: str) -> str:
    return f"<!-- generated: {name} (make docs) -->"


def end(name: str) -> str:
    return f"<!-- end generated: {name} -->"


def regions(text: str) -> dict[str, str]:
    """{block name: the text between its markers} of a doc."""
    out = {}
    for name in BLOCKS:
        start, stop = text.find(begin(name)), text.find(end(name))
        if start >= 0 and stop > start:
            out[name] = text[start + len(begin(name)):stop].strip("\n")
    return out


def splice(text: str, name: str, body: str) -> str:
    start, stop = text.find(begin(name)), text.find(end(name))
    if start < 0 or stop < start:
        return text
    return text[: start + len(begin(name))] + "\n" + body + "\n" + text[stop:]


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lab_io.atomic_write_text(path, text)


IMAGES = HOME / "docs" / "img"
IMAGE_WIDTH = 1400  # pixels: a page's width, and a quarter of the bytes of a 300-dpi figure


def images(figures: Path = HOME / "figures", img: Path = IMAGES) -> list[str]:
    """The docs' copy of each figure they show (every PNG in docs/img), from the command's output in ``figures``: at
    most ``IMAGE_WIDTH`` pixels wide and in a 256-colour palette, so the repository holds a page's worth of each, not
    the print resolution. Returns the names whose source is missing (left as they are)."""
    from PIL import Image  # noqa: PLC0415

    missing = []
    for target in sorted(img.glob("*.png")):
        source = figures / target.name
        if not source.is_file():
            missing.append(target.name)
            continue
        with Image.open(source) as figure:
            page = figure.convert("RGB")
        if page.width > IMAGE_WIDTH:
            page = page.resize((IMAGE_WIDTH, round(page.height * IMAGE_WIDTH / page.width)), Image.Resampling.LANCZOS)
        page = page.quantize(256)
        lab_io._atomic(target, lambda tmp, page=page: page.save(tmp, format="PNG", optimize=True))
    return missing


def check(names) -> list[str]:
    """What differs from the command's output now: one line per block file or spliced copy."""
    problems = []
    for name in names:
        try:
            body = BLOCKS[name].make().strip()
        except Missing as missing:
            problems.append(f"{name}: its source is missing: {missing}")
            continue
        file = GENERATED / f"{name}.md"
        if not file.is_file() or file.read_text().strip() != body:
            problems.append(f"{name}: docs/generated/{name}.md differs from what the command gives now")
        for doc in DOCS:
            held = regions(doc.read_text()).get(name)
            if held is not None and held.strip() != body:
                problems.append(f"{name}: {doc.relative_to(HOME)} holds another copy than the command gives now")
    for doc in DOCS:  # every spliced copy matches its file, the expensive blocks' too
        for name, held in regions(doc.read_text()).items():
            file = GENERATED / f"{name}.md"
            if not file.is_file() or held.strip() != file.read_text().strip():
                problems.append(f"{name}: {doc.relative_to(HOME)} differs from docs/generated/{name}.md")
    return sorted(set(problems))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="recompute the cheap blocks and compare; write nothing")
    parser.add_argument("--only", nargs="+", choices=sorted(BLOCKS), help="these blocks only")
    parser.add_argument("--images", action="store_true", help="only copy the figures the docs show from figures/ into docs/img")
    args = parser.parse_args(argv)
    if args.images:
        missing = images()
        for name in missing:
            print(f"docs: img/{name}: skipped, figures/{name} is missing (run the command that draws it)", file=sys.stderr)
        print(f"docs: wrote {len(list(IMAGES.glob('*.png'))) - len(missing)} figures into docs/img", file=sys.stderr)
        return 0
    names = args.only or [n for n in BLOCKS if (BLOCKS[n].cheap or not args.check)]
    if args.check:
        problems = check(names)
        for line in problems:
            print(f"docs: {line}", file=sys.stderr)
        if problems:
            print("docs: run `make docs` (after make calibrate/policy where a source is missing) and commit", file=sys.stderr)
        return 1 if problems else 0
    for name in names:
        try:
            body = BLOCKS[name].make().strip()
        except Missing as missing:
            print(f"docs: {name}: skipped, its source is missing: {missing}", file=sys.stderr)
            continue
        _write(GENERATED / f"{name}.md", body + "\n")
        for doc in DOCS:
            text = doc.read_text()
            new = splice(text, name, body)
            if new != text:
                _write(doc, new)
        print(f"docs: wrote docs/generated/{name}.md", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
