"""The shape of the house: one import name, a core apart from the lab, no circle in the lab, thin scripts.

A reader can take in the simulation (params, state, sectors, dyad, engines,
Mesa model, config) without the batches, sweeps, files and calibration that
run it; data flows one way, core to lab. Every module has one name,
``redphone.*``: nothing edits ``sys.path`` and no import hook gives a module
a second name, so static tools follow every import. ``scripts/`` holds entry
points only: argument parsing lives with the code, in ``redphone/commands``.
"""

import ast
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "redphone"
MODEL = PACKAGE / "model"
LAB = MODEL / "lab"
CORE = sorted(p for p in MODEL.rglob("*.py") if LAB not in p.parents)
# scripts/policy.py is being rewritten on another branch; it follows the others into redphone/commands/ at the merge
SOURCES = sorted(p for folder in ("redphone", "scripts", "tests") for p in (ROOT / folder).rglob("*.py"))


def imported(path: Path) -> list[str]:
    """Every module an import in ``path`` names (at the top or inside a function), as a dotted name under ``redphone``."""
    package = list(path.relative_to(ROOT).parent.parts)
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return names


def lab_graph() -> dict[str, set[str]]:
    """Lab module -> the lab modules it imports, anywhere in its text (an import inside a function counts)."""
    modules = {p.stem: p for p in LAB.glob("*.py") if p.stem != "__init__"}
    graph = {}
    for name, path in modules.items():
        targets = {n.split(".")[3] for n in imported(path) if n.startswith("redphone.model.lab.") and len(n.split(".")) > 3}
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import circle in ``graph`` (a list of modules, the first repeated at the end), or [] when there is none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_the_core_and_the_lab_are_both_there():
    core = {str(p.relative_to(MODEL)) for p in CORE}
    assert {"params.py", "state.py", "dyad.py", "engine.py", "mesa_model.py", "config.py", "layout.py"} <= core
    assert {"batch.py", "runs.py", "io.py", "sweep.py", "calibration.py", "stats.py", "record.py", "measures.py"} <= {p.name for p in LAB.glob("*.py")}


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(MODEL)))
def test_core_module_imports_nothing_from_the_lab(path):
    lab = [name for name in imported(path) if "lab" in name.split(".")]
    assert not lab, f"{path.relative_to(ROOT)} imports the lab: {lab}"


def test_imports_are_read_relative_to_their_package():
    """The checks resolve ``from .. import x`` correctly, so a relative import of the lab cannot slip by."""
    assert "redphone.model.lab.io" in imported(LAB / "sweep.py")  # from . import io
    assert "redphone.model.engine" in imported(LAB / "runs.py")  # from .. import engine
    assert "redphone.model.params.Params" in imported(MODEL / "sectors" / "public.py")  # from ..params import ...


def test_the_lab_has_no_import_circle():
    assert cycle(lab_graph()) == [], f"an import circle in redphone/model/lab: {' -> '.join(cycle(lab_graph()))}"


def test_the_circle_check_finds_a_circle():
    assert cycle({"batch": {"inference"}, "inference": {"runs", "batch"}, "runs": set()}) == ["batch", "inference", "batch"]
    assert cycle({"batch": {"inference", "runs"}, "inference": {"runs"}, "runs": set()}) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_one_import_name_and_no_path_edits(path):
    """No ``sys.path`` edit, no import hook, and no import of a top-level ``model``, ``dashboard`` or ``experiments``."""
    text = path.read_text() if path != Path(__file__).resolve() else ""  # this file names what it looks for
    assert "sys.path.insert" not in text and "sys.path.append" not in text, f"{path.relative_to(ROOT)} edits sys.path"
    assert "MetaPathFinder" not in text and "sys.meta_path" not in text, f"{path.relative_to(ROOT)} installs an import hook"
    tops = {name.split(".")[0] for name in imported(path)}
    assert not tops & {"model", "dashboard", "experiments", "benchmarks", "scripts"}, f"{path.relative_to(ROOT)} imports {tops & {'model', 'dashboard', 'experiments', 'benchmarks', 'scripts'}}"


@pytest.mark.parametrize("path", sorted((ROOT / "scripts").glob("*.py")), ids=lambda p: p.name)
def test_scripts_hold_no_library_code(path):
    """A script is an entry point: it imports its command's ``main`` and calls it; the code lives in the package."""
    tree = ast.parse(path.read_text())
    defined = [node.name for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    assert not defined, f"{path.relative_to(ROOT)} defines {defined}: move it to redphone/commands/"
    assert len(path.read_text().splitlines()) <= 15, f"{path.relative_to(ROOT)} is more than an entry point"
    assert all(name.startswith(("redphone.", "sys")) for name in imported(path)), imported(path)


def test_nothing_runs_a_script_by_path():
    """The commands call functions; no ``runpy`` runs a file of scripts/ as a program."""
    offenders = [str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py") if "runpy" in p.read_text()]
    assert not offenders, offenders


def test_the_wheel_lists_every_package():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    folders = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")}
    assert folders <= listed, f"add to [tool.setuptools] packages in pyproject.toml: {sorted(folders - listed)}"


def test_the_core_config_holds_no_run_settings_of_the_lab():
    """batch, jax, posterior and grid are the lab's (lab/schema.py); CrisisModel's schema has none of them."""
    import dataclasses

    from redphone.model import config
    from redphone.model.lab import schema

    core = {f.name for f in dataclasses.fields(config.RunConfig)}
    assert not core & {"batch", "jax", "posterior", "grid"}, core
    assert {"batch", "jax", "posterior", "grid"} <= {f.name for f in dataclasses.fields(schema.RunConfig)}
    text = (MODEL / "config.py").read_text()
    assert "class Batch" not in text and "class JaxRuntime" not in text and "class PosteriorDraws" not in text
