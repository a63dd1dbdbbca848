"""redphone as Python users install it: one importable name, package data, console commands.

The slow test builds the wheel, installs it into a fresh venv (dependencies
from pip's cache or the package index), and runs every preset and every
experiment with the ``redphone`` command from a folder that holds a user's
own ``model.py``.
"""

import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TINY = ["replicates=1", "days=4", "population.public=40", "population.media=2"]


def test_redphone_model_is_the_model_package_not_a_copy():
    import redphone.model
    import redphone.model.engine
    import redphone
    import redphone.model.engine

    assert redphone.model is model and redphone.model.engine is model.engine
    assert redphone.CrisisModel is model.CrisisModel
    assert model.engine.__spec__.name == "model.engine"  # the alias leaves the module's own spec


def test_the_wheel_lists_every_config_group_folder():
    """setuptools ships a folder of configs only if pyproject.toml names it as a package."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {"redphone." + str(p.relative_to(ROOT)).replace(os.sep, ".") for p in (ROOT / "configs").rglob("*") if p.is_dir()}
    assert folders <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(folders - listed)}"


def _run(cmd, cwd, env=None, timeout=900):
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(map(str, cmd))} exited {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.slow
def test_wheel_in_a_fresh_venv_runs_every_preset_and_experiment(tmp_path):
    import importlib

    from redphone.model.config import presets

    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(ROOT)], tmp_path)
    wheel = next((tmp_path / "dist").glob("redphone-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python, bin_dir = env_dir / "bin" / "python", env_dir / "bin"
    _run([python, "-m", "pip", "install", "-q", str(wheel)], tmp_path)

    user = tmp_path / "work"  # a user's folder with a model.py of their own, as every Mesa example has
    user.mkdir()
    (user / "model.py").write_text("WHOSE = 'the user'\n")
    env = {**os.environ, "PYTHONPATH": ""}  # the session's compilation cache (conftest.py): the wheel's programs are the checkout's
    check = (
        "import model, redphone, sys\n"
        "from redphone import CrisisModel\n"
        "m = CrisisModel(n_public=50, n_media=2); m.run_for(2)\n"
        "import model as again\n"
        "assert model.WHOSE == again.WHOSE == 'the user', 'redphone replaced the user module'\n"
        "assert 'site-packages' in redphone.model.__file__ and redphone.model is not model\n"
        "print(m.agents.to_list()[1])\n"
    )
    assert "PublicSector" in _run([python, "-c", check], user, env).stdout

    # long enough for every preset's scripted attacks (twin_peaks_2001's second falls on day 152)
    every_event = [*TINY, "days=160"]
    _run([bin_dir / "redphone", "-m", "preset=" + ",".join(presets()), *every_event, f"hydra.sweep.dir={tmp_path / 'presets'}"], user, env)
    assert len(list((tmp_path / "presets").glob("*/summary.parquet"))) == len(presets())

    for path in sorted((ROOT / "configs" / "experiment").glob("*.yaml")):
        name = path.stem
        quick = [o for o in importlib.import_module(f"experiments.{name}").QUICK if o.startswith(("grid.", "+grid."))]
        out = tmp_path / "experiments" / name
        _run([bin_dir / "redphone", "-m", f"+experiment={name}", *TINY, *quick, f"hydra.sweep.dir={out}"], user, env)
        assert list(out.glob("*/summary.parquet")), name
    # (a sweep over presets does not collect: their columns differ in type; reported to the collect.py owner)
    _run([bin_dir / "redphone-collect", str(tmp_path / "experiments" / "crisis_timeline")], user, env)
    assert (tmp_path / "experiments" / "crisis_timeline" / "collected.parquet").exists()

    bad = subprocess.run([bin_dir / "redphone", "preset=nope"], cwd=user, env=env, capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "unknown preset" in bad.stderr
