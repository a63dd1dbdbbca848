"""The figure set: builds in quick mode from nothing, and repeats byte for byte."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tests.conftest import ROOT


def _draw_something(out, name):
    from redphone.experiments.common import figure, save

    fig, ax = figure()
    x = np.linspace(0, 1, 50)
    ax.plot(x, x**2, label="a curve")
    ax.fill_between(x, x**2 - 0.1, x**2 + 0.1, alpha=0.2)
    ax.legend()
    return save(fig, pd.DataFrame(dict(x=x, y=x**2)), out, name)


def test_saved_figures_carry_no_timestamps_and_repeat_byte_for_byte(tmp_path):
    first = _draw_something(tmp_path / "a", "f")
    second = _draw_something(tmp_path / "b", "f")
    for a, b in zip(first, second):
        assert a.read_bytes() == b.read_bytes(), a.name
    pdf, png = first[1].read_bytes(), first[0].read_bytes()
    assert b"CreationDate" not in pdf and b"Producer" not in pdf and b"matplotlib" not in pdf.lower()
    assert b"Software" not in png


def test_every_figure_has_a_config_a_drawing_and_quick_overrides():
    import importlib

    from redphone.experiments import FIGURES

    for name in FIGURES:
        assert (ROOT / "configs" / "experiment" / f"{name}.yaml").read_text().startswith("# @package _global_"), name
        module = importlib.import_module(f"redphone.experiments.{name}")
        assert callable(module.draw) and module.QUICK, name
        text = (ROOT / "configs" / "experiment" / f"{name}.yaml").read_text()
        assert "\nseed:" in text, f"{name}: the experiment must pin its seed"


@pytest.mark.slow
def test_quick_figures_build_from_nothing_and_a_second_run_reuses_and_repeats(tmp_path):
    """`make figures QUICK=1` into an empty folder: every figure with its CSV; then again: nothing rerun, same bytes."""
    from redphone.experiments import FIGURES

    data, first, second = tmp_path / "data", tmp_path / "first", tmp_path / "second"
    command = [sys.executable, str(ROOT / "scripts" / "figures.py"), "--quick", "--data", str(data)]
    run = subprocess.run([*command, "--out", str(first)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    for name in FIGURES:
        for ext in ("png", "pdf", "csv"):
            assert (first / f"{name}.{ext}").stat().st_size > 0, f"{name}.{ext}"
        assert len(pd.read_csv(first / f"{name}.csv")) > 0
    report = (data / "report.md").read_text()
    assert all(f"| {name} | " in report for name in FIGURES)
    stamps = {p: p.stat().st_mtime_ns for p in data.rglob("summary.parquet")}

    again = subprocess.run([*command, "--out", str(second)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "rerunning" not in again.stderr
    assert {p: p.stat().st_mtime_ns for p in data.rglob("summary.parquet")} == stamps  # complete results reused
    for path in sorted(first.iterdir()):
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
