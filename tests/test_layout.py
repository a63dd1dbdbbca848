"""The core of the model (``model/``) imports nothing from the lab around it (``model/lab/``).

A reader can take in the simulation (params, state, sectors, dyad, engines,
Mesa model, config) without the batches, sweeps, files and calibration that
run it; data flows one way, core to lab.
"""

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "model"
LAB = MODEL / "lab"
CORE = sorted(p for p in MODEL.rglob("*.py") if LAB not in p.parents)


def imported(path: Path) -> list[str]:
    """Every module an import in ``path`` names, resolved to a dotted name under ``model``."""
    package = ["model", *path.relative_to(MODEL).parent.parts]
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return names


def test_the_core_and_the_lab_are_both_there():
    core = {str(p.relative_to(MODEL)) for p in CORE}
    assert {"params.py", "state.py", "dyad.py", "engine.py", "mesa_model.py", "config.py"} <= core
    assert {"batch.py", "io.py", "sweep.py", "calibration.py", "stats.py", "record.py"} <= {p.name for p in LAB.glob("*.py")}


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(MODEL)))
def test_core_module_imports_nothing_from_the_lab(path):
    lab = [name for name in imported(path) if "lab" in name.split(".")]
    assert not lab, f"{path.relative_to(ROOT)} imports the lab: {lab}"


def test_imports_are_read_relative_to_their_package():
    """The check above resolves ``from .. import x`` correctly, so a relative import of the lab cannot slip by."""
    assert "model.lab.io" in imported(LAB / "sweep.py")  # from . import io
    assert "model.engine" in imported(LAB / "batch.py")  # from .. import engine
    assert "model.params.Params" in imported(MODEL / "sectors" / "public.py")  # from ..params import ...


def test_the_wheel_lists_every_model_package():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {".".join(("redphone", *p.parent.relative_to(ROOT).parts)) for p in MODEL.rglob("__init__.py")}
    assert folders <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(folders - listed)}"
