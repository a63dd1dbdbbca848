import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("JAX_ENABLE_X64", "0")
# One persistent compilation cache for this session and every process it starts (the app, the scripts, SLURM
# jobs, xdist workers): a program compiled once is loaded, not compiled again. `make test` names .jax_cache;
# plain pytest gets a folder of its own, set here before JAX is imported. Every compile is cached, not only
# those over JAX's default second. Tests that need a real compile turn the cache off (bench.py, test_progress).
OWN_JAX_CACHE = "JAX_COMPILATION_CACHE_DIR" not in os.environ
if OWN_JAX_CACHE:
    os.environ["JAX_COMPILATION_CACHE_DIR"] = tempfile.mkdtemp(prefix="redphone-test-jax-cache-")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")

# Tests that need more than Python (a SLURM cluster, a browser) run where the machine has it and skip,
# loudly, where it does not; REDPHONE_SYSTEM_TESTS=required (CI: .ci/run) turns such a skip into a failure.
REQUIRED = "required" in (os.environ.get("REDPHONE_SYSTEM_TESTS", ""), os.environ.get("REDPHONE_BROWSER_TESTS", ""))
KEEP_DAEMONS = os.environ.get("REDPHONE_KEEP_DAEMONS", "") not in ("", "0")
_SKIPPED: dict[str, str] = {}
_UNAVAILABLE = re.compile(r"(?P<what>.+?) is not available here; to run these tests: (?P<install>.+)")


def unavailable(what: str, install: str) -> None:
    """Skip (or, when system tests are required, fail) a test whose system dependency is missing."""
    message = f"{what} is not available here; to run these tests: {install}"
    if REQUIRED:
        pytest.fail(message + " (REDPHONE_SYSTEM_TESTS=required)", pytrace=False)
    pytest.skip(message)


def pytest_unconfigure(config):
    if OWN_JAX_CACHE and not hasattr(config, "workerinput"):  # the session's own cache folder, removed by the process that made it
        shutil.rmtree(os.environ["JAX_COMPILATION_CACHE_DIR"], ignore_errors=True)


def pytest_runtest_logreport(report):
    """Note each skip for a missing system dependency: read off the report, so that under pytest-xdist
    (`make test` runs two workers) the controller, which prints the summary, sees the workers' skips too."""
    if report.skipped and isinstance(report.longrepr, tuple):
        found = _UNAVAILABLE.search(str(report.longrepr[2]))
        if found:
            _SKIPPED[found["what"].removeprefix("Skipped: ")] = found["install"]


def pytest_terminal_summary(terminalreporter):
    if _SKIPPED:
        write = terminalreporter.write_line
        write("")
        terminalreporter.write_sep("!", "SYSTEM TESTS SKIPPED", yellow=True, bold=True)
        for what, install in _SKIPPED.items():
            write(f"  {what}: {install}", yellow=True)
        write("  (REDPHONE_SYSTEM_TESTS=required makes these failures; CI sets it)", yellow=True)


@pytest.fixture(scope="session")
def slurm():
    """A SLURM cluster with partition `debug`: one already up, else (as root) the local one of
    scripts/slurm/local-cluster.sh, started here and stopped at the end unless REDPHONE_KEEP_DAEMONS=1."""
    script = ["bash", str(ROOT / "scripts/slurm/local-cluster.sh")]
    if subprocess.run([*script, "status"], capture_output=True, timeout=60).returncode == 0:
        yield
        return
    if os.geteuid() != 0:
        unavailable(
            "SLURM",
            "a running SLURM cluster with a `debug` partition (as root, `scripts/slurm/local-cluster.sh start`"
            " installs slurm-wlm and munge with apt-get and starts them)",
        )
    done = subprocess.run([*script, "start"], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"local SLURM did not start:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    yield
    if KEEP_DAEMONS:
        print("\nSLURM left running (REDPHONE_KEEP_DAEMONS); stop it with scripts/slurm/local-cluster.sh stop", file=sys.stderr)
    else:
        subprocess.run([*script, "stop"], capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def small():
    """A small status-quo setting: (config, params, dims)."""
    from redphone.model.config import build, compose

    cfg = compose("india_pakistan_2025", {"population.public": 300, "population.media": 8})
    params, dims = build(cfg)
    return cfg, params, dims
