"""The Hydra app end to end: a tiny hotline x Track-II multirun, then the report."""

import subprocess
import sys
from pathlib import Path

import pytest

from redphone.model.lab import io

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_tiny_multirun_writes_every_job_and_the_report_reads_them(tmp_path):
    sweep = tmp_path / "sweep"
    args = [
        sys.executable, str(ROOT / "scripts" / "run.py"), "-m", "preset=india_pakistan_2025", "replicates=3", "days=15",
        "population.public=200", "population.media=4", "institutions.hotline=false,true", "institutions.track2=false,true",
        f"hydra.sweep.dir={sweep}",
    ]
    result = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    jobs = sorted(p for p in sweep.iterdir() if p.is_dir())
    assert [p.name for p in jobs] == ["0", "1", "2", "3"]
    seen = set()
    for job in jobs:
        ds, frame = io.load(job)
        assert ds.sizes["replicate"] == 3 and ds.sizes["day"] == 15
        seen.add((bool(frame["institutions.hotline"][0]), bool(frame["institutions.track2"][0])))
    assert seen == {(False, False), (False, True), (True, False), (True, True)}
    assert not list(tmp_path.glob("outputs")) and not (tmp_path / "multirun").exists()  # nothing outside the sweep folder

    report = subprocess.run([sys.executable, str(ROOT / "scripts" / "report.py"), str(sweep)], capture_output=True, text=True, timeout=300)
    assert report.returncode == 0, report.stderr
    assert "P(peak rung >= 4)" in report.stdout and report.stdout.count("replicates") >= 1
    for name in ("table.csv", "crisis_level.png", "crisis_level.csv"):
        assert (sweep / "report" / name).stat().st_size > 0


@pytest.mark.slow
def test_mesa_engine_through_the_app_matches_the_jax_engine(tmp_path):
    outs = {}
    for engine in ("jax", "mesa"):
        out = tmp_path / engine
        args = [sys.executable, str(ROOT / "scripts" / "run.py"), f"engine={engine}", "replicates=2", "days=12",
                "population.public=200", "population.media=4", "seed=5", f"hydra.run.dir={out}"]
        result = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        outs[engine] = io.load(out)
    (jax_ds, jax_frame), (mesa_ds, mesa_frame) = outs["jax"], outs["mesa"]
    assert (jax_ds["crisis_level"].values == mesa_ds["crisis_level"].values).all()
    assert list(jax_frame["peak_rung"]) == list(mesa_frame["peak_rung"])
